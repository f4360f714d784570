// bench/cluster: what a user waits for and what the cluster costs. From the
// `skiff up` command (a child process, fresh data dir, busybox imported
// beforehand) to its "running" announcement, to a Ready node, and to the
// first pod Running; the RSS of the whole single-node cluster (the skiff
// process plus its conmon monitors and containers) idle after 60 s, and with
// 100 `sleep` pods. Each figure beside its anchor: a bare `etcd` started in
// the same run (time to healthy, and its RSS), and published figures named
// with their source (PUBLISHED below). Waits for the e2e host lock.
//
//   npm run bench:cluster                  (~3 min)
//   npm run bench:cluster -- --quick       (10 s idle, 20 pods)
//   npm run bench:cluster -- --tsx         skiff under tsx instead of bundled as ./skiff runs it (bundle.mts)
//   node --import tsx bench/cluster/phases.mts   where the start's time goes, phase by phase

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../src/client/rest.ts';
import { adminClientOf } from '../../src/cli/token.ts';
import { launchEtcd, findEtcd } from '../../src/storage/etcd/launch.ts';
import { runcSkipReason } from '../../src/engine/testsuite/runc-harness.ts';
import { buildBusyboxImage } from '../../test/support/images.ts';
import { acquireHostLock } from '../../test/support/hostlock.ts';
import { skiffLauncher } from './bundle.mts';

/** Published figures the run is set beside (not measured here). */
const PUBLISHED = {
  // Issue #9's anchors for a local cluster from nothing to usable (single node, images cached).
  k3dStartS: { value: 20, source: 'issue #9 (k3d cluster create, published)' },
  kindStartS: { value: 33, source: 'issue #9 (kind create cluster, published)' },
  // docs.k3s.io/reference/resource-profiling, K3s v1.26.5, Kine/SQLite, Intel 8375C: minimum RAM.
  k3sServerWithWorkloadMB: { value: 1596, source: 'docs.k3s.io resource profiling: K3s server with a workload' },
  k3sClusterOneAgentMB: { value: 1428, source: 'docs.k3s.io resource profiling: K3s cluster with a single agent' },
};
const TARGETS = { readyS: 1.5, firstPodS: 2, idleMB: 150 };

const quick = process.argv.includes('--quick');
const IDLE_MS = quick ? 10_000 : 60_000;
const PODS = quick ? 20 : 100;
const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src/cli/main.ts');

const why = process.getuid?.() !== 0 ? 'needs root' : runcSkipReason();
if (why) {
  console.error(`bench/cluster: ${why}`);
  process.exit(1);
}
const launcher = skiffLauncher(!process.argv.includes('--tsx'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The skiff process, and every conmon of this data dir with the containers under it. */
function clusterRSS(upPid: number, dataDir: string): { skiff: number; total: number; processes: number } {
  const parent = new Map<number, number>();
  const conmons: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('/usr/bin/conmon') && cmd.includes(dataDir)) conmons.push(pid);
    } catch {
      // gone
    }
  }
  const roots = new Set([upPid, ...conmons]);
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) if (roots.has(p)) return true;
    return false;
  };
  let total = 0;
  let processes = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    total += rssKiB(pid);
    processes++;
  }
  return { skiff: rssKiB(upPid) / 1024, total: total / 1024, processes };
}

