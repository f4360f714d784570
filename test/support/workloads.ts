// What the workload-controller tests run in place of a scheduler and a
// kubelet, and the controllers they start. FakeKubelet binds each pending
// pod (to the node its required affinity names, as DaemonSet pods ask, else
// round robin), reports it Running (Ready, or not, as the test says) through
// pods/status, and finishes graceful deletions of bound pods the way a
// kubelet does once the containers have stopped (delete with grace 0).
// kubeletStatus is the status such a kubelet writes; batch.ts writes it for
// tests that play the kubelet by hand.

import type { Node, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { timestamp } from '../../src/api/meta.ts';
import { runWorkers } from '../../src/client/controller.ts';
import { Informer, keyOf } from '../../src/client/informer.ts';
import { Client, isConflict, isNotFound } from '../../src/client/rest.ts';
import { WorkQueue } from '../../src/client/workqueue.ts';
import { DaemonSetController } from '../../src/controllers/daemonset/controller.ts';
import { DeploymentController } from '../../src/controllers/deployment/controller.ts';
import { LocalPathProvisioner } from '../../src/controllers/localpath/controller.ts';
import { ReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { StatefulSetController } from '../../src/controllers/statefulset/controller.ts';
import type { TestCluster } from './cluster.ts';

export interface SimulatedState {
  phase: 'Running' | 'Succeeded' | 'Failed';
  /** A Running pod's readiness (default true). */
  ready?: boolean;
  /** A finished pod's exit code (default 0 for Succeeded, 1 for Failed). */
  exitCode?: number;
  restartCount?: number;
}

/** The status a kubelet reports for the pod in this state: phase, conditions and container statuses. */
export function kubeletStatus(pod: Pod, s: SimulatedState): PodStatus {
  const t = timestamp(new Date());
  const running = s.phase === 'Running';
  const ready = running && s.ready !== false;
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: t });
  return {
    phase: s.phase,
    hostIP: '127.0.0.1',
    podIP: '10.42.0.10',
    startTime: pod.status?.startTime ?? t,
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready,
      restartCount: s.restartCount ?? 0,
      started: running,
      state: running ? { running: { startedAt: t } } : { terminated: { exitCode: s.exitCode ?? (s.phase === 'Succeeded' ? 0 : 1), reason: s.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: t, finishedAt: t } },
    })),
  };
}

/** Binds the pod to a node, as the scheduler does (pods/binding). */
export async function bindPod(client: Client, pod: Pod, node: string): Promise<void> {
  const ns = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  await client.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } } });
}

/** Writes the pod's status as the kubelet would (merge patch of pods/status). */
export function reportStatus(client: Client, pod: Pod, s: SimulatedState): Promise<Pod> {
  return client.resource<Pod>('v1', 'pods').patch(pod.metadata!.namespace, pod.metadata!.name!, 'merge', { status: kubeletStatus(pod, s) }, { subresource: 'status' });
}

/** Binds the pod unless bound, then marks it Running and Ready (or not): a scheduler plus kubelet in one call. */
export async function makePodReady(client: Client, pod: Pod, node = 'node-1', ready = true): Promise<void> {
  if (!pod.spec?.nodeName) await bindPod(client, pod, node);
  const fresh = await client.resource<Pod>('v1', 'pods').get(pod.metadata!.namespace, pod.metadata!.name!);
  await reportStatus(client, fresh, { phase: 'Running', ready });
}

export async function listPods(client: Client, ns: string, labelSelector?: string): Promise<Pod[]> {
  return (await client.resource<Pod>('v1', 'pods').list(ns, { labelSelector })).items;
}

/** Active pods: not terminal, not terminating. */
export const active = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

/** The node a pod's required node affinity names by metadata.name (how DaemonSet pods are placed). */
function affinityNode(pod: Pod): string | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

export interface FakeKubeletOptions {
  /** Whether to handle this pod at all (default: all); others stay Pending and unbound. */
  accept?: (pod: Pod) => boolean;
  /** Nodes for pods whose affinity names none, round robin (default node-0, node-1, node-2). */
  nodes?: string[];
  /** Whether a bound pod starts by itself (default: all); others stay Pending until setReady/markReady. */
  autoStart?: (pod: Pod) => boolean;
  /** Whether a pod that starts by itself is Ready (default: all); others run unready. */
  ready?: (pod: Pod) => boolean;
  workers?: number;
}

