// bench/scheduler: Kubernetes' scheduler_perf SchedulingBasic shape. An API
// server with the SQLite store runs in this process; N hollow nodes are
// registered (Node objects only, as scheduler_perf's nodes: no heartbeats, no
// pod status); 1000 pods are placed on them up front; then 10,000 pods are
// created by 50 concurrent clients while the scheduler (its own process, as
// kube-scheduler is) places them. Printed:
//   pods/s       pods bound / time from the first create sent to the last
//                binding seen on a watch, beside the 270 pods/s anchor
//                (kube-scheduler's CI gate for SchedulingBasic at 5000 nodes)
//   latency      create sent -> binding seen by a watch, p50/p99
//   floor        the raw create rate of 10,000 pods to the same server in the
//                same run (no scheduler): what the API server can take at all
//   algorithm    the scheduling cycle alone (filter + score + assume) over the
//                same cluster shape in memory, no API: the scheduler's own ceiling
//   memory       the scheduler process's RSS and heap after the run
// for 5000 and 500 nodes.
//
//   npm run bench:scheduler               (full, a few minutes on 2 cores)
//   npm run bench:scheduler -- --quick    (500 nodes, 1000 pods: under a minute)

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ensurePKI } from '../../src/apiserver/auth/pki.ts';
import { TokenAuthenticator } from '../../src/apiserver/auth/tokens.ts';
import { writeKubeconfig } from '../../src/apiserver/auth/kubeconfig.ts';
import { ApiServer } from '../../src/apiserver/server.ts';
import { openStore } from '../../src/storage/open.ts';
import { Client } from '../../src/client/rest.ts';
import { startHollowNodes } from '../../src/agent/hollow/hollow.ts';
import { SchedulerCache } from '../../src/scheduler/cache/cache.ts';
import { defaultFramework } from '../../src/scheduler/profile.ts';
import { Algorithm } from '../../src/scheduler/schedule.ts';
import { CycleState } from '../../src/scheduler/framework/types.ts';
import { newPodInfo } from '../../src/scheduler/framework/podinfo.ts';
import { hollowNode } from '../../src/agent/hollow/objects.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
for (const a of argv) if (a !== '--quick') (console.error(`bench/scheduler: unknown argument ${a} (known: --quick)`), process.exit(2));

const ANCHOR = 270;
const CLIENTS = 50;
const SHAPES = quick ? [{ nodes: 500, initPods: 100, pods: 1000 }] : [{ nodes: 5000, initPods: 1000, pods: 10_000 }, { nodes: 500, initPods: 1000, pods: 10_000 }];
const here = fileURLToPath(new URL('.', import.meta.url));

// SchedulingBasic's pod: one container requesting 100m cpu and 500Mi memory... scheduler_perf's pod-default.
const podSpec = { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }] };
const CAPACITY = { cpu: '4', memory: '32Gi', pods: '110' };

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);

async function startServer(dataDir: string) {
  const store = await openStore({ dataDir });
  const pki = ensurePKI(join(dataDir, 'pki'));
  const tokens = TokenAuthenticator.open(join(dataDir, 'tokens.json'));
  const server = new ApiServer({ store, port: 0, host: '127.0.0.1', tls: { cert: pki.cert, key: pki.key }, authenticate: (h) => tokens.authenticate(h) });
  const { url } = await server.start();
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, { server: url, caCert: pki.caCert, token: tokens.tokenFor('admin')! });
  return { kubeconfig, stop: async () => (await server.stop(), await store.close()) };
}

async function drive(n: number, width: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await op(next++);
  }));
}

function startChild(kubeconfig: string): Promise<{ child: ChildProcess; ask: () => Promise<any> }> {
  const child = fork(join(here, 'child.mts'), [kubeconfig], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = () => new Promise<any>((resolve) => {
    child.once('message', resolve);
    child.send({ type: 'stats' });
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { type: string }) => (m.type === 'ready' ? resolve({ child, ask }) : reject(new Error(String(m)))));
    child.once('exit', (code) => reject(new Error(`scheduler child exited with ${code}`)));
  });
}

/** The scheduling cycle alone: in-memory cache of the same shape, no API. */
function algorithmRate(nodes: number, initPods: number, pods: number): number {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) cache.addNode(hollowNode(`n${i}`, i, CAPACITY, {}, undefined, undefined as never));
  const mk = (name: string, nodeName?: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name }, spec: { ...podSpec, nodeName } });
  for (let i = 0; i < initPods; i++) cache.addPod(mk(`init-${i}`, `n${i % nodes}`));
  const alg = new Algorithm(defaultFramework({ cache }), cache);
  const infos = Array.from({ length: pods }, (_, i) => newPodInfo(mk(`p-${i}`)));
  const t0 = performance.now();
  for (const p of infos) cache.assumePod(p, alg.schedule(new CycleState(), p).node);
  return pods / ((performance.now() - t0) / 1000);
}

