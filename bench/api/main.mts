// bench/api: the API server under load on loopback, for each store. The
// server runs as a child process (`skiff server`), so its RSS and CPU can be
// read from /proc and the load generator does not share its event loop; N
// clients are N concurrent request loops over keep-alive HTTPS connections
// carrying the cluster CA and the admin bearer token, as kubectl would.
//
// Measured, each with requests/s, p50 and p99 (at the client: request sent to
// whole response read), and the server's CPU per request:
//   create   POST of a ~1.2 KB pod, 50 clients flat out (closed loop), and
//            paced at 250/s in total (open loop, latency from when due)
//   get      GET of an existing pod, 50 clients
//   list     GET of 1000 pods in one namespace, one client
//   watch    10 watchers on a namespace's pods while 50 clients create in it:
//            events/s delivered, latency from the create being sent to the
//            event reaching each watcher
//   RSS      a fresh server holding 10k pods across 10 namespaces, with V8's
//            heap figures before and after a full GC (a preload answers
//            SIGUSR2 in the child; it changes nothing else)
// each printed beside an anchor measured in this same run: the store's raw
// rate (plain better-sqlite3 inserts with the store's pragmas / plain etcd3
// puts to the same etcd), and GET /healthz for the cost of TLS + HTTP alone.
// The CPU column splits the machine's cores between the server, this load
// generator, etcd and everything else: figures taken while "everything else"
// is busy are not worth comparing.
//
//   npm run bench:api                       (full run, ~2-3 min on 2 cores)
//   npm run bench:api -- --quick            (small counts, smoke run, < 30 s)
//   npm run bench:api -- --store=sqlite     (one store only: sqlite | etcd)
//   npm run bench:api -- --profile          (CPU-profile the server child and
//                                            print where its time goes, by phase)

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { parse as parseYAML } from 'yaml';
import { findEtcd, launchEtcd, ETCD_INSTALL_HINT, type EtcdProcess } from '../../src/storage/etcd/launch.ts';

// ---------------------------------------------------------------- settings

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const onlyStore = argv.find((a) => a.startsWith('--store='))?.slice('--store='.length);
for (const a of argv) {
  if (!['--quick', '--profile'].includes(a) && !a.startsWith('--store=')) {
    console.error(`bench/api: unknown argument ${a} (known: --quick, --profile, --store=sqlite|etcd)`);
    process.exit(2);
  }
}

const CLIENTS = 50;
const WARMUP = quick ? 100 : 300;
const N_CREATE = quick ? 400 : 5_000;
const PACED_RATE = 250; // creates/s in total, spread over the 50 clients
const N_PACED = quick ? 150 : 2_500;
const N_GET = quick ? 500 : 10_000;
const N_HEALTHZ = quick ? 500 : 10_000;
const LIST_PODS = 1_000;
const LIST_REPEATS = quick ? 20 : 200;
const WATCHERS = quick ? 4 : 10;
const N_WATCH_CREATES = quick ? 200 : 2_000;
const RSS_PODS = quick ? 500 : 10_000;
const RSS_NAMESPACES = 10;
const N_RAW_SQLITE = quick ? 2_000 : 20_000;
const N_RAW_ETCD = quick ? 1_000 : 5_000; // at least 1000: the range anchor reads 1000 of them
const PHASE_DEADLINE_MS = quick ? 20_000 : 90_000;
const REQUEST_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = quick ? 120_000 : 15 * 60_000;

const TARGET_CREATE_P99_MS = 10;
const TARGET_LIST_MS = 20;
const TARGET_RSS_MB = 200;

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

// A pod as a Deployment's template would make it: two containers, probes,
// env, resources, a volume. About 1 KB of JSON before the server's defaults.
function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4b9c6f8' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.local/team/web:1.4.2',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        },
        {
          name: 'metrics',
          image: 'registry.local/team/metrics-sidecar:0.9.1',
          ports: [{ name: 'metrics', containerPort: 9102, protocol: 'TCP' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      terminationGracePeriodSeconds: 30,
    },
  });
}
const POD_BYTES = podBody('web-7d4b9c6f8-xk2lp').length;

// ---------------------------------------------------------------- cleanup

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const etcds = new Set<EtcdProcess>();

function killAllSync() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const e of etcds) {
    if (e.process.exitCode === null && e.process.signalCode === null) e.process.kill('SIGKILL');
    rmSync(e.dataDir, { recursive: true, force: true });
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`bench/api: ${sig}, cleaning up`);
    killAllSync();
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`bench/api: still running after ${WATCHDOG_MS / 1000} s; giving up`);
  killAllSync();
  process.exit(1);
}, WATCHDOG_MS).unref();

function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `skiff-bench-api-${label}-`));
  tempDirs.add(d);
  return d;
}

// ---------------------------------------------------------------- server child

interface ServerChild {
  url: URL;
  pid: number;
  ca: string;
  token: string;
  process: ChildProcess;
  /** V8's view of the server's memory, before and after a full GC. */
  memory(): Promise<MemoryReport>;
  stop(): Promise<void>;
}

/** Things the bench noticed about the server outside its figures (printed at the end). */
const notes: string[] = [];

// Under --profile the server must exit by itself for V8 to write its profile:
// this preload makes it exit 5 s after SIGTERM if it has not by then.
const EXIT_AFTER_SIGTERM = 'data:text/javascript,' + encodeURIComponent('process.on("SIGTERM", () => setTimeout(() => process.exit(0), 5000).unref())');