export class FakeKubelet {
  /** Every pod, as this kubelet last saw it. */
  readonly pods: Informer<Pod>;
  /** Changeable while running; resync() applies a change to pods already bound. */
  autoStart: (pod: Pod) => boolean;
  private readonly queue = new WorkQueue<string>();
  private readonly nodes: string[];
  private next = 0;
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: FakeKubeletOptions = {},
  ) {
    this.nodes = opts.nodes ?? ['node-0', 'node-1', 'node-2'];
    this.autoStart = opts.autoStart ?? (() => true);
    this.pods = new Informer<Pod>(client.resource<Pod>('v1', 'pods'));
    const enqueue = (p: Pod) => this.queue.add(keyOf(p));
    this.pods.onAdd(enqueue).onUpdate((_, p) => enqueue(p));
  }

  async start(): Promise<this> {
    this.pods.start();
    await this.pods.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 8, (k) => this.sync(k));
    return this;
  }

  async stop(): Promise<void> {
    await this.pods.stop();
    await this.queue.shutDown();
    await this.running;
  }

  /** Looks at every pod again (after autoStart changed). */
  resync(): void {
    for (const p of this.pods.list()) this.queue.add(keyOf(p));
  }

  /** Reports the pod Running with Ready=ready. */
  setReady(pod: Pod, ready: boolean): Promise<Pod> {
    return reportStatus(this.client, pod, { phase: 'Running', ready });
  }

  /** Marks a pod (by namespace and name) Running and Ready. */
  async markReady(ns: string, name: string): Promise<Pod> {
    return this.setReady(await this.client.resource<Pod>('v1', 'pods').get(ns, name), true);
  }

  private async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || (this.opts.accept && !this.opts.accept(pod))) return;
    try {
      if (pod.metadata?.deletionTimestamp) {
        // The API server deletes an unbound pod at once; a bound one waits for its kubelet.
        if (pod.spec?.nodeName) await this.client.resource('v1', 'pods').delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      if (!pod.spec?.nodeName) {
        // The binding comes back as an update, which starts the pod.
        await bindPod(this.client, pod, affinityNode(pod) ?? this.nodes[this.next++ % this.nodes.length]!);
        return;
      }
      if ((pod.status?.phase ?? 'Pending') === 'Pending' && this.autoStart(pod)) await this.setReady(pod, this.opts.ready ? this.opts.ready(pod) : true);
    } catch (e) {
      // Gone, or changed under us (the newer copy is queued already).
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}

/** A Ready node with optional labels and taints. */
export function nodeObject(name: string, o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {}): Node {
  const t = timestamp(new Date());
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints as never } : {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: t, lastTransitionTime: t }] },
  };
}

interface Runnable {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface Started {
  stop(): Promise<void>;
}

/** Starts the parts together; stop() stops them all, then runs `after` (closing their client). */
async function startAll(parts: Runnable[], after?: () => void): Promise<Started> {
  await Promise.all(parts.map((p) => p.start()));
  return {
    stop: async () => {
      await Promise.all(parts.map((p) => p.stop()));
      after?.();
    },
  };
}

/** The ReplicaSet and Deployment controllers, and a FakeKubelet unless told `false`, on the test's client. */
export async function startWorkloadControllers(client: Client, kubelet: FakeKubeletOptions | false = {}): Promise<Started> {
  const parts: Runnable[] = [new ReplicaSetController(client), new DeploymentController(client)];
  if (kubelet !== false) parts.push(new FakeKubelet(client, kubelet));
  return startAll(parts);
}

/** The DaemonSet, StatefulSet and local-path controllers on their own client (as the control plane runs them). */
export async function startAppsControllers(cluster: TestCluster, log?: (line: string) => void): Promise<Started> {
  const client = Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'apps-controllers-test' });
  const parts = [new DaemonSetController(client, { log }), new StatefulSetController(client, { log }), new LocalPathProvisioner(client, { dataDir: cluster.dataDir, log })];
  return startAll(parts, () => client.close());
}
