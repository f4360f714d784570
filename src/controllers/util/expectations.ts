// Kubernetes' ControllerExpectations (with UIDTrackingControllerExpectations'
// deletion tracking), for every controller that creates or deletes pods:
// after asking for N creations or for certain pods to go, a controller waits
// to see those writes in its informer before it counts pods again, so a
// lagging cache never makes it create or delete twice. Deletions are tracked
// by pod identity (uid or namespace/name, the caller's choice) because a
// graceful delete is seen twice (marked, then gone) and must count once.
// Expectations expire after five minutes, in case an event was missed.

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

export interface ExpectationsOptions {
  /** The clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** How long an unmet expectation holds (default five minutes). */
  ttlMs?: number;
}

interface Expectation {
  add: number;
  /** Pods we asked to delete and have not yet seen go. */
  deleting: Set<string>;
  at: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Expectation>();
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(opts: ExpectationsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? EXPECTATIONS_TTL_MS;
  }

  /** True when the controller may act on `key` again: nothing pending, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.deleting.size === 0) return true;
    return this.now() - r.at > this.ttlMs;
  }

  /** Expects `add` creations and the deletion of these pods (replacing what was expected). */
  expect(key: string, add: number, deletePods: string[] = []): void {
    this.records.set(key, { add, deleting: new Set(deletePods), at: this.now() });
  }

  expectCreations(key: string, n: number): void {
    this.expect(key, n);
  }

  expectDeletions(key: string, pods: string[]): void {
    this.expect(key, 0, pods);
  }

  /** A creation seen by the informer. */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** Creations that failed, or were skipped, and will never be seen. */
  lowerCreations(key: string, n: number): void {
    const r = this.records.get(key);
    if (r) r.add -= n;
  }

  /** The pod went, started terminating, or its delete failed and will never be seen; counts once per pod. */
  deletionObserved(key: string, pod: string): void {
    this.records.get(key)?.deleting.delete(pod);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.deleting.size };
  }
}
