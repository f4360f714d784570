import { StoreError, type WatchEvent } from './store.ts';

/** How many undelivered events a watcher may hold before it is cut off. */
export const DEFAULT_WATCH_CAPACITY = 10_000;

/**
 * The consumer side of a watch (a Store's, or the watch cache's): a bounded FIFO that a backend pushes into and
 * the caller iterates. When the consumer lags by more than `capacity` events
 * the watch fails with TooSlow: the consumer still receives every event that
 * was queued, then the error, so it knows exactly where to resume from.
 */
export class WatchQueue<T = WatchEvent> implements AsyncIterable<T> {
  private buf: T[] = [];
  private head = 0;
  private waiting?: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };
  private failure?: StoreError;
  private closed = false;

  constructor(
    private readonly capacity: number = DEFAULT_WATCH_CAPACITY,
    private readonly onClose: () => void = () => {},
    private readonly onProgressRequest: () => void = () => {},
  ) {}

  requestProgress(): void {
    if (!this.isClosed) this.onProgressRequest();
  }

  /** Queues an event. Returns false once the watch is closed or failed, so the producer can drop it. */
  push(ev: T): boolean {
    if (this.closed || this.failure) return false;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: ev, done: false });
      return true;
    }
    if (this.buf.length - this.head >= this.capacity) {
      this.fail(new StoreError('TooSlow', `watch consumer fell more than ${this.capacity} events behind; re-watch from the last revision seen`));
      return false;
    }
    this.buf.push(ev);
    return true;
  }

  /** Queues an event the consumer explicitly asked for (history replay): not subject to the lag bound. */
  pushUnbounded(ev: T): void {
    if (this.closed || this.failure) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: ev, done: false });
      return;
    }
    this.buf.push(ev);
  }

  /** Ends the watch with an error, delivered after the events already queued. */
  fail(err: StoreError): void {
    if (this.closed || this.failure) return;
    this.failure = err;
    this.onClose();
    if (this.waiting && this.head >= this.buf.length) {
      const w = this.waiting;
      this.waiting = undefined;
      w.reject(err);
    }
  }

  close(): void {
    if (this.closed) return;
    const wasFailed = this.failure !== undefined;
    this.closed = true;
    this.buf = [];
    this.head = 0;
    if (!wasFailed) this.onClose();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  get isClosed(): boolean {
    return this.closed || this.failure !== undefined;
  }

  /** Events queued and not yet taken. */
  get pending(): number {
    return this.buf.length - this.head;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.buf.length) {
      const value = this.buf[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.buf.length) {
        this.buf = this.buf.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const err = this.failure;
      this.closed = true;
      return Promise.reject(err);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    if (this.waiting) return Promise.reject(new Error('WatchQueue: next() called while a previous next() is pending'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
