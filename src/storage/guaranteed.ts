import { isStoreError, StoreError, type KeyValue, type Store } from './store.ts';

export interface GuaranteedUpdateOptions {
  /** Give up after this many conflicts (default 100; Kubernetes retries without bound). */
  maxConflicts?: number;
  /** Start from this value instead of reading it (a cached copy); a stale one only costs a retry. */
  current?: KeyValue;
}

/**
 * Kubernetes' GuaranteedUpdate: read, compute, write with the revision
 * precondition, and on a conflict compute again from the value the conflict
 * carries, so no concurrent update is ever lost. `tryUpdate` returns the new
 * value, or undefined to leave the key as it is (no write, no new revision).
 * It may throw to abort (a precondition of the caller's, say).
 */
export async function guaranteedUpdate(
  store: Store,
  key: string,
  tryUpdate: (current: KeyValue) => string | undefined | Promise<string | undefined>,
  opts: GuaranteedUpdateOptions = {},
): Promise<KeyValue> {
  let current = opts.current ?? (await store.get(key));
  const max = opts.maxConflicts ?? 100;
  for (let conflicts = 0; ; conflicts++) {
    if (!current) throw new StoreError('NotFound', `key not found: ${key}`, { key });
    const next = await tryUpdate(current);
    if (next === undefined) return current;
    try {
      return await store.update(key, next, current.modRevision);
    } catch (e) {
      if (!isStoreError(e, 'Conflict') || conflicts >= max) throw e;
      current = e.current ?? (await store.get(key));
    }
  }
}
