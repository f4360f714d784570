// The watch cache: what the API server serves lists and watches from. One
// store watch per resource prefix keeps an in-memory copy of every object and
// a ring of recent events; any number of watchers are fed from it. An event is
// decoded once when it arrives and encoded at most once (lazily, on the first
// watcher that needs the bytes), then the same frame is written to every
// watcher: the cost of a write no longer grows with the number of watchers.

import { compacted, StoreError, type EventType, type KeyValue, type Store, type Watch, type WatchEvent } from './store.ts';
import { DEFAULT_WATCH_CAPACITY, WatchQueue } from './watchqueue.ts';

export interface Codec<T> {
  /** Turns a stored value into an object; kv.modRevision is its resourceVersion. */
  decode(kv: KeyValue): T;
  /** The bytes a watcher or list response carries for the object. */
  encode(obj: T): string;
}

/** One state of one object, as it entered the cache. Shared by every reader. */
export class CachedEvent<T> {
  private json?: string;
  private frames?: Partial<Record<EventType, string>>;

  constructor(
    readonly type: EventType,
    readonly key: string,
    readonly object: T,
    readonly prevObject: T | undefined,
    readonly revision: number,
    private readonly codec: Codec<T>,
  ) {}

  /** The object's encoding, computed once. */
  objectJSON(): string {
    return (this.json ??= this.codec.encode(this.object));
  }

  /** A watch-stream line `{"type":...,"object":...}\n`, computed once per type. */
  frame(type: EventType = this.type): string {
    const frames = (this.frames ??= {});
    return (frames[type] ??= `{"type":"${type}","object":${this.objectJSON()}}\n`);
  }
}

/** What a cache watcher receives: the shared event, and the type it has for this watcher
 *  (a MODIFIED event is an ADDED or DELETED one for a watcher whose filter it enters or leaves). */
export interface Delivered<T> {
  type: EventType;
  event: CachedEvent<T>;
}

export interface CacheWatchOptions<T> {
  /** 0: first a synthetic ADDED for every current object, then changes. Otherwise every change after this revision. */
  sinceRevision: number;
  /** Narrows the cache's prefix (a namespace, say). */
  prefix?: string;
  filter?: (obj: T) => boolean;
  capacity?: number;
}

export interface WatchCacheOptions {
  /** Recent events kept for watches that resume from a revision (default 1000). */
  historySize?: number;
  /** Default per-watcher lag bound. */
  watchCapacity?: number;
  /** How long a wait for freshness may take before it fails with Timeout (default 3 s, as Kubernetes). */
  freshTimeoutMs?: number;
}

interface Watcher<T> {
  prefix: string;
  filter?: (obj: T) => boolean;
  queue: WatchQueue<Delivered<T>>;
}

interface FreshWaiter {
  revision: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/** The type a watcher sees for an event, given whether the old and new states pass its filter; undefined: not its business. */
function transition(type: EventType, prevMatches: boolean, matches: boolean): EventType | undefined {
  if (type === 'ADDED') return matches ? 'ADDED' : undefined;
  if (type === 'DELETED') return matches ? 'DELETED' : undefined;
  if (prevMatches && matches) return 'MODIFIED';
  if (matches) return 'ADDED';
  if (prevMatches) return 'DELETED';
  return undefined;
}

export class WatchCache<T> {
  private entries = new Map<string, CachedEvent<T>>();
  private sortedKeys?: string[];
  private ring: (CachedEvent<T> | undefined)[];
  private ringHead = 0;
  private ringSize = 0;
  /** Every event after this revision is in the ring. */
  private historyStart = 0;
  private rev = 0;
  private readonly watchers = new Set<Watcher<T>>();
  private waiters: FreshWaiter[] = [];
  private upstream?: Watch;
  private progressPending = false;
  private stopped = false;
  private readyPromise?: Promise<void>;
  private readonly opts: Required<WatchCacheOptions>;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly codec: Codec<T>,
    opts: WatchCacheOptions = {},
  ) {
    this.opts = {
      historySize: opts.historySize ?? 1000,
      watchCapacity: opts.watchCapacity ?? DEFAULT_WATCH_CAPACITY,
      freshTimeoutMs: opts.freshTimeoutMs ?? 3000,
    };
    if (!Number.isInteger(this.opts.historySize) || this.opts.historySize < 1) throw new RangeError(`watch cache historySize must be a positive integer, got ${this.opts.historySize}`);
    this.ring = new Array(this.opts.historySize);
  }

  /** Starts the list-then-watch loop; resolves once the first list is loaded. */
  start(): Promise<void> {
    return (this.readyPromise ??= new Promise((resolve) => void this.run(resolve)));
  }

