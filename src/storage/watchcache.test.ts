import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchCache, type Codec, type Delivered } from './watchcache.ts';
import { MemoryStore } from './memory/memory.ts';
import { SqliteStore } from './sqlite/sqlite.ts';
import { isStoreError, StoreError, type Store, type WatchOptions } from './store.ts';
import type { WatchQueue } from './watchqueue.ts';
import { waitFor, within } from '../../test/support/wait.ts';

interface Obj {
  name: string;
  color?: string;
  rv: number;
}

function countingCodec() {
  const counter = { encodes: 0 };
  const codec: Codec<Obj> = {
    decode: (kv) => ({ ...(JSON.parse(kv.value) as Omit<Obj, 'rv'>), rv: kv.modRevision }),
    encode: (o) => {
      counter.encodes++;
      return JSON.stringify(o);
    },
  };
  return { codec, counter };
}

const put = (s: Store, key: string, o: Omit<Obj, 'rv'>) => s.create(key, JSON.stringify(o));
async function set(s: Store, key: string, o: Omit<Obj, 'rv'>) {
  const cur = await s.get(key);
  return s.update(key, JSON.stringify(o), cur!.modRevision);
}

async function take<T>(q: WatchQueue<Delivered<T>>, n: number): Promise<Delivered<T>[]> {
  const out: Delivered<T>[] = [];
  while (out.length < n) {
    const r = await within(q.next(), `${n} cache events (got ${out.length})`);
    if (r.done) throw new Error(`watch ended after ${out.length} events`);
    out.push(r.value);
  }
  return out;
}

const brief = (d: Delivered<Obj>) => `${d.type} ${d.event.object.name}${d.event.object.color ? ':' + d.event.object.color : ''}`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function cacheOn(store: Store, opts: { historySize?: number; watchCapacity?: number } = {}) {
  const { codec, counter } = countingCodec();
  const cache = new WatchCache<Obj>(store, '/registry/pods/', codec, opts);
  cleanups.push(() => cache.stop());
  return { cache, counter };
}

function memory(): MemoryStore {
  const s = new MemoryStore();
  cleanups.push(() => s.close());
  return s;
}

