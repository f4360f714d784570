// bench/cluster/phases.mts: where `skiff up` spends its time until the node
// is Ready, fresh data dir and warm (the same dir again, after a clean
// Ctrl-C). The real `skiff up` runs as a child process with trace-hook.mts
// loaded (`--import`), which times child processes and the start() of each
// part; the synchronous steps the hook cannot see (preflight, opening the
// store, the PKI) are also timed here in-process, with the same functions on
// a data dir of the same state. Waits for the e2e host lock.
//
//   node --import tsx bench/cluster/phases.mts [--rounds N]   (default 3; ~20 s a round)
//   ... --bundled   the same starts from the bundle ./skiff runs (dist/skiff.mjs); only
//                   the outside view (announcement, Ready, first pod), no hook

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/client/rest.ts';
import { adminClientOf } from '../../src/cli/token.ts';
import { realHost, runChecks } from '../../src/cli/preflight.ts';
import { openStore } from '../../src/storage/open.ts';
import { ensurePKI } from '../../src/apiserver/auth/pki.ts';
import { buildBusyboxImage } from '../../test/support/images.ts';
import { acquireHostLock } from '../../test/support/hostlock.ts';
import { skiffLauncher } from './bundle.mts';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const bundled = process.argv.includes('--bundled');
const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src/cli/main.ts');
const hook = join(import.meta.dirname, 'trace-hook.mts');
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (process.getuid?.() !== 0) {
  console.error('bench/cluster/phases: needs root (skiff up runs a node)');
  process.exit(1);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve().then(fn).catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface TraceEvent {
  ev: string;
  at: number;
  ms?: number;
  name?: string;
  cmd?: string;
}

type Phases = Record<string, number>;

/** One `skiff up` on `dir` until its node is Ready (and, with `pod`, a first pod Running); the phases in ms. */
async function oneStart(dir: string, pod: boolean): Promise<Phases> {
  const trace = join(dir, '..', `${dir.split('/').pop()}.trace-${Date.now()}`);
  let out = '';
  const t0 = now();
  const argv = bundled ? [...launcher.argv, 'up'] : ['--import', 'tsx', '--import', hook, main, 'up'];
  const up: ChildProcess = spawn(process.execPath, [...argv, '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SKIFF_TRACE_FILE: trace } });
  up.stdout!.on('data', (d) => (out += d));
  up.stderr!.on('data', (d) => (out += d));
  try {
    const events = () => (existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent) : []);
    await until('skiff up to announce itself', () => /running in the foreground/.test(out) || up.exitCode !== null, 60_000, 5);
    if (up.exitCode !== null) throw new Error(`skiff up exited: ${out}`);
    const tLine = now();
    const { client } = adminClientOf(dir);
    let tReady = NaN;
    if (bundled) {
      // No hook: the node as the API shows it, polled.
      const nodes = client.resource<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>('v1', 'nodes');
      await until('the node Ready', async () => (await nodes.list(undefined)).items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 60_000, 10);
      tReady = now();
    }
    const ready = bundled ? { ev: 'node-ready', at: tReady, ms: 0 } : await until('the node Ready', () => events().find((e) => e.ev === 'node-ready'), 60_000, 5);
    let tPod: number | undefined;
    if (pod) {
      const pods = client.resource<Pod & KubeObject>('v1', 'pods');
      await until('the default ServiceAccount', async () => (await client.resource('v1', 'serviceaccounts').list('default')).items.length > 0, 30_000, 20);
      await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
      await until('the first pod Running', async () => (await pods.get('default', 'first')).status?.phase === 'Running', 60_000, 20);
      tPod = now();
    }
    client.close();
    if (bundled) return { '"running in the foreground" printed': tLine - t0, 'node Ready (seen by polling the API)': Math.max(tReady, tLine) - t0, ...(tPod !== undefined ? { 'first pod Running': tPod - t0 } : {}) };
    const ev = events();
    const at = (name: string) => ev.find((e) => e.name === name || e.ev === name);
    const origin = at('process')!.at;
    const hookAt = at('hook')!.at;
    const imports = at('hook-imports')!;
    const execs = ev.filter((e) => e.ev === 'exec');
    const api = at('ApiServer.start')!;
    const mon = at('ControlPlaneMonitoring.start');
    const cm = at('ControllerManager.start')!;
    const lead = at('ControllerManager.waitLeading');
    const sched = at('Scheduler.start');
    const agentServer = at('AgentServer.start')!;
    const agent = at('Agent.start')!;
    const reg = at('node-registered');
    const firstMain = Math.min(...ev.filter((e) => e.at > imports.at + imports.ms! && e.ev !== 'hook-imports').map((e) => e.at));
    const end = (e: TraceEvent | undefined) => (e ? e.at + (e.ms ?? 0) : NaN);
    const opensslBefore = (t: number) => execs.filter((e) => e.cmd?.startsWith('openssl') && e.at < t).reduce((s, e) => s + e.ms!, 0);
    const p: Phases = {
      'spawn → node process start': origin - t0,
      'node + tsx loader up (process start → first --import done)': hookAt - origin,
      'module graph imported (by the hook, most of it)': imports.ms!,
      'rest of imports, flags, preflight, store open (until first traced step)': firstMain - end(imports),
      'PKI and certificates (openssl, control plane)': opensslBefore(api.at),
      'tokens, monitoring, API server constructed, listening': api.at + api.ms! - firstMain - opensslBefore(api.at),
      'kubeconfig, node RBAC, monitoring start': (mon ? end(mon) : cm.at) - end(api),
      'controller manager start + waiting to lead (informers synced)': (lead ? end(lead) : end(cm)) - cm.at,
      'registry + scheduler start': end(sched) - (lead ? end(lead) : end(cm)),
      'node: image store open, agent certificate (openssl)': agentServer.at - end(sched),
      'node: agent server, DNS, routes, service proxy': agent.at - agentServer.at,
      'node: agent start (registration included)': agent.ms!,
      '"running in the foreground" printed': tLine - t0,
      'node registered (POST /api/v1/nodes done)': reg ? end(reg) - t0 : NaN,
      'node Ready (status with Ready=True written)': end(ready) - t0,
    };
    const before = execs.filter((x) => x.at < ready.at);
    p['child processes before Ready, how many (n)'] = before.length;
    p['child processes before Ready, summed'] = before.reduce((sum, e) => sum + e.ms!, 0);
    // Child processes by program, before the node was Ready (sync ones block the event loop).
    for (const e of before) {
      const key = `  child: ${e.cmd!.split(' ')[0]!.split('/').pop()}${e.cmd!.startsWith('openssl') ? '' : ` ${e.cmd!.split(' ')[1] ?? ''}`}${(e as { sync?: boolean }).sync ? ' (sync)' : ''}`;
      p[key] = (p[key] ?? 0) + e.ms!;
    }
    if (tPod !== undefined) p['first pod Running'] = tPod - t0;
    return p;
  } finally {
    if (up.exitCode === null) {
      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGINT');
      await Promise.race([exited, sleep(60_000)]);
      if (up.exitCode === null) up.kill('SIGKILL');
    }
    rmSync(trace, { force: true });
  }
}

/** The synchronous steps, in-process, on data dirs in the same state (fresh, then warm). */
async function syncSteps(): Promise<{ fresh: Phases; warm: Phases }> {
  const d = mkdtempSync(join(tmpdir(), 'skiff-bench-phases-sync-'));
  try {
    const time = async (f: () => unknown) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const fresh: Phases = {};
    const warm: Phases = {};
    fresh['preflight checks'] = await time(() => runChecks(realHost, { port: 0 }));
    warm['preflight checks'] = await time(() => runChecks(realHost, { port: 0 }));
    let store = await openStore({ dataDir: d });
    fresh['store open (SQLite)'] = await time(async () => {
      await store.close();
      rmSync(join(d, 'state.db'), { force: true });
      store = await openStore({ dataDir: d });
    });
    await store.close();
    warm['store open (SQLite)'] = await time(async () => (store = await openStore({ dataDir: d })));
    await store.close();
    fresh['ensurePKI (CA + serving cert)'] = await time(() => ensurePKI(join(d, 'pki')));
    warm['ensurePKI (CA + serving cert)'] = await time(() => ensurePKI(join(d, 'pki')));
    return { fresh, warm };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** Node alone, Node with the tsx loader, and the module graph `skiff up` imports, each in a new process. */
function processCosts(): Phases {
  const wall = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: root });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - t;
  };
  const imports = ['up', 'server', 'kubectl', 'doctor', 'down', 'image', 'build', 'datadir'].map((m) => `await import(${JSON.stringify(join(root, 'src/cli', `${m}.ts`))});`).join('');
  const med = (f: () => number) => [f(), f(), f()].sort((a, b) => a - b)[1]!;
  return {
    'node -e 0': med(() => wall(['-e', '0'])),
    'node --import tsx -e 0': med(() => wall(['--import', 'tsx', '-e', '0'])),
    'node --import tsx, importing what src/cli/main.ts imports': med(() => wall(['--import', 'tsx', '--input-type=module', '-e', imports])),
  };
}

const launcher = skiffLauncher(bundled);
const release = await acquireHostLock();
const base = mkdtempSync(join(tmpdir(), 'skiff-bench-phases-'));
const fresh: Phases[] = [];
const warm: Phases[] = [];
try {
  const layout = join(base, 'busybox-layout');
  await buildBusyboxImage(layout, { tag: '1.36' });
  for (let i = 0; i < ROUNDS; i++) {
    const dir = join(base, `round-${i}`);
    const imp = spawnSync(process.execPath, ['--import', 'tsx', main, 'image', 'import', layout, '--name', 'busybox:1.36'], { env: { ...process.env, SKIFF_DATA_DIR: dir }, encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);
    try {
      fresh.push(await oneStart(dir, true));
      warm.push(await oneStart(dir, false));
    } finally {
      const down = spawnSync(process.execPath, ['--import', 'tsx', main, 'down', '--data-dir', dir, '--purge'], { encoding: 'utf8', timeout: 300_000 });
      if (down.status !== 0) console.error(`skiff down --purge ${dir} failed: ${down.stderr}`);
    }
  }
  const sync = await syncSteps();
  const proc = processCosts();

  const median = (xs: number[]) => {
    const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)]! : NaN;
  };
  const names = [...new Set([...fresh, ...warm].flatMap((p) => Object.keys(p)))];
  const w = Math.max(...names.map((n) => n.length), 40);
  const f = (x: number, n = '') => (Number.isNaN(x) ? '-' : n.endsWith('(n)') ? `${x}   ` : `${x.toFixed(0)} ms`).padStart(9);
  console.log(`bench/cluster/phases: skiff up to a Ready node, ${launcher.label}, medians of ${ROUNDS} rounds (ms from spawning the process unless a duration)`);
  console.log(`  ${''.padEnd(w)}  ${'fresh'.padStart(9)}  ${'warm'.padStart(9)}`);
  for (const n of names) console.log(`  ${n.padEnd(w)}  ${f(median(fresh.map((p) => p[n] ?? NaN)), n)}  ${f(median(warm.map((p) => p[n] ?? NaN)), n)}`);
  console.log('  measured in this process (same functions, same data dir state):');
  for (const n of Object.keys(sync.fresh)) console.log(`  ${n.padEnd(w)}  ${f(sync.fresh[n]!)}  ${f(sync.warm[n]!)}`);
  console.log('  new processes (median of 3):');
  for (const [n, v] of Object.entries(proc)) console.log(`  ${n.padEnd(w)}  ${f(v)}`);
} finally {
  rmSync(base, { recursive: true, force: true });
  launcher.dispose();
  release();
}
