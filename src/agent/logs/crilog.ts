// The CRI container log format, as conmon writes it and the kubelet reads it:
// one line per write, `<RFC3339Nano time> <stream> <tag> <content>`, where the
// tag `F` ends a message and `P` marks a piece of a longer one (the runtime
// splits long lines; the reader joins the pieces).

export type LogStream = 'stdout' | 'stderr';

export interface CRILogLine {
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  /** The timestamp as Kubernetes prints it (`--timestamps`): RFC3339Nano in UTC. */
  time: string;
  stream: LogStream;
  /** False for a `P` piece: the message continues on the next line. */
  full: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parses one line (without its newline); undefined for a line that is not CRI format. */
export function parseCRILogLine(line: Buffer): CRILogLine | undefined {
  const s1 = line.indexOf(SPACE);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  const t = parseRFC3339Nano(line.subarray(0, s1).toString('latin1'));
  if (!t) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // The tag field may carry several tags separated by ':'; the first says full or partial.
  let s3 = line.indexOf(SPACE, s2 + 1);
  const tagEnd = s3 < 0 ? line.length : s3;
  const tag = line.subarray(s2 + 1, tagEnd).toString('latin1').split(':')[0];
  if (tag !== 'F' && tag !== 'P') return undefined;
  if (s3 < 0) s3 = line.length - 1; // `... stdout F` with nothing after: an empty message
  return { timeNs: t.ns, time: t.text, stream, full: tag === 'F', content: line.subarray(s3 + 1) };
}

/** Parses an RFC3339 time with up to nanosecond fraction; `text` is its canonical UTC form (Go's RFC3339Nano). */
export function parseRFC3339Nano(s: string): { ns: bigint; text: string } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[3] ?? '').padEnd(9, '0');
  const ns = BigInt(ms) * 1_000_000n + BigInt(frac);
  return { ns, text: formatRFC3339Nano(ns) };
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, `Z` for the zone. */
export function formatRFC3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? '.' + frac : ''}Z`;
}

/** Formats a line in CRI format (what conmon writes); for tests and test runtimes. */
export function formatCRILogLine(time: Date | bigint, stream: LogStream, full: boolean, content: string): string {
  const ns = typeof time === 'bigint' ? time : BigInt(time.getTime()) * 1_000_000n;
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac}+00:00 ${stream} ${full ? 'F' : 'P'} ${content}\n`;
}
