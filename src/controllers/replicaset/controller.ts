// The replica set controller (Kubernetes' ReplicaSetController, which also
// runs as the "replication manager" over ReplicationControllers): informers
// on the owners and on pods, a workqueue of owner keys, and event handlers
// that turn pod changes into keys of the owners that care, lowering
// expectations as the controller's own writes come back. sync.ts does the
// reconciling.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client, ResourceHandle } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { addIndexes, BY_CONTROLLER_UID, BY_NAMESPACE } from '../util/indexes.ts';
import { isPodReady } from '../util/pods.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { PodControl } from '../util/podcontrol.ts';
import { runController, type RunningController } from '../util/run.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { REPLICA_SET, REPLICATION_CONTROLLER, type Replicated, type ReplicatedKind } from './kinds.ts';
import { syncReplicaSet } from './sync.ts';

export interface ReplicaSetControllerOptions {
  /** ReplicaSet (default) or ReplicationController. */
  kind?: ReplicatedKind;
  workers?: number;
  log?: (line: string) => void;
  /** A pod informer shared with other controllers; started and stopped by its owner. */
  podInformer?: Informer<Pod>;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
  events?: EventSink;
  /** Most pods created or deleted in one sync (Kubernetes' burstReplicas). */
  burstReplicas?: number;
}

export class ReplicaSetController {
  readonly kind: ReplicatedKind;
  readonly owners: Informer<Replicated>;
  readonly pods: Informer<Pod>;
  readonly queue = new WorkQueue<string>({ name: 'replicaset' });
  readonly expectations = new ControllerExpectations();
  readonly ownerHandle: ResourceHandle<Replicated>;
  readonly podHandle: ResourceHandle<Pod>;
  readonly events: EventSink;
  readonly podControl: PodControl;
  readonly burstReplicas: number;
  private readonly informers: ControllerInformers;
  private loop?: RunningController;

  constructor(
    readonly client: Client,
    readonly opts: ReplicaSetControllerOptions = {},
  ) {
    this.kind = opts.kind ?? REPLICA_SET;
    this.burstReplicas = opts.burstReplicas ?? 500;
    this.events = opts.events ?? clientEventSink(client, this.kind.component);
    const onError = (e: unknown) => this.log(`informer: ${(e as Error).message}`);
    this.ownerHandle = client.resource<Replicated>(this.kind.apiVersion, this.kind.resource);
    this.podHandle = client.resource<Pod>('v1', 'pods');
    this.podControl = new PodControl(this.podHandle, this.events);
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.owners = this.informers.get<Replicated>(this.kind.apiVersion, this.kind.resource, { source: this.ownerHandle });
    addIndexes(this.owners, BY_NAMESPACE);
    if (opts.podInformer) this.informers.shared.push(opts.podInformer);
    this.pods = opts.podInformer ?? this.informers.get<Pod>('v1', 'pods', { source: this.podHandle });
    addIndexes(this.pods, BY_NAMESPACE, BY_CONTROLLER_UID);

    this.owners.onAdd((o) => this.enqueue(o));
    this.owners.onUpdate((_, cur) => this.enqueue(cur));
    this.owners.onDelete((o) => {
      this.expectations.delete(keyOf(o));
      this.enqueue(o);
    });
    this.pods.onAdd((p) => this.addPod(p));
    this.pods.onUpdate((old, cur) => this.updatePod(old, cur));
    this.pods.onDelete((p) => this.deletePod(p));
  }

  log(line: string): void {
    this.opts.log?.(`${this.kind.component}: ${line}`);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: this.kind.component,
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: this.opts.workers ?? 5,
      sync: (key) => syncReplicaSet(this, key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  enqueue(o: Replicated): void {
    this.queue.add(keyOf(o));
  }

  /** The owner a pod's controller reference names, if it is one of ours and the uid matches. */
  private resolveOwner(pod: Pod): Replicated | undefined {
    const ref = getControllerOf(pod);
    if (ref?.apiVersion?.split('/')[0] !== this.kind.apiVersion.split('/')[0]) return undefined;
    return resolveControllerRef(this.owners, pod.metadata?.namespace, ref, this.kind.kind);
  }

  /** Owners in the pod's namespace whose selector matches it (for orphans). */
  private matchingOwners(pod: Pod): Replicated[] {
    const labels = pod.metadata?.labels;
    if (!labels) return [];
    return this.owners.byIndex(BY_NAMESPACE, pod.metadata?.namespace ?? '').filter((o) => {
      try {
        return this.kind.selector(o).matches(labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    if (getControllerOf(pod)) {
      const owner = this.resolveOwner(pod);
      if (!owner) return;
      this.expectations.creationObserved(keyOf(owner));
      this.enqueue(owner);
      return;
    }
    for (const o of this.matchingOwners(pod)) this.enqueue(o);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // Terminating counts as deleted: the replacement starts now, not after the grace period.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const oldOwner = this.resolveOwner(old);
      if (oldOwner) this.enqueue(oldOwner);
    }
    if (curRef) {
      const owner = this.resolveOwner(cur);
      if (!owner) return;
      this.enqueue(owner);
      // Available flips minReadySeconds after Ready: look again then.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(keyOf(owner), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const o of this.matchingOwners(cur)) this.enqueue(o);
  }

  private deletePod(pod: Pod): void {
    const owner = this.resolveOwner(pod);
    if (!owner) return;
    const key = keyOf(owner);
    this.expectations.deletionObserved(key, keyOf(pod));
    this.enqueue(owner);
  }
}

/** The replication manager: the same controller over core/v1 ReplicationControllers. */
export function newReplicationManager(client: Client, opts: Omit<ReplicaSetControllerOptions, 'kind'> = {}): ReplicaSetController {
  return new ReplicaSetController(client, { ...opts, kind: REPLICATION_CONTROLLER });
}