async function runShape(shape: { nodes: number; initPods: number; pods: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-scheduler-'));
  const srv = await startServer(dir);
  const client = Client.fromKubeconfig(srv.kubeconfig, { userAgent: 'bench' });
  try {
    const t0 = performance.now();
    const hollow = await startHollowNodes(client, { count: shape.nodes, capacity: CAPACITY, leaseRenewIntervalMs: 0, runPods: false, concurrency: CLIENTS });
    const regS = (performance.now() - t0) / 1000;
    const pods = client.resource<Pod>('v1', 'pods');
    await drive(shape.initPods, CLIENTS, (i) => pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `init-${i}` }, spec: { ...podSpec, nodeName: hollow.names[i % shape.nodes] } }));
    const { child, ask } = await startChild(srv.kubeconfig);

    // A watch sees each binding; the time it arrives ends that pod's latency.
    const sent = new Map<string, number>();
    const bound = new Map<string, number>();
    let allBound: () => void = () => {};
    const done = new Promise<void>((r) => (allBound = r));
    const list = await pods.list('default', { limit: 1 });
    const w = pods.watch('default', { resourceVersion: list.metadata.resourceVersion, labelSelector: 'bench=measured' });
    const watching = (async () => {
      for await (const ev of w) {
        const p = ev.object;
        const name = p.metadata?.name;
        if (name && p.spec?.nodeName && !bound.has(name)) {
          bound.set(name, performance.now());
          if (bound.size === shape.pods) allBound();
        }
      }
    })().catch(() => {});

    const start = performance.now();
    await drive(shape.pods, CLIENTS, async (i) => {
      const name = `p-${i}`;
      sent.set(name, performance.now());
      await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'measured' } }, spec: podSpec });
    });
    const createdS = (performance.now() - start) / 1000;
    const timeout = setTimeout(allBound, 300_000);
    await done;
    clearTimeout(timeout);
    const end = Math.max(...bound.values());
    w.close();
    await watching;
    const lat = [...bound].map(([n, t]) => t - sent.get(n)!).sort((a, b) => a - b);
    const stats = await ask();

    // The floor: the same server taking 10,000 creates that no scheduler touches.
    child.send({ type: 'stop' });
    await new Promise((r) => child.once('exit', r));
    await client.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'floor' } });
    const f0t = performance.now();
    await drive(shape.pods, CLIENTS, (i) => pods.create('floor', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `f-${i}` }, spec: { ...podSpec, schedulerName: 'nobody' } }));
    const floor = shape.pods / ((performance.now() - f0t) / 1000);

    const alg = algorithmRate(shape.nodes, shape.initPods, shape.pods);
    const rate = bound.size / ((end - start) / 1000);
    console.log(`\n== ${shape.nodes} nodes, ${shape.initPods} pods placed, ${shape.pods} pods scheduled (nodes registered in ${f1(regS)} s)`);
    console.log(`  scheduled            ${bound.size}/${shape.pods} pods, ${f0(rate)} pods/s   (anchor: kube-scheduler CI gate 270 pods/s at 5000 nodes; ${rate >= ANCHOR ? 'above' : 'below'}, ${f1(rate / ANCHOR)}x)`);
    console.log(`  latency create->bound p50 ${f0(pct(lat, 50))} ms, p99 ${f0(pct(lat, 99))} ms`);
    console.log(`  creates alone        ${f0(shape.pods / createdS)} pods/s while scheduling (50 clients)`);
    console.log(`  floor                ${f0(floor)} creates/s with no scheduler (same server, same run): the API server's ceiling`);
    console.log(`  algorithm            ${f0(alg)} pods/s (filter + score + assume in memory, no API)`);
    console.log(`  target               > 1000 pods/s: ${rate > 1000 ? 'met' : `missed (bound by the API server: ${f0(floor)} creates/s is the ceiling for create + bind)`}`);
    console.log(`  scheduler process    RSS ${f0(stats.rssMB)} MB, heap ${f0(stats.heapMB)} MB after GC (target RSS < 300 MB), ${stats.stats.attempts} attempts, ${stats.stats.bindErrors} bind errors, ${stats.eventsDropped} events dropped`);
    return { rate, floor, alg };
  } finally {
    client.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const s of SHAPES) await runShape(s);
process.exit(0);