const release = await acquireHostLock();
const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-cluster-'));
let up: ChildProcess | undefined;
let out = '';
const rows: [string, string, string][] = [];
try {
  // A bare etcd, for scale: start to healthy (polled every 50 ms), and its RSS once idle (empty).
  let etcdMs: number | undefined;
  let etcdMB: number | undefined;
  if (findEtcd()) {
    const t = performance.now();
    const etcd = await launchEtcd();
    etcdMs = performance.now() - t;
    await sleep(2000);
    etcdMB = rssKiB(etcd.process.pid!) / 1024;
    await etcd.stop();
  }

  const layout = join(dir, 'busybox-layout');
  await buildBusyboxImage(layout, { tag: '1.36' });
  const imp = spawnSync(process.execPath, ['--import', 'tsx', main, 'image', 'import', layout, '--name', 'busybox:1.36'], { env: { ...process.env, SKIFF_DATA_DIR: dir }, encoding: 'utf8' });
  if (imp.status !== 0) throw new Error(`image import: ${imp.stderr}`);

  const t0 = performance.now();
  up = spawn(process.execPath, [...launcher.argv, 'up', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  up.stdout!.on('data', (d) => (out += d));
  up.stderr!.on('data', (d) => (out += d));
  await until('skiff up to announce itself', async () => /running in the foreground/.test(out) || up!.exitCode !== null, 60_000, 5);
  if (up.exitCode !== null) throw new Error(`skiff up exited: ${out}`);
  const announcedMs = performance.now() - t0;
  const { client } = adminClientOf(dir);
  const nodes = client.resource<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>('v1', 'nodes');
  await until('a Ready node', async () => (await nodes.list(undefined)).items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 60_000, 20);
  const readyMs = performance.now() - t0;
  const podsApi = client.resource<Pod & KubeObject>('v1', 'pods');
  // The default ServiceAccount must exist before a pod is admitted.
  await until('the default ServiceAccount', async () => (await client.resource('v1', 'serviceaccounts').list('default')).items.length > 0, 30_000, 20);
  await podsApi.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
  await until('the first pod Running', async () => (await podsApi.get('default', 'first')).status?.phase === 'Running', 60_000, 20);
  const podMs = performance.now() - t0;

  await sleep(IDLE_MS);
  const idle = clusterRSS(up.pid!, dir);

  const deployments = client.resource<Deployment & KubeObject>('apps/v1', 'deployments');
  await deployments.create('default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sleepers' },
    spec: { replicas: PODS, selector: { matchLabels: { app: 'sleepers' } }, template: { metadata: { labels: { app: 'sleepers' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '36000'] }] } } },
  });
  const tPods = performance.now();
  await until(`${PODS} pods Running`, async () => (await podsApi.list('default', { labelSelector: 'app=sleepers' })).items.filter((p) => p.status?.phase === 'Running').length === PODS, 300_000, 500);
  const podsMs = performance.now() - tPods;
  await sleep(5_000);
  const loaded = clusterRSS(up.pid!, dir);
  client.close();

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  const verdict = (v: number, target: number, unit: string) => `target < ${target} ${unit}: ${v < target ? 'met' : 'missed'}`;
  rows.push(
    ['skiff up → "running" announced', s(announcedMs), ''],
    ['skiff up → node Ready', s(readyMs), `${verdict(readyMs / 1000, TARGETS.readyS, 's')}; k3d ~${PUBLISHED.k3dStartS.value} s, kind ~${PUBLISHED.kindStartS.value} s to usable [${PUBLISHED.k3dStartS.source}; ${PUBLISHED.kindStartS.source}]`],
    ['skiff up → first pod Running', s(podMs), verdict(podMs / 1000, TARGETS.firstPodS, 's')],
    ['bare etcd start to healthy (same run)', etcdMs === undefined ? 'no etcd' : s(etcdMs), 'measured here: the storage layer alone, no API server, no node'],
    [`idle RSS after ${IDLE_MS / 1000} s, whole cluster (${idle.processes} processes)`, mb(idle.total), `${verdict(idle.total, TARGETS.idleMB, 'MB')}; bare etcd idle (same run): ${etcdMB === undefined ? 'no etcd' : mb(etcdMB)}`],
    ['  of which the skiff process', mb(idle.skiff), ''],
    [`${PODS} sleep pods Running (from the Deployment's create)`, s(podsMs), ''],
    [`RSS with ${PODS} pods, whole cluster (${loaded.processes} processes)`, mb(loaded.total), `k3s ${PUBLISHED.k3sServerWithWorkloadMB.value} MB [${PUBLISHED.k3sServerWithWorkloadMB.source}], ${PUBLISHED.k3sClusterOneAgentMB.value} MB [${PUBLISHED.k3sClusterOneAgentMB.source}]`],
    ['  of which the skiff process', mb(loaded.skiff), ''],
  );
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`bench/cluster${quick ? ' (--quick)' : ''}: ${launcher.label}, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [what, v, anchor] of rows) console.log(`  ${what.padEnd(w)}  ${v.padStart(9)}  ${anchor}`);
} catch (e) {
  console.error(`bench/cluster failed: ${(e as Error).stack ?? e}`);
  if (out) console.error(`skiff up said:\n${out}`);
  process.exitCode = 1;
} finally {
  if (up && up.exitCode === null) {
    const exited = new Promise((r) => up!.once('exit', r));
    up.kill('SIGINT');
    await Promise.race([exited, sleep(60_000)]);
    if (up.exitCode === null) up.kill('SIGKILL');
  }
  const down = spawnSync(process.execPath, ['--import', 'tsx', main, 'down', '--data-dir', dir, '--purge'], { encoding: 'utf8', timeout: 300_000 });
  if (down.status !== 0) console.error(`skiff down --purge failed (clean up with it by hand): ${down.stderr}`);
  else rmSync(dir, { recursive: true, force: true });
  launcher.dispose();
  release();
}
