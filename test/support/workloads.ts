// Helpers for workload controller tests: a stand-in for the kubelet (pods
// marked Running and Ready through pods/status, or bound to a node) and
// small readers over the client.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../src/client/rest.ts';
import { Informer } from '../../src/client/informer.ts';
import { WorkQueue } from '../../src/client/workqueue.ts';
import { runWorkers } from '../../src/client/controller.ts';
import { isNotFound } from '../../src/client/rest.ts';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** What a kubelet writes once a pod's containers run and pass readiness. */
export function runningReadyStatus(pod: Pod, ready = true): Pod['status'] {
  const t = now();
  return {
    ...pod.status,
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: t },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t },
    ],
    startTime: t,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: t } } })),
  };
}

/** Binds (spec.nodeName via pods/binding) and marks the pod Running and Ready, like a scheduler plus kubelet. */
export async function makePodReady(client: Client, pod: Pod, node = 'node-1', ready = true): Promise<void> {
  const pods = client.resource<Pod>('v1', 'pods');
  const ns = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  if (!pod.spec?.nodeName) {
    await client.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } } });
  }
  const fresh = await pods.get(ns, name);
  await pods.updateStatus(ns, { ...fresh, status: runningReadyStatus(fresh, ready) });
}

export async function listPods(client: Client, ns: string, labelSelector?: string): Promise<Pod[]> {
  return (await client.resource<Pod>('v1', 'pods').list(ns, { labelSelector })).items;
}

/** Active pods: not terminal, not terminating. */
export const active = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

export interface FakeKubeletOptions {
  /** Whether this pod should come up Ready (default: all). Pods it refuses stay Running, not ready. */
  ready?: (pod: Pod) => boolean;
  /** Whether to handle this pod at all (default: all); unhandled pods stay Pending and unbound. */
  accept?: (pod: Pod) => boolean;
  nodes?: number;
  workers?: number;
}

/**
 * A scheduler and kubelet in one, for tests: binds each new pod to a node
 * (round robin), marks it Running (and Ready unless told otherwise), and
 * finishes the termination of deleted pods (what a kubelet does once the
 * containers have stopped), all through the API.
 */
export class FakeKubelet {
  private readonly informer: Informer<Pod>;
  private readonly queue = new WorkQueue<string>();
  private running?: Promise<void>;
  private next = 0;
  handled = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: FakeKubeletOptions = {},
  ) {
    this.informer = new Informer<Pod>(client.resource<Pod>('v1', 'pods'));
    const enqueue = (p: Pod) => this.queue.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
    this.informer.onAdd(enqueue).onUpdate((_, p) => enqueue(p));
  }

  async start(): Promise<this> {
    this.informer.start();
    await this.informer.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 8, (k) => this.sync(k));
    return this;
  }

  async stop(): Promise<void> {
    await this.informer.stop();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const pod = this.informer.get(key);
    if (!pod) return;
    if (this.opts.accept && !this.opts.accept(pod)) return;
    const pods = this.client.resource<Pod>('v1', 'pods');
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    try {
      if (pod.metadata?.deletionTimestamp) {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      if (pod.status?.phase === 'Running') return;
      const node = `node-${this.next++ % (this.opts.nodes ?? 3)}`;
      await makePodReady(this.client, pod, node, this.opts.ready ? this.opts.ready(pod) : true);
      this.handled++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** The workload controllers this suite needs, started against a cluster, and one stop() for all. */
export async function startWorkloadControllers(client: Client, kubelet: FakeKubeletOptions | false = {}) {
  const { ReplicaSetController } = await import('../../src/controllers/replicaset/controller.ts');
  const { DeploymentController } = await import('../../src/controllers/deployment/controller.ts');
  const rs = new ReplicaSetController(client);
  const dc = new DeploymentController(client);
  const kl = kubelet === false ? undefined : new FakeKubelet(client, kubelet);
  await Promise.all([rs.start(), dc.start(), kl?.start()]);
  return {
    rs,
    dc,
    kubelet: kl,
    stop: async () => {
      await Promise.all([rs.stop(), dc.stop(), kl?.stop()]);
    },
  };
}
