import { compacted, progressEvent, type Watch, type WatchEvent } from './store.ts';
import { DEFAULT_WATCH_CAPACITY, WatchQueue } from './watchqueue.ts';

/**
 * Fan-out for backends whose writes all happen in this process (memory,
 * sqlite). Because their reads and writes are synchronous, replaying history
 * and registering for live events happen in one tick: no write can slip
 * between them, so a watch never misses or repeats an event.
 */
export class LocalWatchHub {
  private readonly watchers = new Set<{ prefix: string; queue: WatchQueue }>();

  constructor(
    /** The store's current revision: every write is published before it returns, so this is always delivered-up-to. */
    private readonly revision: () => number,
    private readonly capacity: number = DEFAULT_WATCH_CAPACITY,
  ) {}

  open(
    prefix: string,
    sinceRevision: number,
    compactRevision: number,
    replay: (prefix: string, sinceRevision: number) => WatchEvent[],
  ): Watch {
    const entry = { prefix, queue: undefined as unknown as WatchQueue };
    const queue: WatchQueue = new WatchQueue(
      this.capacity,
      () => this.watchers.delete(entry),
      () => queue.pushUnbounded(progressEvent(this.revision())),
    );
    entry.queue = queue;
    if (sinceRevision < compactRevision) {
      queue.fail(compacted(sinceRevision, compactRevision));
      return queue;
    }
    // The consumer asked for this history, so it may exceed the live-lag bound.
    const history = replay(prefix, sinceRevision);
    for (const ev of history) queue.pushUnbounded(ev);
    this.watchers.add(entry);
    return queue;
  }

  publish(ev: WatchEvent): void {
    for (const w of this.watchers) {
      if (ev.kv.key.startsWith(w.prefix)) w.queue.push(ev);
    }
  }

  get size(): number {
    return this.watchers.size;
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w.queue.close();
  }
}
