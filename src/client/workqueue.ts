// client-go's workqueue in TypeScript: a key waits in the queue at most once
// (adds while it waits are merged), a key being processed is never handed to
// a second worker (an add during processing queues it again after done()),
// failures come back after a per-key exponential delay, and addAfter delays
// a key. Timers are unref'd and cleared on shutdown so a process can exit.

export interface RateLimiter<K> {
  /** How long this key should wait before its next try; counts a failure. */
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** client-go's ItemExponentialFailureRateLimiter: base * 2^failures, capped. */
export class ExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap, so min() keeps it bounded.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** What a named queue reports (client-go's queue metrics); implemented over prom-client in src/metrics. */
export interface WorkQueueMetrics<K> {
  /** A key entered the queue (not counted when it was already waiting). */
  add(key: K): void;
  /** A key was handed to a worker. */
  get(key: K): void;
  done(key: K): void;
  /** A key was put back after a failure. */
  retry(key: K): void;
}

export interface WorkQueueMetricsProvider {
  forQueue<K>(name: string): WorkQueueMetrics<K>;
}

let globalMetricsProvider: WorkQueueMetricsProvider | undefined;

/** client-go's workqueue.SetProvider: named queues created afterwards report to it. */
export function setWorkQueueMetricsProvider(p: WorkQueueMetricsProvider | undefined): void {
  globalMetricsProvider = p;
}

export interface WorkQueueOptions<K> {
  rateLimiter?: RateLimiter<K>;
  /** The queue's name in workqueue_* metrics (client-go's NewNamedRateLimitingQueue); unnamed queues report nothing. */
  name?: string;
  /** Where a named queue reports (default: the provider set with setWorkQueueMetricsProvider). */
  metrics?: WorkQueueMetricsProvider;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { timer: NodeJS.Timeout; readyAt: number }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shutting = false;
  readonly rateLimiter: RateLimiter<K>;
  private readonly metrics?: WorkQueueMetrics<K>;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.rateLimiter = opts.rateLimiter ?? new ExponentialRateLimiter<K>();
    const provider = opts.metrics ?? globalMetricsProvider;
    if (opts.name && provider) this.metrics = provider.forQueue<K>(opts.name);
  }

  /** Keys waiting to be handed out (not counting those in processing or delayed). */
  get length(): number {
    return this.queue.length;
  }

  get shuttingDown(): boolean {
    return this.shutting;
  }

  add(key: K): void {
    if (this.shutting || this.dirty.has(key)) return;
    this.metrics?.add(key);
    this.dirty.add(key);
    // Processing now: done() queues it again, so no two workers hold one key.
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  private enqueue(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics?.get(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
  }

  /**
   * The next key, marked as processing until done(key). Resolves undefined
   * once the queue is shutting down and has nothing left to hand out.
   */
  get(): Promise<K | undefined> {
    if (this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics?.get(key);
      return Promise.resolve(key);
    }
    if (this.shutting) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the key finished; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    if (this.processing.has(key)) this.metrics?.done(key);
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      if (this.shutting) this.dirty.delete(key);
      else this.enqueue(key);
    }
    this.checkDrained();
  }

  /** Adds the key after `ms`; a key already waiting keeps the earlier of the two times. */
  addAfter(key: K, ms: number): void {
    if (this.shutting) return;
    if (ms <= 0) return this.add(key);
    const readyAt = Date.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.waiting.set(key, { timer, readyAt });
  }

  /** Adds the key after its rate limiter's delay (which grows with each call until forget). */
  addRateLimited(key: K): void {
    this.metrics?.retry(key);
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears the key's failure count: call after it was processed successfully. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * Stops taking keys and drops delayed ones; keys already queued are still
   * handed out, then get() answers undefined. Resolves when the queue is
   * empty and every handed-out key is done().
   */
  shutDown(): Promise<void> {
    this.shutting = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.checkDrained();
    });
  }

  private checkDrained(): void {
    if (!this.shutting || this.queue.length > 0 || this.processing.size > 0) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }
}
