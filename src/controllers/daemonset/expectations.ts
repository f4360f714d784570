// Kubernetes' ControllerExpectations (with UID tracking for deletions): after
// a controller asks for N creations or deletes some pods, it waits until its
// informer has seen them before acting on the same key again, so a lagging
// cache never makes it create or delete twice. Deletions are tracked by pod
// UID because a graceful delete is seen twice (marked, then gone). An
// expectation never met expires after 5 minutes, as in Kubernetes.

const TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  dels: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly ttlMs = TTL_MS) {}

  /** Whether the key's last creations and deletions have all been observed (or expired). */
  satisfied(key: string, now = Date.now()): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.dels.size === 0) return true;
    return now - e.at > this.ttlMs;
  }

  expect(key: string, adds: number, deleteUIDs: string[], now = Date.now()): void {
    this.byKey.set(key, { add: adds, dels: new Set(deleteUIDs), at: now });
  }

  /** A creation seen by the informer, or one that failed and will never be seen. */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  /** A deletion (or a failed one) of the pod with this UID. */
  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.dels.delete(uid);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
