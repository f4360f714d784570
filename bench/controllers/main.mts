// bench/controllers: how fast the workload controllers turn a Deployment of
// 1000 replicas into 1000 available pods, and roll it to a new image, beside
// the floor measured in the same run: the time the API server needs just to
// create 1000 pods (100 creates in flight, the controllers' own concurrency).
//
// Pods are scheduled and run by 100 hollow nodes (src/agent/hollow) with the
// real scheduler (src/scheduler); with --fake, or when those are missing, a
// bench-local fake kubelet binds pods round-robin to 100 nodes and marks them
// Running and Ready through pods/status instead. Everything runs in this
// process against an in-process API server on SQLite.
//
//   npm run bench:controllers                 (1000 replicas)
//   npm run bench:controllers -- --replicas=200 --fake

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startControlPlane } from '../../src/cli/controlplane.ts';
import { Client, isNotFound } from '../../src/client/rest.ts';
import { Informer } from '../../src/client/informer.ts';
import { WorkQueue } from '../../src/client/workqueue.ts';
import { runWorkers } from '../../src/client/controller.ts';
import { ReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { DeploymentController } from '../../src/controllers/deployment/controller.ts';

const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
for (const a of argv) if (!/^--(replicas=\d+|nodes=\d+|fake)$/.test(a)) (console.error(`bench/controllers: unknown argument ${a} (known: --replicas=N, --nodes=N, --fake)`), process.exit(2));
const REPLICAS = Number(arg('replicas') ?? 1000);
const NODES = Number(arg('nodes') ?? 100);
const IN_FLIGHT = 100;

const log = (s: string) => console.log(s);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function pollUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Scheduler + kubelet in one, cheaply: bind round-robin, report Running/Ready, finish deletions. */
async function startFakeKubelet(client: Client, nodes: string[]): Promise<{ stop(): Promise<void> }> {
  const pods = client.resource<Pod>('v1', 'pods');
  const informer = new Informer<Pod>(pods, { namespace: 'bench' });
  const queue = new WorkQueue<string>();
  let next = 0;
  const enqueue = (p: Pod) => queue.add(`${p.metadata!.namespace}/${p.metadata!.name}`);
  informer.onAdd(enqueue).onUpdate((_, p) => enqueue(p));
  informer.start();
  await informer.waitForSync();
  const running = runWorkers(queue, 32, async (key) => {
    const pod = informer.get(key);
    if (!pod) return;
    const [ns, name] = key.split('/') as [string, string];
    try {
      if (pod.metadata?.deletionTimestamp) return void (await pods.delete(ns, name, { gracePeriodSeconds: 0 }));
      if (pod.status?.phase === 'Running') return;
      if (!pod.spec?.nodeName) {
        const node = nodes[next++ % nodes.length]!;
        await client.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } } });
        return; // the binding's update event brings the pod back here
      }
      const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await pods.updateStatus(ns, {
        ...pod,
        status: {
          ...pod.status,
          phase: 'Running',
          podIP: '10.42.0.1',
          startTime: t,
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: t })),
          containerStatuses: (pod.spec.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } } })),
        },
      });
    } catch (e) {
      if (!isNotFound(e) && (e as { code?: number }).code !== 409) throw e;
    }
  });
  return {
    stop: async () => {
      await informer.stop();
      await queue.shutDown();
      await running;
    },
  };
}

/** 100 hollow nodes and the real scheduler, when this checkout has them. */
async function startHollow(client: Client): Promise<{ stop(): Promise<void> } | undefined> {
  try {
    const { startHollowNodes } = await import('../../src/agent/hollow/hollow.ts');
    const { Scheduler } = await import('../../src/scheduler/scheduler.ts');
    const nodes = await startHollowNodes(client, { count: NODES, leaseRenewIntervalMs: 0 });
    const scheduler = new Scheduler(client);
    await scheduler.start();
    return {
      stop: async () => {
        await scheduler.stop();
        await nodes.stop();
      },
    };
  } catch (e) {
    log(`(hollow nodes or scheduler unavailable: ${(e as Error).message}; using the bench-local fake kubelet)`);
    return undefined;
  }
}

const podTemplate = (image: string) => ({ metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '1m', memory: '1Mi' } } }] } });

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-controllers-'));
  const cp = await startControlPlane({ dataDir, port: 0 });
  const client = Client.fromKubeconfig(cp.kubeconfig, { userAgent: 'bench-controllers' });
  const stops: (() => Promise<void>)[] = [];
  try {
    for (const ns of ['bench', 'floor']) await client.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    log(`bench/controllers: ${REPLICAS} replicas, ${NODES} nodes, SQLite, in-process API server`);

    // Floor: the same number of pod creates, nothing else running. A scheduler name no one serves keeps them out of the way later.
    const pods = client.resource<Pod>('v1', 'pods');
    const floorStart = performance.now();
    let made = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (made < REPLICAS) {
          const i = made++;
          await pods.create('floor', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `floor-${i}`, labels: { app: 'floor' } }, spec: { schedulerName: 'none', ...podTemplate('app:1').spec } });
        }
      }),
    );
    const floor = performance.now() - floorStart;
    log(`floor     create ${REPLICAS} pods:                 ${secs(floor)}  (${Math.round((REPLICAS / floor) * 1000)} pods/s)`);

    let runner = argv.includes('--fake') ? undefined : await startHollow(client);
    let how = 'hollow nodes + scheduler';
    if (!runner) {
      const nodeNames = Array.from({ length: NODES }, (_, i) => `bench-node-${i}`);
      for (const name of nodeNames) await client.resource<Node>('v1', 'nodes').create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      runner = await startFakeKubelet(client, nodeNames);
      how = 'bench fake kubelet';
    }
    stops.push(() => runner!.stop());
    const rsc = new ReplicaSetController(client);
    const dc = new DeploymentController(client);
    await Promise.all([rsc.start(), dc.start()]);
    stops.push(() => rsc.stop(), () => dc.stop());
    log(`pods run by: ${how}`);

    const deployments = client.resource<Deployment>('apps/v1', 'deployments');
    const complete = async (generation: number) => {
      const s = (await deployments.get('bench', 'bench')).status ?? {};
      return (s.observedGeneration ?? 0) >= generation && s.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS;
    };

    const t0 = performance.now();
    const created = await deployments.create('bench', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench' }, spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'bench' } }, template: podTemplate('app:1') } });
    await pollUntil('the deployment to be available', () => complete(created.metadata!.generation!));
    const up = performance.now() - t0;
    log(`scale-up  Deployment ${REPLICAS} -> all available: ${secs(up)}  (${(up / floor).toFixed(2)}x floor)`);

    const t1 = performance.now();
    const updated = await deployments.patch('bench', 'bench', 'strategic', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } });
    await pollUntil('the rolling update to finish', () => complete(updated.metadata!.generation!));
    const roll = performance.now() - t1;
    log(`rollout   rolling update of ${REPLICAS} (25%/25%):   ${secs(roll)}  (${(roll / floor).toFixed(2)}x floor; it creates ${REPLICAS} and deletes ${REPLICAS} pods)`);
    log(`target: scale-up under 2x floor -> ${up < 2 * floor ? 'met' : 'NOT met'}`);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    client.close();
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
