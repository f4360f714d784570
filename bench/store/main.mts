// bench/store: the store's write and watch rates for each backend, each
// printed beside the raw rate of the same engine measured in this same run:
//   sqlite  vs plain better-sqlite3 single-row inserts, one transaction per
//           write, with the same pragmas (WAL, synchronous=NORMAL, exclusive);
//   etcd    vs plain puts through the same etcd3 client to the same server;
// and the watch cache's fan-out of one event stream to 1000 watchers.
//
//   npm run bench:store            (full run, ~1 min)
//   npm run bench:store -- --quick (smaller counts, for a smoke check)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.ts';
import { MemoryStore } from '../../src/storage/memory/memory.ts';
import { EtcdStore } from '../../src/storage/etcd/etcd.ts';
import { findEtcd, launchEtcd, ETCD_INSTALL_HINT } from '../../src/storage/etcd/launch.ts';
import { WatchCache, type Codec } from '../../src/storage/watchcache.ts';
import type { Store } from '../../src/storage/store.ts';

const quick = process.argv.includes('--quick');
const N_LOCAL = quick ? 2_000 : 20_000;
const N_ETCD = quick ? 300 : 3_000;
const ETCD_CONCURRENCY = 32;
const FANOUT_WATCHERS = 1000;
const FANOUT_EVENTS = quick ? 50 : 500;

// A value shaped like a small stored Pod (~1 KB of JSON).
const VALUE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-7d4b9c-xk2lp', namespace: 'default', uid: '0f0e8a1c-8d2b-4a57-9f57-2d0c4a1b9e31', labels: { app: 'web', 'pod-template-hash': '7d4b9c' } },
  spec: {
    containers: [{ name: 'web', image: 'registry.local/web:1.4.2', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    nodeName: 'node-1',
    restartPolicy: 'Always',
  },
  status: { phase: 'Running', podIP: '10.42.0.17', conditions: [{ type: 'Ready', status: 'True' }] },
}).padEnd(1024, ' ');

