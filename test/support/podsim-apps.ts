// Stands in for the scheduler and the kubelet in workload-controller tests
// (no node agent runs here): binds pending pods to the node their affinity
// names (how DaemonSet pods are placed) or to a default node, reports bound
// pods Running and Ready through pods/status when told to, and finishes
// graceful deletions of bound pods the way a kubelet does (delete with grace 0).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Client, isConflict, isNotFound } from '../../src/client/rest.ts';
import { Informer, keyOf } from '../../src/client/informer.ts';

export interface PodSimOptions {
  /** Where a pending pod whose affinity names no node goes (unset: it stays pending). */
  defaultNode?: string;
  /** Whether a bound pod becomes Running+Ready by itself (default true); markReady() does it by hand. */
  autoReady?: (pod: Pod) => boolean;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The node a pending pod's required affinity names by metadata.name. */
function affinityNode(pod: Pod): string | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

export class PodSim {
  readonly client: Client;
  readonly pods: Informer<Pod>;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  autoReady: (pod: Pod) => boolean;

  constructor(
    kubeconfig: string,
    private readonly opts: PodSimOptions = {},
  ) {
    this.client = Client.fromKubeconfig(kubeconfig, { userAgent: 'podsim' });
    this.autoReady = opts.autoReady ?? (() => true);
    this.pods = new Informer<Pod>(this.client.resource<Pod>('v1', 'pods'));
    this.pods.onAdd((p) => this.kick(p)).onUpdate((_, p) => this.kick(p));
  }

  async start(): Promise<this> {
    this.pods.start();
    await this.pods.waitForSync();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retries.values()) clearTimeout(t);
    await this.pods.stop();
    this.client.close();
  }

  /** Looks at every cached pod again (after autoReady changed). */
  resync(): void {
    for (const p of this.pods.list()) this.kick(p);
  }

  private kick(pod: Pod): void {
    if (this.stopped) return;
    this.handle(pod).catch(() => {
      // A conflict or a race with another writer: look again shortly at the newest copy (bounded by stop()).
      const key = keyOf(pod);
      if (this.retries.has(key)) return;
      const t = setTimeout(() => {
        this.retries.delete(key);
        const cur = this.pods.get(key);
        if (cur) this.kick(cur);
      }, 50);
      this.retries.set(key, t);
    });
  }

  private async handle(pod: Pod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    if (pod.metadata?.deletionTimestamp) {
      // A kubelet confirms a graceful deletion once the containers are gone.
      if (pod.spec?.nodeName) await this.client.resource('v1', 'pods').delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } }).catch(ignoreGone);
      return;
    }
    if (!pod.spec?.nodeName) {
      const node = affinityNode(pod) ?? this.opts.defaultNode;
      if (!node) return;
      await this.client
        .request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } } })
        .catch(ignoreGone);
      return;
    }
    if (pod.status?.phase === 'Pending' && this.autoReady(pod)) await this.setReady(pod, true);
  }

  /** Reports the pod Running with Ready=ready (and its containers started). */
  async setReady(pod: Pod, ready: boolean): Promise<Pod> {
    const ns = pod.metadata!.namespace!;
    const t = now();
    const cond = (type: string) => ({ type, status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
    const status = {
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: '10.42.0.10',
      startTime: pod.status?.startTime ?? t,
      conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t }, cond('Initialized'), cond('ContainersReady'), cond('Ready')],
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: t } } })),
    };
    return this.client.resource<Pod>('v1', 'pods').patch(ns, pod.metadata!.name!, 'merge', { status }, { subresource: 'status' });
  }

  /** Marks a pod (by namespace and name) Running and Ready. */
  async markReady(ns: string, name: string): Promise<Pod> {
    const pod = await this.client.resource<Pod>('v1', 'pods').get(ns, name);
    return this.setReady(pod, true);
  }
}

function ignoreGone(e: unknown): void {
  if (isNotFound(e) || isConflict(e)) return;
  throw e;
}

/** A Ready node with optional labels and taints. */
export function nodeObject(name: string, o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints as never } : {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: now(), lastTransitionTime: now() }] },
  };
}
