// Kubernetes' human-readable durations (k8s.io/apimachinery/pkg/util/duration)
// and the printers' timestamp helpers. Durations are in milliseconds; Go's
// integer conversions truncate toward zero, so Math.trunc stands in for them.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Go's zero time.Time, which a timestamp that was never set may be encoded as. */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/**
 * ShortHumanDuration: one unit only ("45s", "12m", "5h", "3d", "2y").
 * Up to a second into the future still reads "0s"; beyond that "<invalid>".
 */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * HumanDuration, the AGE format: about two significant figures, e.g. "90s",
 * "3m20s", "12m", "5h3m", "20h", "3d4h", "30d", "2y10d", "9y".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * Parses a metav1.Time / MicroTime string. Missing, empty or unparsable
 * values, and Go's zero time, read as undefined (Kubernetes' IsZero()).
 */
export function parseTimestamp(ts: unknown): Date | undefined {
  if (ts instanceof Date) return Number.isNaN(ts.getTime()) ? undefined : ts;
  if (typeof ts !== 'string' || ts === '') return undefined;
  // JavaScript's Date keeps milliseconds; MicroTime carries microseconds.
  const d = new Date(ts.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(d.getTime()) || d.getTime() === GO_ZERO_TIME) return undefined;
  return d;
}

/** translateTimestampSince: the age of a timestamp, or "<unknown>" when it is unset. */
export function translateTimestampSince(ts: unknown, now: Date): string {
  const t = parseTimestamp(ts);
  if (t === undefined) return '<unknown>';
  return humanDuration(now.getTime() - t.getTime());
}