// On SIGUSR2 the server reports its V8 memory before and after a full GC on
// stderr: what the heap holds, apart from what the process keeps mapped.
const MEMORY_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    'process.on("SIGUSR2", () => { const before = process.memoryUsage(); globalThis.gc?.(); const after = process.memoryUsage(); ' +
      'process.stderr.write("bench-mem " + JSON.stringify({ before, after }) + "\\n"); })',
  );

interface MemoryReport {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
}

async function startServer(dataDir: string, datastore?: string, profileDir?: string): Promise<ServerChild> {
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', EXIT_AFTER_SIGTERM] : []),
    '--expose-gc',
    '--import',
    MEMORY_PROBE,
    '--import',
    'tsx',
    join(REPO, 'src/cli/main.ts'),
    'server',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    ...(datastore ? ['--datastore', datastore] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  let stoppedCleanly!: () => void;
  const stoppedLine = new Promise<void>((r) => (stoppedCleanly = r));
  let memWaiter: ((m: MemoryReport) => void) | undefined;
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    const m = /bench-mem (\{.*\})\n/.exec(err);
    if (m && memWaiter) {
      err = err.replace(m[0], '');
      memWaiter(JSON.parse(m[1]!) as MemoryReport);
      memWaiter = undefined;
    }
  });
  const memory = () =>
    new Promise<MemoryReport>((resolveMem, reject) => {
      const t = setTimeout(() => reject(new Error('the server did not answer the memory probe')), 10_000);
      memWaiter = (m) => {
        clearTimeout(t);
        resolveMem(m);
      };
      child.kill('SIGUSR2');
    });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const t0 = performance.now();
      child.kill('SIGTERM');
      const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
      // Once the server says it has stopped, give it a moment to exit (longer under --profile, for the preload above).
      const grace = stoppedLine.then(() => sleep(profileDir ? 7_000 : 1_500)).then(() => 'lingered' as const);
      const how = await Promise.race([exited.then(() => 'exited' as const), grace, sleep(10_000).then(() => 'timeout' as const)]);
      if (how !== 'exited') {
        child.kill('SIGKILL');
        await exited;
        notes.push(
          how === 'lingered'
            ? `the server (${datastore ?? 'sqlite'}) printed "stopped cleanly" after SIGTERM but its process did not exit (killed ${((performance.now() - t0) / 1000).toFixed(1)} s after SIGTERM): something keeps its event loop alive`
            : `the server (${datastore ?? 'sqlite'}) did not stop within 10 s of SIGTERM (killed)`,
        );
      }
    }
    children.delete(child);
  };
  const url = await new Promise<URL>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report ready within 30 s: ${err.trim()}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      const m = /API server ready at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(new URL(m[1]!));
      }
      if (/stopped cleanly/.test(out)) stoppedCleanly();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before it was ready: ${err.trim() || out.trim()}`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  const kc = parseYAML(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  return {
    url,
    pid: child.pid!,
    ca: Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(),
    token: kc.users[0]!.user.token,
    process: child,
    memory,
    stop,
  };
}

function procStatus(pid: number): { rssMB: number; hwmMB: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

/** CPU seconds (user + system) the process has used. */
function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat
}

/** CPU seconds the whole machine has spent busy (every process). */
function machineCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / CLK_TCK;
}

/** The etcd process of the current run, whose CPU is shown apart from "everything else". */
let etcdPid: number | undefined;

interface CpuMark {
  srv: number;
  cli: NodeJS.CpuUsage;
  etcd: number;
  all: number;
  t: number;
}
const cpuMark = (pid: number): CpuMark => ({
  srv: procCpuSeconds(pid),
  cli: process.cpuUsage(),
  etcd: etcdPid ? procCpuSeconds(etcdPid) : 0,
  all: machineCpuSeconds(),
  t: performance.now(),
});
interface CpuUse {
  serverCpu: number;
  clientCpu: number;
  etcdCpu?: number;
  otherCpu: number;
}
/** Cores used by the server, this load generator, etcd, and everything else on the machine since the mark. */
function cpuSince(pid: number, m: CpuMark): CpuUse {
  const s = (performance.now() - m.t) / 1000;
  const srv = (procCpuSeconds(pid) - m.srv) / s;
  const c = process.cpuUsage(m.cli);
  const cli = (c.user + c.system) / 1e6 / s;
  const etcd = etcdPid ? (procCpuSeconds(etcdPid) - m.etcd) / s : undefined;
  const all = (machineCpuSeconds() - m.all) / s;
  return { serverCpu: srv, clientCpu: cli, etcdCpu: etcd, otherCpu: Math.max(0, all - srv - cli - (etcd ?? 0)) };
}

// ---------------------------------------------------------------- HTTP client

class Client {
  readonly agent: Agent;
  constructor(
    readonly srv: ServerChild,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, ca: srv.ca });
  }

  request(method: string, path: string, body?: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolveReq, reject) => {
      const headers: Record<string, string | number> = { Authorization: `Bearer ${this.srv.token}`, Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = httpsRequest(
        { host: this.srv.url.hostname, port: this.srv.url.port, method, path, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolveReq({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async expect(status: number, method: string, path: string, body?: string): Promise<Buffer> {
    const r = await this.request(method, path, body);
    if (r.status !== status) throw new Error(`${method} ${path}: HTTP ${r.status} (wanted ${status}): ${r.body.toString().slice(0, 300)}`);
    return r.body;
  }

  close() {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------- measurement

interface Load {
  latencies: number[];
  ms: number;
  done: number;
  errors: number;
  firstError?: string;
  serverCpu: number;
  clientCpu: number;
  etcdCpu?: number;
  otherCpu: number;
}

/** n operations over `width` concurrent loops, stopping early at the phase deadline. */
async function drive(srvPid: number, n: number, width: number, op: (i: number) => Promise<unknown>): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + PHASE_DEADLINE_MS;
  const mark = cpuMark(srvPid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n && performance.now() < deadline) {
        const i = next++;
        const s = performance.now();
        try {
          await op(i);
          latencies.push(performance.now() - s);
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  return { latencies, ms, done: latencies.length, errors, firstError, ...cpuSince(srvPid, mark) };
}

/**
 * Open loop: operation k is due at k/perSec seconds, issued by client k mod
 * width; its latency counts from when it was due, so a server that falls
 * behind is charged for the wait (no coordinated omission).
 */
async function drivePaced(srvPid: number, n: number, width: number, perSec: number, op: (i: number) => Promise<unknown>): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const mark = cpuMark(srvPid);
  const t0 = performance.now();
  const deadline = t0 + PHASE_DEADLINE_MS;
  await Promise.all(
    Array.from({ length: width }, async (_, c) => {
      for (let k = c; k < n && performance.now() < deadline; k += width) {
        const due = t0 + (k / perSec) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        try {
          await op(k);
          latencies.push(performance.now() - due);
        } catch (e) {
          errors++;
          firstError ??= (e as Error).message;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  return { latencies, ms, done: latencies.length, errors, firstError, ...cpuSince(srvPid, mark) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const rate = (n: number, ms: number) => (n / ms) * 1000;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ms2 = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '-');

// ---------------------------------------------------------------- output

interface Row {
  store: string;
  op: string;
  clients: string;
  rate: string;
  p50: string;
  p99: string;
  cpu: string;
  us: string;
  anchor: string;
}
const HEADER: Row = { store: 'store', op: 'operation', clients: 'clients', rate: 'rate', p50: 'p50 ms', p99: 'p99 ms', cpu: 'cpu srv/cli/etcd/oth', us: 'srv µs/op', anchor: 'anchor (same run) / target' };
const W = { store: 6, op: 34, clients: 7, rate: 16, p50: 8, p99: 8, cpu: 20, us: 9 };
const rows: Row[] = [];
const verdicts: string[] = [];

function line(r: Row): string {
  return [
    r.store.padEnd(W.store),
    r.op.padEnd(W.op),
    r.clients.padStart(W.clients),
    r.rate.padStart(W.rate),
    r.p50.padStart(W.p50),
    r.p99.padStart(W.p99),
    r.cpu.padStart(W.cpu),
    r.us.padStart(W.us),
    r.anchor,
  ].join('  ');
}

function emit(r: Row) {
  rows.push(r);
  console.log(line(r));
}

function loadRow(store: string, op: string, clients: number, l: Load, anchor: string, unit = 'req/s'): Row {
  const sorted = [...l.latencies].sort((a, b) => a - b);
  const errs = l.errors > 0 ? `  [${l.errors} errors, first: ${l.firstError}]` : '';
  return {
    store,
    op,
    clients: String(clients),
    rate: `${int(rate(l.done, l.ms))} ${unit}`,
    p50: ms2(percentile(sorted, 50)),
    p99: ms2(percentile(sorted, 99)),
    cpu: [l.serverCpu, l.clientCpu, l.etcdCpu, l.otherCpu].map((x) => (x === undefined ? '-' : (x * 100).toFixed(0))).join('/') + '%',
    us: l.done > 0 ? int((l.serverCpu * l.ms * 1000) / l.done) : '-',
    anchor: anchor + errs,
  };
}

const pctOf = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;

// ---------------------------------------------------------------- raw store anchors

interface RawRates {
  write: number;
  writeLabel: string;
  read: number;
  readLabel: string;
  range1000Ms: number;
  rangeLabel: string;
}

const rawKey = (prefix: string, i: number) => `${prefix}pod-${String(i).padStart(6, '0')}`;

function rawSqlite(path: string): RawRates {
  const value = podBody('web-7d4b9c6f8-xk2lp').padEnd(2048, ' '); // about what the server stores after defaults
  const db = new Database(path);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, value TEXT NOT NULL); CREATE INDEX t_key ON t (key, id)');
    const ins = db.prepare('INSERT INTO t (key, value) VALUES (?, ?)');
    const one = db.transaction((k: string) => ins.run(k, value));
    let t0 = performance.now();
    for (let i = 0; i < N_RAW_SQLITE; i++) one.immediate(rawKey('/registry/pods/default/', i));
    const write = rate(N_RAW_SQLITE, performance.now() - t0);
    const get = db.prepare<[string], { value: string }>('SELECT value FROM t WHERE key = ? ORDER BY id DESC LIMIT 1');
    t0 = performance.now();
    for (let i = 0; i < N_RAW_SQLITE; i++) JSON.parse(get.get(rawKey('/registry/pods/default/', (i * 7919) % N_RAW_SQLITE))!.value);
    const read = rate(N_RAW_SQLITE, performance.now() - t0);
    const range = db.prepare('SELECT key, value FROM t WHERE key >= ? AND key < ? ORDER BY key LIMIT 1000');
    const reps = quick ? 10 : 50;
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const s = performance.now();
      const got = range.all('/registry/pods/default/', '/registry/pods/default0') as { value: string }[];
      if (got.length !== 1000) throw new Error(`raw range read ${got.length} rows`);
      times.push(performance.now() - s);
    }
    return {
      write,
      writeLabel: 'raw better-sqlite3 insert, 1 tx each',
      read,
      readLabel: 'raw better-sqlite3 select + JSON.parse',
      range1000Ms: percentile(times.sort((a, b) => a - b), 50),
      rangeLabel: 'raw better-sqlite3 select 1000 rows',
    };
  } finally {
    db.close();
  }
}

async function rawEtcd(endpoints: string[], prefix: string): Promise<RawRates> {
  const value = podBody('web-7d4b9c6f8-xk2lp').padEnd(2048, ' ');
  const client = new Etcd3({ hosts: endpoints });
  try {
    const n = N_RAW_ETCD;
    let next = 0;
    const par = async (fn: (i: number) => Promise<unknown>) => {
      next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (next < n) await fn(next++);
      }));
      return rate(n, performance.now() - t0);
    };
    const write = await par((i) => client.put(rawKey(prefix, i)).value(value).exec());
    const read = await par(async (i) => JSON.parse((await client.get(rawKey(prefix, (i * 7919) % n)).string())!));
    const times: number[] = [];
    for (let r = 0; r < (quick ? 10 : 50); r++) {
      const s = performance.now();
      const got = await client.getAll().prefix(prefix).limit(1000).strings();
      if (Object.keys(got).length !== 1000) throw new Error(`raw etcd range read ${Object.keys(got).length} keys`);
      times.push(performance.now() - s);
    }
    await client.delete().prefix(prefix).exec();
    return {
      write,
      writeLabel: `raw etcd3 put, ${CLIENTS} in flight`,
      read,
      readLabel: `raw etcd3 get, ${CLIENTS} in flight`,
      range1000Ms: percentile(times.sort((a, b) => a - b), 50),
      rangeLabel: 'raw etcd3 range of 1000 keys',
    };
  } finally {
    client.close();
  }
}

/** The better of two runs of the anchor (before and after the API phases), as bench/store does; --quick runs it once. */
function bestOf(a: RawRates, b: RawRates): RawRates {
  return { ...a, write: Math.max(a.write, b.write), read: Math.max(a.read, b.read), range1000Ms: Math.min(a.range1000Ms, b.range1000Ms) };
}

// ---------------------------------------------------------------- API phases

const pod = (ns: string, name: string) => `/api/v1/namespaces/${ns}/pods/${name}`;
const pods = (ns: string) => `/api/v1/namespaces/${ns}/pods`;

async function createNamespace(c: Client, name: string) {
  await c.expect(201, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

interface ApiResults {
  create: Load;
  paced: Load;
  get: Load;
  healthz: Load;
  list: Load;
  listBytes: number;
  /** A pod as the server answers a get of it (defaults and metadata added). */
  podBytes: number;
  /** Store revisions written while the gets ran (reads should write nothing); undefined if not measured. */
  writesDuringGets?: number;
  watch: Load & { events: number; creates: number; createMs: number };
}

async function apiPhases(srv: ServerChild, label: string, storeRevision?: () => Promise<number>): Promise<ApiResults> {
  const c = new Client(srv, CLIENTS);
  try {
    for (const ns of ['bench-warmup', 'bench-create', 'bench-paced', 'bench-list', 'bench-watch']) await createNamespace(c, ns);

    // Warm-up: JIT (server and client), TLS sessions and the agent's sockets; not measured.
    await drive(srv.pid, WARMUP, CLIENTS, () => c.expect(200, 'GET', '/healthz'));
    await drive(srv.pid, WARMUP, CLIENTS, (i) => c.expect(201, 'POST', pods('bench-warmup'), podBody(`w-${i}`)));
    await drive(srv.pid, WARMUP, CLIENTS, (i) => c.expect(200, 'GET', pod('bench-warmup', `w-${i}`)));
    await drive(srv.pid, 3, 1, () => c.expect(200, 'GET', pods('bench-warmup')));

    const create = await phase(`${label}:create, ${CLIENTS} clients`, () => drive(srv.pid, N_CREATE, CLIENTS, (i) => c.expect(201, 'POST', pods('bench-create'), podBody(`c-${i}`))));
    const created = create.done;
    const paced = await drivePaced(srv.pid, N_PACED, CLIENTS, PACED_RATE, (i) => c.expect(201, 'POST', pods('bench-paced'), podBody(`p-${i}`)));
    const podBytes = (await c.expect(200, 'GET', pod('bench-create', 'c-0'))).length;
    const rev0 = await storeRevision?.();
    const get = await phase(`${label}:get, ${CLIENTS} clients`, () => drive(srv.pid, N_GET, CLIENTS, (i) => c.expect(200, 'GET', pod('bench-create', `c-${(i * 7919) % created}`))));
    const writesDuringGets = rev0 === undefined ? undefined : (await storeRevision!()) - rev0;
    const healthz = await drive(srv.pid, N_HEALTHZ, CLIENTS, () => c.expect(200, 'GET', '/healthz'));

    // List: 1000 pods in one namespace, one client, repeated.
    const fill = await drive(srv.pid, LIST_PODS, CLIENTS, (i) => c.expect(201, 'POST', pods('bench-list'), podBody(`l-${i}`)));
    if (fill.done !== LIST_PODS) throw new Error(`list fill: ${fill.done} of ${LIST_PODS} pods created (${fill.firstError ?? 'deadline'})`);
    const first = JSON.parse((await c.expect(200, 'GET', pods('bench-list'))).toString()) as { items: unknown[] };
    if (first.items.length !== LIST_PODS) throw new Error(`list returned ${first.items.length} pods, wanted ${LIST_PODS}`);
    let listBytes = 0;
    const list = await phase(`${label}:list ${LIST_PODS} pods, 1 client`, () => drive(srv.pid, LIST_REPEATS, 1, async () => (listBytes = (await c.expect(200, 'GET', pods('bench-list'))).length)));

    const watch = await phase(`${label}:watch, ${WATCHERS} watchers + ${CLIENTS} creating clients`, () => watchPhase(c, srv));
    return { create, paced, get, healthz, list, listBytes, podBytes, writesDuringGets, watch };
  } finally {
    c.close();
  }
}

/** M watchers on one namespace's pods; 50 clients create K pods in it. */
async function watchPhase(c: Client, srv: ServerChild): Promise<ApiResults['watch']> {
  const ns = 'bench-watch';
  const rv = (JSON.parse((await c.expect(200, 'GET', pods(ns))).toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let events = 0;
  const want = WATCHERS * N_WATCH_CREATES;
  let allDelivered!: () => void;
  const delivered = new Promise<void>((r) => (allDelivered = r));
  const watchAgent = new Agent({ keepAlive: false, ca: srv.ca });
  const reqs: ReturnType<typeof httpsRequest>[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: WATCHERS },
        () =>
          new Promise<void>((ready, fail) => {
            const req = httpsRequest(
              {
                host: srv.url.hostname,
                port: srv.url.port,
                path: `${pods(ns)}?watch=true&resourceVersion=${rv}`,
                headers: { Authorization: `Bearer ${srv.token}`, Accept: 'application/json' },
                agent: watchAgent,
              },
              (res) => {
                if (res.statusCode !== 200) return fail(new Error(`watch: HTTP ${res.statusCode}`));
                ready();
                res.setEncoding('utf8');
                let buf = '';
                res.on('data', (d: string) => {
                  buf += d;
                  for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
                    const frame = buf.slice(0, nl);
                    buf = buf.slice(nl + 1);
                    const ev = JSON.parse(frame) as { type: string; object: { metadata?: { name?: string } } };
                    if (ev.type !== 'ADDED') continue;
                    const t = sent.get(ev.object.metadata?.name ?? '');
                    if (t === undefined) continue;
                    latencies.push(performance.now() - t);
                    if (++events === want) allDelivered();
                  }
                });
                res.on('error', () => {});
              },
            );
            req.on('error', (e) => fail(e));
            req.end();
            reqs.push(req);
          }),
      ),
    );
    const mark = cpuMark(srv.pid);
    const t0 = performance.now();
    const creates = await drive(srv.pid, N_WATCH_CREATES, CLIENTS, (i) => {
      const name = `wt-${i}`;
      sent.set(name, performance.now());
      return c.expect(201, 'POST', pods(ns), podBody(name));
    });
    const wantNow = WATCHERS * creates.done;
    // Every event of every create that succeeded, or 30 s.
    const waitUntil = performance.now() + 30_000;
    while (events < wantNow && performance.now() < waitUntil) await Promise.race([delivered, new Promise((r) => setTimeout(r, 5))]);
    const ms = performance.now() - t0;
    return {
      latencies,
      ms,
      done: events,
      errors: creates.errors + Math.max(0, wantNow - events),
      firstError: creates.firstError ?? (events < wantNow ? `${wantNow - events} events not delivered within 30 s` : undefined),
      ...cpuSince(srv.pid, mark),
      events,
      creates: creates.done,
      createMs: creates.ms,
    };
  } finally {
    for (const r of reqs) r.destroy();
    watchAgent.destroy();
  }
}

interface RssResult {
  mem: MemoryReport;
  baseMem: MemoryReport;
  rssAfterGcMB: number;
  baselineMB: number;
  rssMB: number;
  hwmMB: number;
  pods: number;
  fill: Load;
}

/** A fresh server: its idle RSS, then RSS_PODS pods across RSS_NAMESPACES namespaces. */
async function rssPhase(srv: ServerChild): Promise<RssResult> {
  const c = new Client(srv, CLIENTS);
  try {
    await c.expect(200, 'GET', '/healthz');
    const baseline = procStatus(srv.pid).rssMB;
    const baseMem = await srv.memory();
    for (let n = 0; n < RSS_NAMESPACES; n++) await createNamespace(c, `rss-${n}`);
    // Warm-up with dry-run creates: the whole path but the write, so nothing extra is stored.
    await drive(srv.pid, WARMUP, CLIENTS, (i) => c.expect(201, 'POST', `${pods('rss-0')}?dryRun=All`, podBody(`r-${i}`)));
    const fill = await drive(srv.pid, RSS_PODS, CLIENTS, (i) => c.expect(201, 'POST', pods(`rss-${i % RSS_NAMESPACES}`), podBody(`r-${i}`)));
    // One list across all namespaces (as an informer's first list would do), then settle.
    const all = JSON.parse((await c.expect(200, 'GET', '/api/v1/pods')).toString()) as { items: unknown[] };
    await new Promise((r) => setTimeout(r, 1000));
    const { rssMB, hwmMB } = procStatus(srv.pid);
    const mem = await srv.memory();
    return { baselineMB: baseline, rssMB, hwmMB, pods: all.items.length, fill, mem, baseMem, rssAfterGcMB: procStatus(srv.pid).rssMB };
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------- CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Phase windows on the monotonic clock V8's profiler also uses (µs), to cut the server's profile by phase. */
const phases: { name: string; from: number; to: number }[] = [];
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const from = monoUs();
  try {
    return await fn();
  } finally {
    phases.push({ name, from, to: monoUs() });
  }
}

/** Where a frame's self time goes, coarsely. */
function category(f: ProfileNode['callFrame']): string {
  const url = f.url.replace(/^file:\/\//, '').replace(REPO + '/', '');
  if (f.functionName === '(idle)') return 'idle';
  if (f.functionName === '(garbage collector)') return 'garbage collector';
  if (f.functionName === '(program)') return '(program): native, outside JS';
  if (f.functionName === 'writev' || f.functionName === 'writeBuffer' || f.functionName === 'writeUtf8String' || f.functionName === 'writeLatin1String') return 'socket writes (TLS encryption + syscall)';
  if (/better-sqlite3/.test(url) || f.functionName === 'sqliteTransaction') return 'better-sqlite3 (SQLite itself)';
  if (/@grpc|etcd3|protobufjs/.test(url)) return 'etcd client (grpc-js, etcd3, protobufjs)';
  if (url.startsWith('src/')) return url.replace(/\.ts$/, '').split('/').slice(0, 3).join('/');
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url.startsWith('node:https')) return 'node http';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:net') || url.startsWith('node:internal/stream_base') || url.startsWith('node:_tls') || url.startsWith('node:internal/tls')) return 'node streams/net/tls (JS)';
  if (url.startsWith('node:')) return 'node (other JS)';
  if (url) return 'other JS';
  return `native: ${f.functionName || '(anonymous)'}`;
}

function summariseProfile(dir: string, label: string) {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (others: tsx's loader).
  const f = readdirSync(dir).find((n) => /\.0\.\d+\.cpuprofile$/.test(n));
  const main = f ? { f, p: JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile } : undefined;
  if (!main) {
    console.log(`  (no CPU profile written in ${dir})`);
    return;
  }
  const prof = main.p;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const short = (f: ProfileNode['callFrame']) => {
    const url = f.url.replace(/^file:\/\//, '').replace(REPO + '/', '');
    // Lines are of the transpiled code: useful for node_modules and node's own files only.
    const where = !url ? '' : url.startsWith('src/') ? ` ${url}` : ` ${url.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`;
    return `${f.functionName || '(anonymous)'}${where}`;
  };
  // Sample times on the monotonic clock, to assign each sample to a phase.
  const times: number[] = new Array(prof.samples.length);
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) times[i] = t += prof.timeDeltas[i] ?? 0;
  console.log(`\nCPU profile of the ${label} server by phase (${main.f}; the profiler slows the server; % of the phase's busy samples, idle left out):`);
  for (const ph of phases.filter((p) => p.name.startsWith(label + ':'))) {
    const self = new Map<string, number>();
    const incl = new Map<string, number>();
    const cats = new Map<string, number>();
    let busy = 0;
    let idle = 0;
    for (let i = 0; i < prof.samples.length; i++) {
      if (times[i]! < ph.from || times[i]! > ph.to) continue;
      const leaf = byId.get(prof.samples[i]!)!;
      const cat = category(leaf.callFrame);
      if (cat === 'idle') {
        idle++;
        continue;
      }
      busy++;
      cats.set(cat, (cats.get(cat) ?? 0) + 1);
      const ln = short(leaf.callFrame);
      self.set(ln, (self.get(ln) ?? 0) + 1);
      const seen = new Set<string>();
      for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id)!;
        if (!n.callFrame.url.includes('/src/')) continue;
        const name = short(n.callFrame);
        if (seen.has(name)) continue;
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + 1);
      }
    }
    if (busy === 0) continue;
    const pc = (n: number) => `${((n / busy) * 100).toFixed(1).padStart(5)}%`;
    const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
    console.log(`  ${ph.name.slice(label.length + 1)}: ${busy} busy samples, ${((busy / (busy + idle)) * 100).toFixed(0)}% of the phase busy`);
    console.log(`    by area:   ${top(cats, 9).map(([c, n]) => `${c} ${pc(n).trim()}`).join('; ')}`);
    console.log('    self:');
    for (const [name, n] of top(self, 10)) console.log(`      ${pc(n)}  ${name}`);
    console.log('    inclusive, Skiff code:');
    for (const [name, n] of top(incl, 8)) console.log(`      ${pc(n)}  ${name}`);
  }
}

