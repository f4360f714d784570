// The deployment controller (Kubernetes' DeploymentController): informers on
// Deployments, ReplicaSets and pods, a workqueue of Deployment keys, and the
// event handlers that map a ReplicaSet or pod change to the Deployment that
// cares. sync.ts reconciles one key; rolling.ts and recreate.ts are the two
// strategies; progress.ts computes status and conditions.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Client, ResourceHandle } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { addIndexes, BY_CONTROLLER_UID, BY_NAMESPACE } from '../util/indexes.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { runController, type RunningController } from '../util/run.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { syncDeployment } from './sync.ts';

export interface DeploymentControllerOptions {
  workers?: number;
  log?: (line: string) => void;
  /** Shared informers, started and stopped by their owner. */
  podInformer?: Informer<Pod>;
  replicaSetInformer?: Informer<ReplicaSet>;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
  events?: EventSink;
  /** The clock (ms), for tests of deadlines. */
  now?: () => number;
}

export class DeploymentController {
  readonly deployments: Informer<Deployment>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  readonly queue = new WorkQueue<string>({ name: 'deployment' });
  readonly deployHandle: ResourceHandle<Deployment>;
  readonly rsHandle: ResourceHandle<ReplicaSet>;
  readonly events: EventSink;
  readonly now: () => number;
  private readonly informers: ControllerInformers;
  private loop?: RunningController;

  constructor(
    readonly client: Client,
    readonly opts: DeploymentControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.events = opts.events ?? clientEventSink(client, 'deployment-controller');
    const onError = (e: unknown) => this.log(`informer: ${(e as Error).message}`);
    this.deployHandle = client.resource<Deployment>('apps/v1', 'deployments');
    this.rsHandle = client.resource<ReplicaSet>('apps/v1', 'replicasets');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.deployments = this.informers.get<Deployment>('apps/v1', 'deployments', { source: this.deployHandle });
    addIndexes(this.deployments, BY_NAMESPACE);
    this.replicaSets = opts.replicaSetInformer ? this.shared(opts.replicaSetInformer) : this.informers.get<ReplicaSet>('apps/v1', 'replicasets', { source: this.rsHandle });
    addIndexes(this.replicaSets, BY_NAMESPACE, BY_CONTROLLER_UID);
    this.pods = opts.podInformer ? this.shared(opts.podInformer) : this.informers.get<Pod>('v1', 'pods');
    addIndexes(this.pods, BY_NAMESPACE, BY_CONTROLLER_UID);

    this.deployments.onAdd((d) => this.enqueue(d));
    this.deployments.onUpdate((_, d) => this.enqueue(d));
    this.deployments.onDelete((d) => this.enqueue(d));
    this.replicaSets.onAdd((rs) => this.replicaSetChanged(rs));
    this.replicaSets.onUpdate((old, rs) => this.replicaSetUpdated(old, rs));
    this.replicaSets.onDelete((rs) => this.replicaSetChanged(rs));
    this.pods.onDelete((p) => this.podDeleted(p));
  }

  /** An informer handed in by its owner: waited for, never started or stopped here. */
  private shared<T extends Informer<any>>(i: T): T {
    this.informers.shared.push(i);
    return i;
  }

  log(line: string): void {
    this.opts.log?.(`deployment-controller: ${line}`);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'deployment-controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: this.opts.workers ?? 5,
      sync: (key) => syncDeployment(this, key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  enqueue(d: Deployment): void {
    this.queue.add(keyOf(d));
  }

  /** The Deployment a controller reference names, when the uid matches. */
  resolve(ns: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    return resolveControllerRef(this.deployments, ns, ref, 'Deployment');
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
    const rs = resolveControllerRef(this.replicaSets, pod.metadata?.namespace, getControllerOf(pod), 'ReplicaSet');
    if (!rs) return;
    const d = this.resolve(rs.metadata?.namespace, getControllerOf(rs));
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }
}