  /** The revision up to which the cache has seen every change. */
  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.entries.size;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private async run(ready: () => void): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        const res = await this.store.list(this.prefix);
        if (this.stopped) return;
        this.reset(res.items, res.revision);
        ready();
        backoff = 100;
        this.upstream = this.store.watch(this.prefix, { sinceRevision: res.revision });
        if (this.progressPending || this.waiters.length > 0) this.upstream.requestProgress();
        for await (const ev of this.upstream) this.apply(ev);
      } catch (e) {
        if (this.stopped) return;
        // The copy can no longer be trusted to be complete: every watcher is
        // told (and re-watches, getting 410 if it is now too far behind), then
        // the cache is rebuilt from a fresh list.
        const err = e instanceof StoreError ? e : new StoreError('Unavailable', String(e));
        const told = new StoreError(err.code === 'Compacted' ? 'Compacted' : 'Unavailable', `watch cache for ${this.prefix} restarted: ${err.message}`, {
          cause: e,
        });
        for (const w of [...this.watchers]) w.queue.fail(told);
        this.progressPending = false;
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private reset(items: KeyValue[], revision: number): void {
    this.entries = new Map();
    for (const kv of items) this.entries.set(kv.key, new CachedEvent('ADDED', kv.key, this.codec.decode(kv), undefined, kv.modRevision, this.codec));
    this.sortedKeys = undefined;
    this.ring = new Array(this.opts.historySize);
    this.ringHead = 0;
    this.ringSize = 0;
    this.historyStart = revision;
    this.setRevision(revision);
  }

  private apply(ev: WatchEvent): void {
    if (ev.type === 'PROGRESS') {
      this.progressPending = false;
      this.setRevision(ev.kv.modRevision);
      return;
    }
    const prev = this.entries.get(ev.kv.key);
    const ce = new CachedEvent<T>(ev.type, ev.kv.key, this.codec.decode(ev.kv), prev?.object, ev.kv.modRevision, this.codec);
    if (ev.type === 'DELETED') {
      this.entries.delete(ev.kv.key);
      this.sortedKeys = undefined;
    } else {
      if (!prev) this.sortedKeys = undefined;
      this.entries.set(ev.kv.key, ce);
    }
    this.remember(ce);
    for (const w of this.watchers) this.offer(w, ce);
    this.setRevision(ev.kv.modRevision);
  }

  private remember(ce: CachedEvent<T>): void {
    const cap = this.ring.length;
    const slot = (this.ringHead + this.ringSize) % cap;
    if (this.ringSize === cap) {
      this.historyStart = this.ring[this.ringHead]!.revision;
      this.ringHead = (this.ringHead + 1) % cap;
    } else {
      this.ringSize++;
    }
    this.ring[slot] = ce;
  }

  private offer(w: Watcher<T>, ce: CachedEvent<T>, unbounded = false): void {
    if (!ce.key.startsWith(w.prefix)) return;
    const type = w.filter
      ? transition(ce.type, ce.prevObject !== undefined && w.filter(ce.prevObject), w.filter(ce.object))
      : ce.type;
    if (!type) return;
    if (unbounded) w.queue.pushUnbounded({ type, event: ce });
    else w.queue.push({ type, event: ce });
  }

  private setRevision(rev: number): void {
    if (rev > this.rev) this.rev = rev;
    if (this.waiters.length === 0) return;
    const still: FreshWaiter[] = [];
    for (const w of this.waiters) {
      if (w.revision <= this.rev) {
        clearTimeout(w.timer);
        w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
    if (still.length > 0) this.askProgress();
  }

  private askProgress(): void {
    if (this.progressPending || !this.upstream) return;
    this.progressPending = true;
    this.upstream.requestProgress();
  }

  /** Resolves once the cache has seen every change up to `revision`; fails with Timeout after freshTimeoutMs. */
  async waitFresh(revision: number): Promise<void> {
    await this.start();
    if (this.rev >= revision) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new StoreError('Timeout', `the watch cache for ${this.prefix} is at revision ${this.rev}; revision ${revision} did not arrive within ${this.opts.freshTimeoutMs} ms`));
      }, this.opts.freshTimeoutMs);
      const waiter: FreshWaiter = { revision, resolve, reject, timer };
      this.waiters.push(waiter);
      this.askProgress();
    });
  }

  /** Waits until the cache holds everything the store held when called: a consistent read. */
  async waitCurrent(): Promise<void> {
    await this.waitFresh(await this.store.currentRevision());
  }

  get(key: string): CachedEvent<T> | undefined {
    return this.entries.get(key);
  }

  /** The current objects under `prefix` passing `filter`, in key order, and the revision they are current at. */
  list(opts: { prefix?: string; filter?: (obj: T) => boolean } = {}): { items: CachedEvent<T>[]; revision: number } {
    const prefix = opts.prefix ?? this.prefix;
    const keys = (this.sortedKeys ??= [...this.entries.keys()].sort());
    const items: CachedEvent<T>[] = [];
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) {
      const e = this.entries.get(keys[i]!)!;
      if (!opts.filter || opts.filter(e.object)) items.push(e);
    }
    return { items, revision: this.rev };
  }

  /**
   * Starts a watch. Throws Compacted when `sinceRevision` is older than the
   * history the cache holds (Kubernetes answers 410 Expired: the client
   * re-lists), and Timeout when it is newer than the cache gets to in time.
   */
  async watch(opts: CacheWatchOptions<T>): Promise<WatchQueue<Delivered<T>>> {
    await this.start();
    if (opts.sinceRevision > this.rev) await this.waitFresh(opts.sinceRevision);
    // From here to registration nothing awaits: no event can slip between replay and live delivery.
    if (opts.sinceRevision !== 0 && opts.sinceRevision < this.historyStart) throw compacted(opts.sinceRevision, this.historyStart);
    const w: Watcher<T> = { prefix: opts.prefix ?? this.prefix, filter: opts.filter, queue: undefined as unknown as WatchQueue<Delivered<T>> };
    w.queue = new WatchQueue<Delivered<T>>(opts.capacity ?? this.opts.watchCapacity, () => this.watchers.delete(w));
    if (opts.sinceRevision === 0) {
      for (const e of this.list({ prefix: w.prefix, filter: w.filter }).items) w.queue.pushUnbounded({ type: 'ADDED', event: e });
    } else {
      const cap = this.ring.length;
      for (let i = 0; i < this.ringSize; i++) {
        const ce = this.ring[(this.ringHead + i) % cap]!;
        if (ce.revision > opts.sinceRevision) this.offer(w, ce, true);
      }
    }
    this.watchers.add(w);
    return w.queue;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.upstream?.close();
    for (const w of [...this.watchers]) w.queue.close();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new StoreError('Unavailable', `the watch cache for ${this.prefix} stopped`));
    }
    this.waiters = [];
  }
}

function lowerBound(sorted: string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