// ---------------------------------------------------------------- per store

function printApiRows(store: string, raw: RawRates, r: ApiResults) {
  const createRate = rate(r.create.done, r.create.ms);
  const createP99 = percentile([...r.create.latencies].sort((a, b) => a - b), 99);
  emit({ store, op: 'raw store write (anchor)', clients: store === 'etcd' ? String(CLIENTS) : '1', rate: `${int(raw.write)} ops/s`, p50: '', p99: '', cpu: '', us: '', anchor: raw.writeLabel });
  emit({ store, op: 'raw store read (anchor)', clients: store === 'etcd' ? String(CLIENTS) : '1', rate: `${int(raw.read)} ops/s`, p50: '', p99: '', cpu: '', us: '', anchor: raw.readLabel });
  emit({ store, op: 'raw store range 1000 (anchor)', clients: '1', rate: '', p50: ms2(raw.range1000Ms), p99: '', cpu: '', us: '', anchor: raw.rangeLabel });
  emit(loadRow(store, 'GET /healthz (TLS+HTTP only)', CLIENTS, r.healthz, 'transport ceiling of this client and server'));
  const createTarget = store === 'sqlite' ? `; target p99 < ${TARGET_CREATE_P99_MS} ms: ${createP99 < TARGET_CREATE_P99_MS ? 'MET' : 'MISSED'}` : '';
  emit(loadRow(store, `create pod (${int(r.create.done)})`, CLIENTS, r.create, `${pctOf(createRate, raw.write)} of ${raw.writeLabel}${createTarget}`));
  const pacedP99 = percentile([...r.paced.latencies].sort((a, b) => a - b), 99);
  const pacedTarget = store === 'sqlite' ? `; target p99 < ${TARGET_CREATE_P99_MS} ms: ${pacedP99 < TARGET_CREATE_P99_MS ? 'MET' : 'MISSED'}` : '';
  emit(loadRow(store, `create pod, paced ${PACED_RATE}/s (${int(r.paced.done)})`, CLIENTS, r.paced, `open loop, latency counted from when each request was due${pacedTarget}`));
  if (store === 'sqlite') {
    verdicts.push(
      `sqlite create p99 at ${CLIENTS} clients: ${ms2(createP99)} ms flat out at ${int(createRate)} req/s, ${ms2(pacedP99)} ms paced at ${PACED_RATE} req/s (target < ${TARGET_CREATE_P99_MS} ms): ` +
        `${createP99 < TARGET_CREATE_P99_MS ? 'MET' : 'MISSED'} flat out, ${pacedP99 < TARGET_CREATE_P99_MS ? 'MET' : 'MISSED'} paced`,
    );
    verdicts.push(
      `  (${CLIENTS} closed-loop clients with no think time queue at the server: by Little's law their mean latency is ${CLIENTS}/throughput, ` +
        `so a p99 under ${TARGET_CREATE_P99_MS} ms flat out needs more than ${int((CLIENTS / TARGET_CREATE_P99_MS) * 1000)} creates/s; /healthz alone reached ${int(rate(r.healthz.done, r.healthz.ms))} req/s here)`,
    );
  }
  emit(loadRow(store, `get pod (${int(r.get.done)})`, CLIENTS, r.get, `${pctOf(rate(r.get.done, r.get.ms), raw.read)} of ${raw.readLabel}; ${pctOf(rate(r.get.done, r.get.ms), rate(r.healthz.done, r.healthz.ms))} of /healthz; a pod as served is ${int(r.podBytes)} B` +
        (r.writesDuringGets === undefined ? '' : `; ${int(r.writesDuringGets)} store revisions written during the gets`)));
  const listP50 = percentile([...r.list.latencies].sort((a, b) => a - b), 50);
  const listP99 = percentile([...r.list.latencies].sort((a, b) => a - b), 99);
  const met = (x: number) => (x < TARGET_LIST_MS ? 'MET' : 'MISSED');
  const listVerdict = `target < ${TARGET_LIST_MS} ms: ${met(listP50)} at p50, ${met(listP99)} at p99`;
  emit(
    loadRow(
      store,
      `list ${LIST_PODS} pods (${(r.listBytes / 1e6).toFixed(2)} MB) x${r.list.done}`,
      1,
      r.list,
      `raw range ${ms2(raw.range1000Ms)} ms; ${listVerdict}`,
    ),
  );
  verdicts.push(`${store} list of ${LIST_PODS} pods (${(r.listBytes / 1e6).toFixed(2)} MB): p50 ${ms2(listP50)} ms, p99 ${ms2(listP99)} ms; ${listVerdict}`);
  const w = r.watch;
  emit(
    loadRow(
      store,
      `watch delivery, ${WATCHERS} watchers`,
      CLIENTS,
      w,
      `${int(w.events)} events; creates meanwhile ${int(rate(w.creates, w.createMs))}/s (${pctOf(rate(w.creates, w.createMs), raw.write)} of raw write); latency = create sent -> event read`,
      'events/s',
    ),
  );
}

