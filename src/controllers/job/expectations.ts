// Kubernetes' ControllerExpectations (with UIDTrackingControllerExpectations'
// idea for deletions): after a controller asks for N pods to be created, or
// for certain pods to be deleted, it does not count pods again until its
// informer has seen those writes, so a lagging cache never makes it create or
// delete twice. Expectations expire after 5 minutes, in case an event was lost.

const TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: Set<string>;
  at: number;
}

export class Expectations {
  private readonly m = new Map<string, Expectation>();

  /** Expects `add` creations and the deletion of the pods with these uids. */
  expect(key: string, add: number, deleteUIDs: string[] = []): void {
    this.m.set(key, { add, del: new Set(deleteUIDs), at: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.add--;
  }

  /** Seen being deleted (deletionTimestamp set) or gone. */
  deletionObserved(key: string, uid: string): void {
    this.m.get(key)?.del.delete(uid);
  }

  /** A creation that failed will never be observed. */
  lowerCreations(key: string, n: number): void {
    const e = this.m.get(key);
    if (e) e.add -= n;
  }

  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del.size === 0) || Date.now() - e.at > TTL_MS;
  }

  delete(key: string): void {
    this.m.delete(key);
  }
}
