// The distributed store: a real etcd v3 cluster. Revisions are etcd's own
// (mod_revision, create_revision), so the Store contract maps one-to-one:
// conditional writes are transactions comparing mod_revision, watches are
// etcd watches with prev_kv, history and compaction are etcd's.

import { createRequire } from 'node:module';
import type { Etcd3, IOptions } from 'etcd3';
import { StoreError, compacted, prefixEnd, progressEvent, type KeyValue, type ListOptions, type ListResult, type Store, type Watch, type WatchEvent, type WatchOptions } from '../store.ts';
import { DEFAULT_WATCH_CAPACITY, WatchQueue } from '../watchqueue.ts';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
  /** Every key is stored under this root, so several clusters can share one etcd (default ""). */
  root?: string;
  watchCapacity?: number;
  /** Per-request deadline in ms (default 10 s). */
  timeoutMs?: number;
}

/** Parses `etcd://host:port,host:port[/root]` into store options. */
export function parseEtcdURL(url: string): EtcdStoreOptions {
  const m = /^etcd:\/\/([^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new StoreError('InvalidArgument', `bad etcd datastore "${url}": expected etcd://host:port[,host:port...][/root]`);
  return { endpoints: m[1]!.split(',').map((h) => `http://${h}`), root: m[2] ?? '' };
}

// A key that records where we compacted to, as the Kubernetes apiserver's
// compactor keeps its own marker key: etcd itself does not report it. Store
// keys all begin with "/", so a marker beginning with NUL never shows in them.
const FENCE_SUFFIX = '\0skiff-progress';
const isFence = (key: Buffer) => key.length >= FENCE_SUFFIX.length && key.subarray(key.length - FENCE_SUFFIX.length).toString('latin1') === FENCE_SUFFIX;

const compactKey = (root: string) => Buffer.from(`\0skiff-compact-rev${root}`);

function endStream(s: { end(): void }): void {
  s.end();
  (s as { cancel?: () => void }).cancel?.();
}

type RawKV = { key: Buffer; value: Buffer; create_revision: string; mod_revision: string };

function isCompactedError(e: unknown): boolean {
  return /required revision has been compacted/.test(String((e as Error)?.message ?? e));
}

export class EtcdStore implements Store {
  readonly backend = 'etcd';
  private readonly client: Etcd3;
  private readonly root: string;
  private readonly rootBuf: Buffer;
  private readonly capacity: number;
  private readonly watches = new Set<WatchQueue>();
  // Watch creations and cancellations still in flight: closing the client
  // under them leaves etcd3's watch manager reconnecting forever.
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(opts: EtcdStoreOptions) {
    const timeout = opts.timeoutMs ?? 10_000;
    const clientOpts: IOptions = {
      hosts: opts.endpoints,
      dialTimeout: timeout,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    };
    // Required here, not imported above: only servers on etcd pay for loading its gRPC client (~350 ms).
    const { Etcd3: Client } = createRequire(import.meta.url)('etcd3') as typeof import('etcd3');
    this.client = new Client(clientOpts);
    this.root = opts.root ?? '';
    this.rootBuf = Buffer.from(this.root);
    this.capacity = opts.watchCapacity ?? DEFAULT_WATCH_CAPACITY;
  }

  private k(key: string): Buffer {
    return Buffer.from(this.root + key);
  }

  private kvOf(raw: RawKV): KeyValue {
    return {
      key: raw.key.subarray(this.rootBuf.length).toString(),
      value: raw.value.toString(),
      createRevision: Number(raw.create_revision),
      modRevision: Number(raw.mod_revision),
    };
  }

  /** Runs an etcd call, turning transport failures and compaction into StoreErrors. */
  private async call<T>(what: string, fn: () => Promise<T>, revision?: number): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      if (isCompactedError(e)) throw compacted(revision ?? 0, await this.compactRevision().catch(() => 0));
      throw new StoreError('Unavailable', `etcd ${what} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call('get', () => this.client.kv.range({ key: this.k(key) }));
    const raw = res.kvs[0] as RawKV | undefined;
    return raw && this.kvOf(raw);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix || '/';
    const end = this.rangeEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let revision = opts.revision || 0;
    const items: KeyValue[] = [];
    // Fence keys are skipped, so a page may take more than one read to fill.
    for (;;) {
      const res = await this.call(
        'list',
        () => this.client.kv.range({ key: this.k(start), range_end: end, revision, limit: limit ? limit + 1 - items.length : 0 }),
        opts.revision,
      );
      revision = revision || Number(res.header.revision);
      const kvs = res.kvs as RawKV[];
      for (const r of kvs) if (!isFence(r.key)) items.push(this.kvOf(r));
      if (!limit || items.length > limit || !res.more || kvs.length === 0) break;
      start = this.kvOf(kvs[kvs.length - 1]!).key + '\0';
    }
    const more = limit > 0 && items.length > limit;
    if (more) items.length = limit;
    return { items, revision, more };
  }

  private rangeEnd(prefix: string): Buffer {
    // Store keys begin with "/": an empty prefix means all of them.
    const end = prefixEnd(this.root + (prefix || '/'));
    return end === undefined ? Buffer.from([0]) : Buffer.from(end);
  }

  async count(prefix: string): Promise<number> {
    // Keys only, so progress fences (of this prefix or narrower ones) can be left out.
    const res = await this.call('count', () => this.client.kv.range({ key: this.k(prefix || '/'), range_end: this.rangeEnd(prefix), keys_only: true }));
    return (res.kvs as RawKV[]).filter((r) => !isFence(r.key)).length;
  }

  /** The key whose write proves watch progress under `prefix` (see watch()). */
  private fenceKey(prefix: string): Buffer {
    return Buffer.from(this.root + (prefix || '/') + FENCE_SUFFIX);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call('create', () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw new StoreError('AlreadyExists', `key already exists: ${key}`, { key });
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call('update', () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.failedPrecondition(key, res.responses[0]?.response_range.kvs[0] as RawKV | undefined);
    const prev = res.responses[0]!.response_put.prev_kv as RawKV;
    const rev = Number(res.header.revision);
    return { key, value, createRevision: Number(prev.create_revision), modRevision: rev };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const k = this.k(key);
    const compare = expectedRevision === undefined
      ? [{ key: k, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }]
      : [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedRevision }];
    const res = await this.call('delete', () =>
      this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.failedPrecondition(key, res.responses[0]?.response_range.kvs[0] as RawKV | undefined);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0] as RawKV;
    return { ...this.kvOf(prev), modRevision: Number(res.header.revision) };
  }

  private failedPrecondition(key: string, current: RawKV | undefined): StoreError {
    if (!current) return new StoreError('NotFound', `key not found: ${key}`, { key });
    const cur = this.kvOf(current);
    return new StoreError('Conflict', `key ${key} was modified: expected an older revision, it is at ${cur.modRevision}`, { key, current: cur });
  }

  // One gRPC watch stream per Store watch, driven directly rather than through
  // etcd3's WatchManager: we need etcd's compact_revision on cancellation, and
  // a broken stream must end the watch (the caller re-lists) instead of
  // silently reconnecting.
  //
  // Progress is proven with a fence, not etcd's progress request: etcd before
  // 3.4.25/3.5.8 (Debian 12 ships 3.4.23) answers a progress request on a
  // separate channel that can overtake events still queued for the watcher.
  // A write to a fence key inside the prefix comes back through the watch
  // itself, and etcd delivers a watcher's events in revision order, so when
  // the fence arrives every earlier event has.
  watch(prefix: string, opts: WatchOptions): Watch {
    let stream: Awaited<ReturnType<Etcd3['watchClient']['watch']>> | undefined;
    let closed = false;
    const queue: WatchQueue = new WatchQueue(
      this.capacity,
      () => {
        closed = true;
        this.watches.delete(queue);
        // end() only half-closes; etcd keeps the call (and the connection) open until it is cancelled.
        if (stream) endStream(stream);
      },
      () => {
        this.track(
          this.client.kv.put({ key: this.fenceKey(prefix), value: Buffer.alloc(0) }).catch((err: Error) =>
            fail(new StoreError('Unavailable', `etcd progress fence under ${prefix} failed: ${err.message}`, { cause: err })),
          ),
        );
      },
    );
    this.watches.add(queue);
    const fail = (err: StoreError) => {
      if (!closed) queue.fail(err);
    };
    const created = this.client.watchClient
      .watch()
      .then((s) => {
        stream = s;
        if (closed) return endStream(s);
        s.on('data', (res) => {
          if (Number(res.compact_revision) > 0) return fail(compacted(opts.sinceRevision, Number(res.compact_revision)));
          if (res.canceled) return fail(new StoreError('Unavailable', `etcd canceled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`));
          if (res.created) return;
          for (const ev of res.events) {
            const raw = ev.kv as RawKV;
            if (isFence(raw.key)) {
              if (ev.type === 'Put') queue.pushUnbounded(progressEvent(Number(raw.mod_revision)));
              continue;
            }
            if (!queue.push(this.eventOf(ev.type, raw, ev.prev_kv as RawKV | undefined))) return;
          }
        });
        s.on('error', (err: Error) => fail(new StoreError('Unavailable', `etcd watch on ${prefix} broke: ${err.message}`, { cause: err })));
        s.on('end', () => fail(new StoreError('Unavailable', `etcd closed the watch stream on ${prefix}`)));
        s.write({
          create_request: {
            key: this.k(prefix || '/'),
            range_end: this.rangeEnd(prefix),
            start_revision: opts.sinceRevision + 1,
            prev_kv: true,
          },
        });
      })
      .catch((err: Error) => fail(new StoreError('Unavailable', `etcd watch on ${prefix} failed: ${err.message}`, { cause: err })));
    this.track(created);
    return queue;
  }

  private eventOf(type: 'Put' | 'Delete', raw: RawKV, prevRaw?: RawKV): WatchEvent {
    const prevKv = prevRaw ? this.kvOf(prevRaw) : undefined;
    if (type === 'Delete') {
      const base = prevKv ?? { key: raw.key.subarray(this.rootBuf.length).toString(), value: '', createRevision: 0 };
      return { type: 'DELETED', kv: { ...base, modRevision: Number(raw.mod_revision) }, prevKv };
    }
    const kv = this.kvOf(raw);
    if (kv.createRevision === kv.modRevision) return { type: 'ADDED', kv };
    return { type: 'MODIFIED', kv, prevKv };
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('revision', () => this.client.kv.range({ key: compactKey(this.root), count_only: true }));
    return Number(res.header.revision);
  }

  async compactRevision(): Promise<number> {
    const res = await this.call('compact revision', () => this.client.kv.range({ key: compactKey(this.root) }));
    const raw = res.kvs[0] as RawKV | undefined;
    return raw ? Number(raw.value.toString()) : 0;
  }

  async compact(revision: number): Promise<void> {
    const current = await this.compactRevision();
    if (revision <= current) return;
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (e) {
      // Someone (another server) compacted further already: that is fine.
      if (!isCompactedError(e)) throw new StoreError('Unavailable', `etcd compact failed: ${(e as Error).message}`, { cause: e });
    }
    await this.call('compact marker', () => this.client.kv.put({ key: compactKey(this.root), value: Buffer.from(String(revision)) }));
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.close();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.client.close();
  }
}