function printRss(store: string, r: RssResult) {
  const target = RSS_PODS >= 10_000 ? `target < ${TARGET_RSS_MB} MB with 10k pods: ${r.rssMB < TARGET_RSS_MB ? 'MET' : 'MISSED'}` : `(target < ${TARGET_RSS_MB} MB is for 10k pods)`;
  emit(loadRow(store, `create ${int(r.fill.done)} pods in ${RSS_NAMESPACES} ns`, CLIENTS, r.fill, 'fresh server of the RSS phase (warmed with dry-run creates)'));
  emit({
    store,
    op: `server RSS, ${int(r.pods)} pods stored`,
    clients: '',
    rate: `${r.rssMB.toFixed(0)} MB`,
    p50: '',
    p99: '',
    cpu: '',
    us: '',
    anchor: `idle fresh server ${r.baselineMB.toFixed(0)} MB, peak ${r.hwmMB.toFixed(0)} MB; ${target}`,
  });
  const MB = (b: number) => (b / 1048576).toFixed(0);
  const m = r.mem;
  emit({
    store,
    op: '  of which V8 heap',
    clients: '',
    rate: `${MB(m.before.heapUsed)}/${MB(m.before.heapTotal)} MB`,
    p50: '',
    p99: '',
    cpu: '',
    us: '',
    anchor:
      `heap used/total; after a full GC ${MB(m.after.heapUsed)}/${MB(m.after.heapTotal)} MB ` +
      `(idle ${MB(r.baseMem.after.heapUsed)} MB; ${((m.after.heapUsed - r.baseMem.after.heapUsed) / Math.max(1, r.pods) / 1024).toFixed(1)} KB of live heap per pod), external ${MB(m.after.external)} MB; RSS after the GC ${r.rssAfterGcMB.toFixed(0)} MB`,
  });
  verdicts.push(`${store} server RSS with ${int(r.pods)} pods in ${RSS_NAMESPACES} namespaces: ${r.rssMB.toFixed(0)} MB (peak ${r.hwmMB.toFixed(0)} MB; target < ${TARGET_RSS_MB} MB at 10k pods)${RSS_PODS >= 10_000 ? (r.rssMB < TARGET_RSS_MB ? ': MET' : ': MISSED') : ''}`);
}

