// An informer keeps a local, indexed copy of one resource current: list, then
// watch from the list's resourceVersion; when a watch ends, watch again from
// the last resourceVersion seen; when that is too old (410 Expired, or any
// ERROR event), list again and reconcile the cache with the list the way
// client-go's DeltaFIFO.Replace does. Connection failures back off (bounded,
// jittered). Controllers read from the cache and are told of changes through
// the handlers.

import type { KubeObject, ListOptions, ListResult, WatchOptions } from './rest.ts';
import { errorFromStatus, isExpired } from './errors.ts';
import type { Watch } from './watch.ts';

/** What an informer reads from: a ResourceHandle, or anything shaped like one (tests wrap it). */
export interface ListerWatcher<T> {
  list(ns: string | undefined, o?: ListOptions): Promise<ListResult<T>>;
  watch(ns: string | undefined, o?: WatchOptions): Watch<T>;
}

export interface InformerOptions {
  /** Only this namespace (all namespaces when unset). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Backoff after a failed list or watch: starts here, doubles, capped at maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side timeout of each watch; a new one starts from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Told of failures the informer recovers from (default: silent). */
  onError?: (e: unknown) => void;
  /** What the cache keeps of each object (client-go's SetTransform): e.g. metadata only, to save memory. Must keep metadata. */
  transform?: (obj: any) => any;
}

export type IndexFunc<T> = (obj: T) => string[];

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and workqueues. */
export function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

