// The delay before a Job creates pods again after failures: Kubernetes'
// backoff record (failures since the last success, time of the last
// failure) and its exponential wait, 10 s doubling up to 10 min by default.

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export interface BackoffDurations {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_POD_FAILURE_BACKOFF: BackoffDurations = { baseMs: 10_000, maxMs: 10 * 60_000 };

/** Folds newly finished pods into a record: a success resets it, failures count up. */
export function updateBackoff(rec: BackoffRecord, succeededTimes: number[], failedTimes: number[]): BackoffRecord {
  const lastSuccess = succeededTimes.length ? Math.max(...succeededTimes) : undefined;
  let failures = rec.failuresAfterLastSuccess;
  let last = rec.lastFailureTime;
  if (lastSuccess !== undefined) {
    // Only failures after the newest success count.
    const after = failedTimes.filter((t) => t > lastSuccess);
    failures = after.length;
    last = after.length ? Math.max(...after) : undefined;
  } else if (failedTimes.length) {
    failures += failedTimes.length;
    last = Math.max(last ?? 0, ...failedTimes);
  }
  return { failuresAfterLastSuccess: failures, lastFailureTime: last };
}

/** How long to wait before creating pods: base * 2^(failures-1), capped, minus the time since the last failure. */
export function remainingBackoffMs(rec: BackoffRecord, now: number, d: BackoffDurations = DEFAULT_POD_FAILURE_BACKOFF): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let wait = d.baseMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess && wait < d.maxMs; i++) wait *= 2;
  wait = Math.min(wait, d.maxMs);
  return Math.max(0, wait - (now - rec.lastFailureTime));
}
