// The DaemonSet controller: one pod per eligible node, placed through a
// required node affinity naming the node (the scheduler binds it), replaced
// by RollingUpdate or OnDelete, with ControllerRevisions for rollout history
// and the status `kubectl rollout status ds/x` reads. Informers on
// DaemonSets, pods, nodes and revisions feed a workqueue of DaemonSet keys;
// each sync plans from the cache (plan.ts) and writes through the client.

import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { keyOf, splitKey, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { isNotFound, type Client, type KubeObject, type ResourceHandle } from '../../client/rest.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { clientEventSink } from '../util/events.ts';
import { addIndexes, BY_CONTROLLER_UID } from '../util/indexes.ts';
import { PodControl } from '../util/podcontrol.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controllerrevision/history.ts';
import { RevisionHistory } from '../controllerrevision/revisions.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { runController, type RunningController } from '../util/run.ts';
import { newDaemonPod } from './pod.ts';
import { planDaemonSet } from './plan.ts';

export interface DaemonSetControllerOptions {
  log?: (line: string) => void;
  workers?: number;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

export class DaemonSetController {
  private readonly dsInformer: Informer<DaemonSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly revInformer: Informer<ControllerRevision>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'daemonset' });
  private readonly expectations = new ControllerExpectations();
  private readonly daemonSets: ResourceHandle<DaemonSet>;
  private readonly pods: ResourceHandle<Pod>;
  private readonly history: RevisionHistory;
  private readonly podControl: PodControl;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: DaemonSetControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`daemonset controller: ${(e as Error).message}`);
    this.daemonSets = client.resource<DaemonSet>('apps/v1', 'daemonsets');
    this.pods = client.resource<Pod>('v1', 'pods');
    this.history = new RevisionHistory(client, CONTROLLER_REVISION_HASH_LABEL);
    this.podControl = new PodControl(this.pods, clientEventSink(client, 'daemonset-controller', { log: opts.log }));
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.dsInformer = this.informers.get<DaemonSet>('apps/v1', 'daemonsets', { source: this.daemonSets });
    this.podInformer = addIndexes(this.informers.get<Pod>('v1', 'pods', { source: this.pods }), BY_CONTROLLER_UID);
    this.nodeInformer = this.informers.get<Node>('v1', 'nodes');
    this.revInformer = addIndexes(this.informers.get<ControllerRevision>('apps/v1', 'controllerrevisions', { source: this.history.handle }), BY_CONTROLLER_UID);

    const enqueue = (ds: DaemonSet) => this.queue.add(keyOf(ds));
    this.dsInformer.onAdd(enqueue).onUpdate((_, ds) => enqueue(ds)).onDelete((ds) => this.expectations.delete(keyOf(ds)));

    this.podInformer
      .onAdd((pod) => {
        const key = this.ownerKey(pod);
        if (!key) return;
        if (pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, pod.metadata.uid!);
        else this.expectations.creationObserved(key);
        this.queue.add(key);
      })
      .onUpdate((old, pod) => {
        const key = this.ownerKey(pod);
        if (!key) return;
        if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, pod.metadata.uid!);
        this.queue.add(key);
      })
      .onDelete((pod) => {
        const key = this.ownerKey(pod);
        if (!key) return;
        this.expectations.deletionObserved(key, pod.metadata?.uid ?? '');
        this.queue.add(key);
      });

    // A node that comes, goes or changes labels/taints may change where every DaemonSet runs.
    const nodeChanged = () => {
      for (const ds of this.dsInformer.list()) this.queue.add(keyOf(ds));
    };
    this.nodeInformer
      .onAdd(nodeChanged)
      .onDelete(nodeChanged)
      .onUpdate((a, b) => {
        if (!semanticEqual(a.metadata?.labels, b.metadata?.labels) || !semanticEqual(a.spec, b.spec)) nodeChanged();
      });
    this.revInformer.onDelete((rev) => {
      const key = this.ownerKey(rev);
      if (key) this.queue.add(key);
    });
  }

  private ownerKey(obj: KubeObject): string | undefined {
    const owner = resolveControllerRef(this.dsInformer, obj.metadata?.namespace, getControllerOf(obj), 'DaemonSet');
    return owner && keyOf(owner);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'daemonset controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: this.opts.workers ?? 2,
      sync: (key) => this.sync(key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Reconciles one DaemonSet from the caches. Exported for tests through the class. */
  async sync(key: string): Promise<void> {
    const ds = this.dsInformer.get(key);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const uid = ds.metadata!.uid!;
    const dsObj = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' } as DaemonSet;

    const owned = this.revInformer.byIndex(BY_CONTROLLER_UID, uid);
    const { updateRevision, collisionCount, revisions } = await this.history.ensureUpdateRevision(dsObj, owned, ds.status?.collisionCount ?? 0);
    const hash = updateRevision.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

    const pods = this.podInformer.byIndex(BY_CONTROLLER_UID, uid).filter((p) => p.metadata?.namespace === namespace);
    const plan = planDaemonSet({ ...dsObj, status: { ...ds.status!, collisionCount } }, this.nodeInformer.list(), pods, hash);

    if (this.expectations.satisfied(key) && (plan.createOn.length > 0 || plan.remove.length > 0)) {
      this.expectations.expect(
        key,
        plan.createOn.length,
        plan.remove.map((r) => r.pod.metadata!.uid!),
      );
      await this.carryOut(dsObj, plan.createOn, plan.remove, hash);
    }

    const live = new Set<string>([updateRevision.metadata!.name!]);
    for (const r of revisions) {
      const h = r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (h && pods.some((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === h)) live.add(r.metadata!.name!);
    }
    await this.history.truncate(revisions, live, ds.spec?.revisionHistoryLimit ?? 10);

    await this.writeStatus(ds, plan.status);
    if (plan.recheckAfterMs) this.queue.addAfter(key, plan.recheckAfterMs);
  }

  private async carryOut(ds: DaemonSet, createOn: string[], remove: { pod: Pod; force: boolean; why: string }[], hash: string): Promise<void> {
    const key = keyOf(ds);
    const ns = ds.metadata!.namespace!;
    const errors: unknown[] = [];
    await Promise.all([
      ...createOn.map(async (node) => {
        try {
          await this.podControl.create(ds, ns, newDaemonPod(ds, node, hash));
        } catch (e) {
          // A create that failed will never be observed.
          this.expectations.lowerCreations(key, 1);
          errors.push(e);
        }
      }),
      ...remove.map(async ({ pod, force }) => {
        try {
          // Gone already: that deletion will never be observed either.
          if (!(await this.podControl.delete(ds, pod, force ? { gracePeriodSeconds: 0 } : {}))) this.expectations.deletionObserved(key, pod.metadata!.uid!);
        } catch (e) {
          this.expectations.deletionObserved(key, pod.metadata!.uid!);
          errors.push(e);
        }
      }),
    ]);
    if (errors.length > 0) throw errors[0];
  }

  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    const next: DaemonSetStatus = { ...(ds.status ?? {}), ...status } as DaemonSetStatus;
    // Kubernetes records a collision count only once there was a collision.
    if (next.collisionCount === undefined || (next.collisionCount === 0 && ds.status?.collisionCount === undefined)) delete next.collisionCount;
    if (semanticEqual(ds.status ?? {}, next)) return;
    try {
      await this.daemonSets.updateStatus(ds.metadata!.namespace, { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet', status: next });
    } catch (e) {
      // Deleted meanwhile: nothing to report on.
      if (!isNotFound(e)) throw e;
    }
  }
}
