// The deployment controller (Kubernetes' DeploymentController): informers on
// Deployments, ReplicaSets and pods, a workqueue of Deployment keys, and the
// event handlers that map a ReplicaSet or pod change to the Deployment that
// cares. sync.ts reconciles one key; rolling.ts and recreate.ts are the two
// strategies; progress.ts computes status and conditions.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client, ResourceHandle } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { getControllerOf } from '../util/controllerref.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { BY_CONTROLLER, BY_NAMESPACE, indexPods } from '../replicaset/controller.ts';
import { syncDeployment } from './sync.ts';

export interface DeploymentControllerOptions {
  workers?: number;
  log?: (line: string) => void;
  /** Shared informers, started and stopped by their owner. */
  podInformer?: Informer<Pod>;
  replicaSetInformer?: Informer<ReplicaSet>;
  events?: EventSink;
  /** The clock (ms), for tests of deadlines. */
  now?: () => number;
}

export class DeploymentController {
  readonly deployments: Informer<Deployment>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  readonly queue = new WorkQueue<string>();
  readonly deployHandle: ResourceHandle<Deployment>;
  readonly rsHandle: ResourceHandle<ReplicaSet>;
  readonly events: EventSink;
  readonly now: () => number;
  private readonly owned: Informer<any>[] = [];
  private running?: Promise<void>;

  constructor(
    readonly client: Client,
    readonly opts: DeploymentControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.events = opts.events ?? clientEventSink(client, 'deployment-controller');
    const onError = (e: unknown) => this.log(`informer: ${(e as Error).message}`);
    this.deployHandle = client.resource<Deployment>('apps/v1', 'deployments');
    this.rsHandle = client.resource<ReplicaSet>('apps/v1', 'replicasets');
    this.deployments = new Informer<Deployment>(this.deployHandle, { onError });
    this.deployments.addIndex(BY_NAMESPACE, (o) => [o.metadata?.namespace ?? '']);
    this.owned.push(this.deployments);
    this.replicaSets = opts.replicaSetInformer ?? this.own(new Informer<ReplicaSet>(this.rsHandle, { onError }));
    try {
      this.replicaSets.addIndex(BY_NAMESPACE, (o) => [o.metadata?.namespace ?? '']);
      this.replicaSets.addIndex(BY_CONTROLLER, (o) => {
        const ref = getControllerOf(o);
        return ref ? [ref.uid] : [];
      });
    } catch {
      // a shared informer that already has them
    }
    this.pods = opts.podInformer ?? this.own(new Informer<Pod>(client.resource<Pod>('v1', 'pods'), { onError }));
    indexPods(this.pods);

    this.deployments.onAdd((d) => this.enqueue(d));
    this.deployments.onUpdate((_, d) => this.enqueue(d));
    this.deployments.onDelete((d) => this.enqueue(d));
    this.replicaSets.onAdd((rs) => this.replicaSetChanged(rs));
    this.replicaSets.onUpdate((old, rs) => this.replicaSetUpdated(old, rs));
    this.replicaSets.onDelete((rs) => this.replicaSetChanged(rs));
    this.pods.onDelete((p) => this.podDeleted(p));
  }

  private own<T extends Informer<any>>(i: T): T {
    this.owned.push(i);
    return i;
  }

  log(line: string): void {
    this.opts.log?.(`deployment-controller: ${line}`);
  }

  async start(): Promise<void> {
    for (const i of this.owned) i.start();
    await Promise.all([this.deployments, this.replicaSets, this.pods].map((i) => i.waitForSync()));
    this.running = runWorkers(this.queue, this.opts.workers ?? 5, (key) => syncDeployment(this, key), {
      onError: (key, e) => this.log(`${key}: ${(e as Error).message}`),
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.owned.map((i) => i.stop()));
    await this.queue.shutDown();
    await this.running;
  }

  enqueue(d: Deployment): void {
    this.queue.add(keyOf(d));
  }

  /** The Deployment a controller reference names, when the uid matches. */
  resolve(ns: string | undefined, ref: { kind?: string; name?: string; uid?: string } | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(`${ns}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  /** Deployments in the namespace whose selector matches these labels (for orphaned ReplicaSets). */
  matching(ns: string | undefined, labels: Record<string, string> | undefined): Deployment[] {
    if (!labels) return [];
    return this.deployments.byIndex(BY_NAMESPACE, ns ?? '').filter((d) => {
      try {
        const sel = selectorFromLabelSelector(d.spec?.selector);
        return !sel.isEmpty() && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private replicaSetChanged(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata?.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.matching(rs.metadata?.namespace, rs.metadata?.labels)) this.enqueue(d);
  }

  private replicaSetUpdated(old: ReplicaSet, rs: ReplicaSet): void {
    if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const ref = getControllerOf(rs);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const d = this.resolve(old.metadata?.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (ref || JSON.stringify(old.metadata?.labels) !== JSON.stringify(rs.metadata?.labels) || oldRef) this.replicaSetChanged(rs);
  }

  /** Recreate waits for old pods to be gone: their deletion is its cue. */
  private podDeleted(pod: Pod): void {
    const rsRef = getControllerOf(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata?.namespace}/${rsRef.name}`);
    if (!rs || rs.metadata?.uid !== rsRef.uid) return;
    const d = this.resolve(rs.metadata?.namespace, getControllerOf(rs));
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }
}
