// Kubernetes' ControllerExpectations (with UIDTrackingControllerExpectations'
// deletion tracking): after a controller creates or deletes pods it waits to
// see those writes in its informer before it counts pods again, so it never
// creates twice for one shortfall. Expectations expire after five minutes in
// case an event was missed.

const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  /** Keys of pods we asked to delete and have not yet seen go. */
  deleting: Set<string>;
  at: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the controller may sync `key` again: nothing pending, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.at > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, deleting: new Set(), at: this.now() });
  }

  /** Expect these pod keys (namespace/name) to be deleted. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: this.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** A pod went (or started terminating); counts once per pod key. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  /** A create that failed, or was skipped, will never be observed. */
  lowerCreations(key: string, n: number): void {
    const r = this.records.get(key);
    if (r) r.add -= n;
  }

  /** A delete that failed will never be observed. */
  lowerDeletion(key: string, podKey: string): void {
    this.deletionObserved(key, podKey);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}