/** The namespace ('' when cluster-scoped) and name of a key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class WatchEndedWithError extends Error {}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly addHandlers: ((obj: T) => void)[] = [];
  private readonly updateHandlers: ((oldObj: T, newObj: T) => void)[] = [];
  private readonly deleteHandlers: ((obj: T) => void)[] = [];
  private readonly abort = new AbortController();
  private currentWatch: Watch<T> | undefined;
  private loop: Promise<void> | undefined;
  private synced = false;
  private syncWaiters: ((ok: boolean) => void)[] = [];
  private backoffMs: number;
  /** The resourceVersion the next watch resumes from. */
  lastResourceVersion = '';
  /** How many lists this informer has made (the first, then one per relist). */
  listCount = 0;

  constructor(
    private readonly source: ListerWatcher<T>,
    private readonly opts: InformerOptions = {},
  ) {
    this.backoffMs = opts.initialBackoffMs ?? 100;
  }

  // --- handlers and indexes -------------------------------------------------

  /** A handler added once objects are cached is first told of each of them as an add (as client-go's AddEventHandler). */
  onAdd(fn: (obj: T) => void): this {
    this.addHandlers.push(fn);
    for (const obj of this.items.values()) this.notify([fn], obj);
    return this;
  }
  onUpdate(fn: (oldObj: T, newObj: T) => void): this {
    this.updateHandlers.push(fn);
    return this;
  }
  onDelete(fn: (obj: T) => void): this {
    this.deleteHandlers.push(fn);
    return this;
  }

  /** Adds an index; objects already cached are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): this {
    if (this.indexers.has(name)) throw new Error(`informer: index "${name}" already exists`);
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
    return this;
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indices.get(name);
    if (!idx) throw new Error(`informer: no index "${name}"`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  // --- the cache --------------------------------------------------------------

  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Sets what the cache keeps of each object (see InformerOptions.transform); only before start(). */
  setTransform(fn: ((obj: any) => any) | undefined): this {
    if (this.loop) throw new Error('informer: transform must be set before start');
    this.opts.transform = fn;
    return this;
  }

  /** Whether start() has been called. */
  get started(): boolean {
    return this.loop !== undefined;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache, false if the informer stops first. */
  waitForSync(): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((r) => this.syncWaiters.push(r));
  }

  // --- running ----------------------------------------------------------------

  start(): this {
    if (this.loop) throw new Error('informer: already started');
    if (this.abort.signal.aborted) throw new Error('informer: stopped informers cannot restart');
    this.loop = this.run();
    return this;
  }

  /** Ends the current watch and the loop; resolves once the loop has exited. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.currentWatch?.close();
    for (const w of this.syncWaiters.splice(0)) w(false);
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const gotEvents = await this.watchOnce();
        if (gotEvents) this.resetBackoff();
        // A watch that ends at once with nothing in it would otherwise spin.
        else await this.backoff();
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof WatchEndedWithError || isExpired(e)) {
          // Our resourceVersion is no longer served (or the watch broke on the
          // server's side): only a fresh list restores a consistent cache.
          needList = true;
          if (!isExpired(e)) this.opts.onError?.(e);
          if (!isExpired(e)) await this.backoff();
          continue;
        }
        this.opts.onError?.(e);
        await this.backoff();
      }
    }
  }

  private resetBackoff(): void {
    this.backoffMs = this.opts.initialBackoffMs ?? 100;
  }

  private async backoff(): Promise<void> {
    const max = this.opts.maxBackoffMs ?? 30_000;
    // Full jitter within [d/2, d]: informers restarted together do not retry in step.
    const d = this.backoffMs;
    await sleep(d / 2 + Math.random() * (d / 2), this.abort.signal);
    this.backoffMs = Math.min(max, this.backoffMs * 2);
  }

  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const l = await this.source.list(namespace, { labelSelector, fieldSelector, signal: this.abort.signal });
    if (this.stopped) return;
    this.listCount++;
    this.replace(l.items);
    this.lastResourceVersion = l.metadata.resourceVersion ?? '';
    this.resetBackoff();
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w(true);
    }
  }

  /** Makes the cache equal to a fresh list: adds, updates for changed objects, deletes for vanished ones. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.items.get(key);
      if (!old) this.upsert(key, obj, undefined);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion || old.metadata?.uid !== obj.metadata?.uid) this.upsert(key, obj, old);
    }
    for (const [key, old] of [...this.items]) if (!seen.has(key)) this.remove(key, old);
  }

  /** Watches until the stream ends; answers whether any event came. Throws on ERROR events. */
  private async watchOnce(): Promise<boolean> {
    const { namespace, labelSelector, fieldSelector, watchTimeoutSeconds } = this.opts;
    // Server-side timeouts are randomised like client-go's (5-10 min), so watches do not end in step.
    const timeoutSeconds = watchTimeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    const w = this.source.watch(namespace, { resourceVersion: this.lastResourceVersion, labelSelector, fieldSelector, allowWatchBookmarks: true, timeoutSeconds });
    this.currentWatch = w;
    let got = false;
    try {
      if (this.stopped) return false;
      for await (const ev of w) {
        if (this.stopped) break;
        got = true;
        if (ev.type === 'ERROR') {
          const err = errorFromStatus(ev.object);
          throw isExpired(ev) ? err : new WatchEndedWithError(`watch ERROR: ${err.message}`);
        }
        const obj = ev.object;
        const rv = obj.metadata?.resourceVersion;
        if (ev.type !== 'BOOKMARK') {
          const key = keyOf(obj);
          const old = this.items.get(key);
          if (ev.type === 'DELETED') {
            if (old) this.remove(key, obj);
          } else {
            this.upsert(key, obj, old);
          }
        }
        if (rv) this.lastResourceVersion = rv;
      }
    } finally {
      w.close();
      if (this.currentWatch === w) this.currentWatch = undefined;
    }
    return got;
  }

  // --- cache mutation with index upkeep and notification ----------------------

  private upsert(key: string, obj: T, old: T | undefined): void {
    if (this.opts.transform) obj = this.opts.transform(obj) as T;
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, key, obj);
    if (old) this.notify(this.updateHandlers, old, obj);
    else this.notify(this.addHandlers, obj);
  }

  private remove(key: string, last: T): void {
    if (this.opts.transform) last = this.opts.transform(last) as T;
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.delete(key);
    this.notify(this.deleteHandlers, last);
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.indices.get(name)!;
    for (const v of fn(obj)) {
      let keys = idx.get(v);
      if (!keys) idx.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(v);
      }
    }
  }

  private notify<A extends unknown[]>(handlers: ((...args: A) => void)[], ...args: A): void {
    for (const h of handlers) {
      try {
        h(...args);
      } catch (e) {
        // A failing handler must not stop the cache from following the server.
        this.opts.onError?.(e);
      }
    }
  }
}