const key = (i: number) => `/registry/pods/default/pod-${String(i).padStart(6, '0')}`;
const rate = (n: number, ms: number) => (n / ms) * 1000;
const fmt = (r: number) => Math.round(r).toLocaleString('en-US').padStart(10);
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`.padStart(5);

interface Row {
  backend: string;
  what: string;
  skiff: number;
  anchorName: string;
  anchor?: number;
}
const rows: Row[] = [];

function print(r: Row) {
  rows.push(r);
  const anchor = r.anchor === undefined ? '' : `${fmt(r.anchor)}/s  ${r.anchorName.padEnd(34)} ${pct(r.skiff, r.anchor)}`;
  console.log(`${r.backend.padEnd(7)} ${r.what.padEnd(24)} ${fmt(r.skiff)}/s  ${anchor}`);
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function sequentialWrites(s: Store, n: number): Promise<{ create: number; update: number }> {
  const revs: number[] = new Array(n);
  const c = await timed(async () => {
    for (let i = 0; i < n; i++) revs[i] = (await s.create(key(i), VALUE)).modRevision;
  });
  const u = await timed(async () => {
    for (let i = 0; i < n; i++) await s.update(key(i), VALUE, revs[i]!);
  });
  return { create: rate(n, c), update: rate(n, u) };
}

/** Writes n keys and measures until a store watcher has received all n events. */
async function watchDelivery(s: Store, n: number, prefix = '/registry/leases/'): Promise<number> {
  const w = s.watch(prefix, { sinceRevision: await s.currentRevision() });
  const t0 = performance.now();
  const received = (async () => {
    let got = 0;
    for await (const ev of w) if (ev.type !== 'PROGRESS' && ++got === n) break;
  })();
  for (let i = 0; i < n; i++) await s.create(`${prefix}l${i}`, VALUE);
  await received;
  const ms = performance.now() - t0;
  w.close();
  return rate(n, ms);
}

function rawSqliteInserts(path: string, n: number): number {
  const db = new Database(path);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, value TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (key, value) VALUES (?, ?)');
  const one = db.transaction((k: string) => ins.run(k, VALUE));
  const ms = performance.now();
  for (let i = 0; i < n; i++) one.immediate(key(i));
  const r = rate(n, performance.now() - ms);
  db.close();
  return r;
}

async function benchSqlite(dir: string) {
  // The anchor runs first and again last; the better of the two is the fair comparison.
  const raw1 = rawSqliteInserts(join(dir, 'raw1.db'), N_LOCAL);
  const s = new SqliteStore({ path: join(dir, 'store.db'), compactIntervalMs: 0 });
  const w = await sequentialWrites(s, N_LOCAL);
  const watch = await watchDelivery(s, N_LOCAL);
  await s.close();
  const raw = Math.max(raw1, rawSqliteInserts(join(dir, 'raw2.db'), N_LOCAL));
  print({ backend: 'sqlite', what: 'create (1 writer)', skiff: w.create, anchorName: 'raw better-sqlite3 insert, 1 tx each', anchor: raw });
  print({ backend: 'sqlite', what: 'update (1 writer)', skiff: w.update, anchorName: 'raw better-sqlite3 insert, 1 tx each', anchor: raw });
  print({ backend: 'sqlite', what: 'create+watch delivery', skiff: watch, anchorName: 'raw better-sqlite3 insert, 1 tx each', anchor: raw });
}

async function benchMemory() {
  const s = new MemoryStore();
  const w = await sequentialWrites(s, N_LOCAL);
  const watch = await watchDelivery(s, N_LOCAL);
  await s.close();
  print({ backend: 'memory', what: 'create (1 writer)', skiff: w.create, anchorName: '' });
  print({ backend: 'memory', what: 'update (1 writer)', skiff: w.update, anchorName: '' });
  print({ backend: 'memory', what: 'create+watch delivery', skiff: watch, anchorName: '' });
}

async function benchEtcd() {
  if (!findEtcd()) {
    console.log(`etcd    skipped: ${ETCD_INSTALL_HINT}`);
    return;
  }
  const etcd = await launchEtcd();
  try {
    const raw = new Etcd3({ hosts: etcd.endpoints });
    const rawSeq = rate(N_ETCD, await timed(async () => {
      for (let i = 0; i < N_ETCD; i++) await raw.put(`/raw${key(i)}`).value(VALUE);
    }));
    const rawPar = rate(N_ETCD, await timed(() => inParallel(N_ETCD, ETCD_CONCURRENCY, (i) => raw.put(`/rawp${key(i)}`).value(VALUE).exec())));
    raw.close();

    const s = new EtcdStore({ endpoints: etcd.endpoints, root: '/skiff' });
    const w = await sequentialWrites(s, N_ETCD);
    const par = rate(N_ETCD, await timed(() => inParallel(N_ETCD, ETCD_CONCURRENCY, (i) => s.create(`/par${key(i)}`, VALUE))));
    const watch = await watchDelivery(s, N_ETCD);
    await s.close();
    print({ backend: 'etcd', what: 'create (1 writer)', skiff: w.create, anchorName: 'raw etcd3 put, 1 writer', anchor: rawSeq });
    print({ backend: 'etcd', what: 'update (1 writer)', skiff: w.update, anchorName: 'raw etcd3 put, 1 writer', anchor: rawSeq });
    print({ backend: 'etcd', what: `create (${ETCD_CONCURRENCY} in flight)`, skiff: par, anchorName: `raw etcd3 put, ${ETCD_CONCURRENCY} in flight`, anchor: rawPar });
    print({ backend: 'etcd', what: 'create+watch delivery', skiff: watch, anchorName: 'raw etcd3 put, 1 writer', anchor: rawSeq });
  } finally {
    await etcd.stop();
  }
}

async function inParallel(n: number, width: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** One event stream, FANOUT_WATCHERS consumers reading from the watch cache, each taking the encoded frame. */
async function benchFanout(store: Store, label: string) {
  const codec: Codec<{ raw: string; rv: number }> = { decode: (kv) => ({ raw: kv.value, rv: kv.modRevision }), encode: (o) => o.raw };
  const cache = new WatchCache(store, '/registry/pods/', codec, { historySize: FANOUT_EVENTS * 2 });
  await cache.start();
  const since = cache.revision;
  const watchers = await Promise.all(Array.from({ length: FANOUT_WATCHERS }, () => cache.watch({ sinceRevision: since })));
  let bytes = 0;
  const done = watchers.map(async (w) => {
    for (let got = 0; got < FANOUT_EVENTS; ) {
      const r = await w.next();
      if (r.done) throw new Error('watch ended early');
      bytes += r.value.event.frame(r.value.type).length;
      got++;
    }
  });
  const ms = await timed(async () => {
    for (let i = 0; i < FANOUT_EVENTS; i++) await store.create(`/registry/pods/fan/p${i}`, VALUE);
    await Promise.all(done);
  });
  await cache.stop();
  const delivered = FANOUT_WATCHERS * FANOUT_EVENTS;
  print({ backend: label, what: `fan-out to ${FANOUT_WATCHERS} watchers`, skiff: rate(delivered, ms), anchorName: 'target 50,000 events/s', anchor: 50_000 });
  if (bytes === 0) throw new Error('no bytes delivered');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-store-'));
  console.log(`bench/store${quick ? ' --quick' : ''}: node ${process.version}, ${N_LOCAL} local ops, ${N_ETCD} etcd ops, values ${VALUE.length} B`);
  console.log(`${'backend'.padEnd(7)} ${'operation'.padEnd(24)} ${'skiff'.padStart(12)}  ${'anchor (same run)'.padStart(12)}${''.padEnd(36)} ratio`);
  try {
    await benchSqlite(dir);
    await benchMemory();
    await benchEtcd();
    const mem = new MemoryStore();
    await benchFanout(mem, 'memory');
    await mem.close();
    const sq = new SqliteStore({ path: join(dir, 'fanout.db'), compactIntervalMs: 0 });
    await benchFanout(sq, 'sqlite');
    await sq.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