describe('WatchCache', () => {
  test('serves the store state at start and every later write once it is current', async () => {
    const s = memory();
    await put(s, '/registry/pods/a/p1', { name: 'p1' });
    await put(s, '/registry/services/a/s1', { name: 's1' });
    const { cache } = cacheOn(s);
    await cache.start();
    assert.deepEqual(cache.list().items.map((e) => e.object.name), ['p1']);
    await put(s, '/registry/pods/b/p2', { name: 'p2' });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'red' });
    await cache.waitCurrent();
    assert.deepEqual(cache.list().items.map((e) => `${e.object.name}:${e.object.color ?? ''}`), ['p1:red', 'p2:']);
    assert.deepEqual(cache.list({ prefix: '/registry/pods/b/' }).items.map((e) => e.object.name), ['p2']);
    assert.equal(cache.get('/registry/pods/a/p1')!.object.rv, (await s.get('/registry/pods/a/p1'))!.modRevision);
  });

  test('becomes current through a progress request when only other prefixes changed', async () => {
    const s = memory();
    const { cache } = cacheOn(s);
    await cache.start();
    const before = cache.revision;
    const other = await put(s, '/registry/services/a/s1', { name: 's1' });
    await cache.waitCurrent();
    assert.ok(cache.revision >= other.modRevision && cache.revision > before);
  });

  test('a watch from revision 0 starts with a synthetic ADDED for each current object, then live changes', async () => {
    const s = memory();
    await put(s, '/registry/pods/a/p1', { name: 'p1' });
    await put(s, '/registry/pods/a/p2', { name: 'p2' });
    const { cache } = cacheOn(s);
    const w = await cache.watch({ sinceRevision: 0 });
    await put(s, '/registry/pods/a/p3', { name: 'p3' });
    await s.delete('/registry/pods/a/p1');
    assert.deepEqual((await take(w, 4)).map(brief), ['ADDED p1', 'ADDED p2', 'ADDED p3', 'DELETED p1']);
  });

  test('a watch from a revision replays the history after it, in order', async () => {
    const s = memory();
    const { cache } = cacheOn(s);
    await cache.start();
    const a = await put(s, '/registry/pods/a/p1', { name: 'p1' });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'blue' });
    await put(s, '/registry/pods/a/p2', { name: 'p2' });
    await cache.waitCurrent();
    const w = await cache.watch({ sinceRevision: a.modRevision });
    assert.deepEqual((await take(w, 2)).map(brief), ['MODIFIED p1:blue', 'ADDED p2']);
  });

  test('a revision older than the history kept is refused with Compacted (410 for clients), newer ones are served', async () => {
    const s = memory();
    const { cache } = cacheOn(s, { historySize: 3 });
    await cache.start();
    const first = await put(s, '/registry/pods/a/p0', { name: 'p0' });
    for (let i = 1; i <= 5; i++) await put(s, `/registry/pods/a/p${i}`, { name: `p${i}` });
    await cache.waitCurrent();
    await assert.rejects(cache.watch({ sinceRevision: first.modRevision }), (e) => isStoreError(e, 'Compacted'));
    const recent = await cache.watch({ sinceRevision: (await s.get('/registry/pods/a/p3'))!.modRevision });
    assert.deepEqual((await take(recent, 2)).map(brief), ['ADDED p4', 'ADDED p5']);
  });

  test('a filter turns changes into ADDED/DELETED as objects enter and leave it, and hides the rest', async () => {
    const s = memory();
    const { cache } = cacheOn(s);
    const red = await cache.watch({ sinceRevision: 0, filter: (o) => o.color === 'red' });
    await put(s, '/registry/pods/a/p1', { name: 'p1', color: 'blue' });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'red' });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'red', });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'green' });
    await put(s, '/registry/pods/a/p2', { name: 'p2', color: 'red' });
    await s.delete('/registry/pods/a/p2');
    assert.deepEqual((await take(red, 4)).map(brief), ['ADDED p1:red', 'MODIFIED p1:red', 'DELETED p1:green', 'ADDED p2:red']);
    assert.deepEqual((await take(red, 1)).map(brief), ['DELETED p2:red']);
  });

  test('each event is encoded once however many watchers receive it', async () => {
    const s = memory();
    const { cache, counter } = cacheOn(s);
    await cache.start();
    const watchers = await Promise.all(Array.from({ length: 50 }, () => cache.watch({ sinceRevision: cache.revision })));
    for (let i = 0; i < 10; i++) await put(s, `/registry/pods/a/p${i}`, { name: `p${i}` });
    const frames = new Set<string>();
    for (const w of watchers) for (const d of await take(w, 10)) frames.add(d.event.frame(d.type));
    assert.equal(frames.size, 10);
    assert.equal(counter.encodes, 10, '10 events to 50 watchers: 10 encodings');
    assert.match([...frames][0]!, /^\{"type":"ADDED","object":\{"name":"p0","rv":\d+\}\}\n$/);
  });

  test('a watcher that falls behind is cut off with TooSlow; the others keep receiving', async () => {
    const s = memory();
    const { cache } = cacheOn(s);
    await cache.start();
    const slow = await cache.watch({ sinceRevision: cache.revision, capacity: 5 });
    const fast = await cache.watch({ sinceRevision: cache.revision });
    const got = take(fast, 12);
    for (let i = 0; i < 12; i++) await put(s, `/registry/pods/a/p${String(i).padStart(2, '0')}`, { name: `p${i}` });
    assert.equal((await got).length, 12);
    await waitFor(() => slow.isClosed, 'the slow watcher to be cut off');
    assert.equal((await take(slow, 5)).length, 5);
    await assert.rejects(slow.next(), (e) => isStoreError(e, 'TooSlow'));
    assert.equal(cache.watcherCount, 1);
  });

  test('when its store watch breaks, watchers are told and the cache rebuilds itself from a fresh list', async () => {
    const s = memory();
    const realWatch = s.watch.bind(s);
    const upstreams: WatchQueue[] = [];
    s.watch = (prefix: string, opts: WatchOptions) => {
      const w = realWatch(prefix, opts) as WatchQueue;
      upstreams.push(w);
      return w;
    };
    const { cache } = cacheOn(s);
    await cache.start();
    const w = await cache.watch({ sinceRevision: 0 });
    await put(s, '/registry/pods/a/p1', { name: 'p1' });
    await take(w, 1);
    upstreams[0]!.fail(new StoreError('Unavailable', 'connection to the store lost'));
    await assert.rejects(within(w.next(), 'the watcher to be told'), (e) => isStoreError(e, 'Unavailable') && /restarted/.test(e.message));
    await put(s, '/registry/pods/a/p2', { name: 'p2' });
    await waitFor(() => upstreams.length === 2, 'the cache to watch again');
    await cache.waitCurrent();
    assert.deepEqual(cache.list().items.map((e) => e.object.name), ['p1', 'p2']);
  });

  test('options given as undefined keep their defaults (a zero-size history would lose every resume)', async () => {
    const s = memory();
    const { codec } = countingCodec();
    const cache = new WatchCache<Obj>(s, '/registry/pods/', codec, { historySize: undefined, watchCapacity: undefined });
    cleanups.push(() => cache.stop());
    await cache.start();
    const first = await put(s, '/registry/pods/a/p1', { name: 'p1' });
    await put(s, '/registry/pods/a/p2', { name: 'p2' });
    await cache.waitCurrent();
    const w = await cache.watch({ sinceRevision: first.modRevision });
    assert.deepEqual((await take(w, 1)).map(brief), ['ADDED p2']);
    assert.throws(() => new WatchCache<Obj>(s, '/x/', codec, { historySize: 0 }), /historySize must be a positive integer/);
  });

  test('works the same over the sqlite store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cache-'));
    const s = new SqliteStore({ path: join(dir, 'state.db'), compactIntervalMs: 0 });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => s.close());
    await put(s, '/registry/pods/a/p1', { name: 'p1' });
    const { cache } = cacheOn(s);
    const w = await cache.watch({ sinceRevision: 0 });
    await set(s, '/registry/pods/a/p1', { name: 'p1', color: 'red' });
    assert.deepEqual((await take(w, 2)).map(brief), ['ADDED p1', 'MODIFIED p1:red']);
    await cache.waitCurrent();
    assert.equal(cache.revision, await s.currentRevision());
  });
});