async function benchSqlite() {
  const dir = tempDir('sqlite');
  const raw1 = rawSqlite(join(dir, 'raw1.db'));
  const prof = profile ? join(dir, 'prof') : undefined;
  if (prof) mkdirSync(prof);
  const srv = await startServer(join(dir, 'server'), undefined, prof);
  let results: ApiResults;
  try {
    results = await apiPhases(srv, 'sqlite');
  } finally {
    await srv.stop();
  }
  const raw = quick ? raw1 : bestOf(raw1, rawSqlite(join(dir, 'raw2.db')));
  printApiRows('sqlite', raw, results);
  const rsrv = await startServer(join(dir, 'rss'));
  try {
    printRss('sqlite', await rssPhase(rsrv));
  } finally {
    await rsrv.stop();
  }
  if (prof) summariseProfile(prof, 'sqlite');
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

async function benchEtcd() {
  if (!findEtcd()) {
    console.log(`etcd    skipped: ${ETCD_INSTALL_HINT}`);
    return;
  }
  const dir = tempDir('etcd');
  const etcd = await launchEtcd();
  etcds.add(etcd);
  etcdPid = etcd.process.pid;
  try {
    const hostPort = etcd.endpoints[0]!.replace(/^http:\/\//, '');
    const raw1 = await rawEtcd(etcd.endpoints, '/bench-raw-1/');
    const prof = profile ? join(dir, 'prof') : undefined;
    if (prof) mkdirSync(prof);
    const srv = await startServer(join(dir, 'server'), `etcd://${hostPort}/api`, prof);
    let results: ApiResults;
    try {
      const probe = new Etcd3({ hosts: etcd.endpoints });
      try {
        results = await apiPhases(srv, 'etcd', async () => Number((await probe.get('/bench-probe').exec()).header.revision));
      } finally {
        probe.close();
      }
    } finally {
      await srv.stop();
    }
    const raw = quick ? raw1 : bestOf(raw1, await rawEtcd(etcd.endpoints, '/bench-raw-2/'));
    printApiRows('etcd', raw, results);
    const rsrv = await startServer(join(dir, 'rss'), `etcd://${hostPort}/rss`);
    try {
      printRss('etcd', await rssPhase(rsrv));
    } finally {
      await rsrv.stop();
    }
    if (prof) summariseProfile(prof, 'etcd');
  } finally {
    etcdPid = undefined;
    await etcd.stop();
    etcds.delete(etcd);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

async function main() {
  const t0 = performance.now();
  console.log(
    `bench/api${quick ? ' --quick' : ''}: node ${process.version}, ${cpus().length} cpus, server as a child process on loopback HTTPS, ` +
      `${CLIENTS} clients (keep-alive), pod body ${POD_BYTES} B; ${int(N_CREATE)} creates, ${int(N_GET)} gets, ${LIST_REPEATS} lists of ${LIST_PODS}, ` +
      `${WATCHERS} watchers x ${int(N_WATCH_CREATES)} creates, ${int(RSS_PODS)} pods for RSS${profile ? '; server CPU-profiled' : ''}`,
  );
  let tree = '';
  try {
    tree = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO }).toString().trim()) tree += ' + uncommitted changes in src/';
  } catch {
    tree = 'unknown';
  }
  console.log(`tree: ${tree}`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `rates and latencies are measured at the client (request sent -> whole response read); cpu = cores used during the phase by the server / this load generator / etcd / everything else on the machine (100% = one core); srv µs/op = server CPU per request (per event for watch); load average at start ${load}`,
  );
  console.log(line(HEADER));
  if (!onlyStore || onlyStore === 'sqlite') await benchSqlite();
  if (!onlyStore || onlyStore === 'etcd') await benchEtcd();
  console.log('\ntargets:');
  for (const v of verdicts) console.log(`  ${v}`);
  if (notes.length > 0) {
    console.log('\nnoticed:');
    for (const n of new Set(notes)) console.log(`  ${n}`);
  }
  console.log(`\nbench/api finished in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

try {
  await main();
} finally {
  killAllSync();
}
