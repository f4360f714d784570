// The worker loop every controller runs (STYLE: a worker takes a key, syncs
// it from the informer cache, writes through the client; an error requeues
// the key with rate-limited backoff, a success forgets its failures).

import type { WorkQueue } from './workqueue.ts';

export interface RunWorkersOptions<K> {
  /** Told of each failed sync before the key is requeued. */
  onError?: (key: K, error: unknown) => void;
}

/**
 * Runs `n` workers over the queue until it shuts down; resolves when every
 * worker has exited. The queue guarantees one key is never synced by two
 * workers at once.
 */
export async function runWorkers<K>(queue: WorkQueue<K>, n: number, sync: (key: K) => Promise<void>, opts: RunWorkersOptions<K> = {}): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        opts.onError?.(key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
