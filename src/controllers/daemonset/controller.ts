// The DaemonSet controller: one pod per eligible node, placed through a
// required node affinity naming the node (the scheduler binds it), replaced
// by RollingUpdate or OnDelete, with ControllerRevisions for rollout history
// and the status `kubectl rollout status ds/x` reads. Informers on
// DaemonSets, pods, nodes and revisions feed a workqueue of DaemonSet keys;
// each sync plans from the cache (plan.ts) and writes through the client.

import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { controllerRef } from '../../api/meta.ts';
import { runWorkers } from '../../client/controller.ts';
import { Informer, keyOf, splitKey } from '../../client/informer.ts';
import { isNotFound, type Client, type KubeObject, type ResourceHandle } from '../../client/rest.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { eventSink, type EventSink } from '../controllerrevision/events.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controllerrevision/history.ts';
import { RevisionHistory } from '../controllerrevision/revisions.ts';
import { Expectations } from './expectations.ts';
import { newDaemonPod } from './pod.ts';
import { planDaemonSet } from './plan.ts';

const BY_OWNER = 'controller-uid';
const ownerIndex = (o: KubeObject) => {
  const ref = controllerRef(o as never);
  return ref ? [ref.uid] : [];
};

export interface DaemonSetControllerOptions {
  log?: (line: string) => void;
  workers?: number;
}

export class DaemonSetController {
  private readonly dsInformer: Informer<DaemonSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly revInformer: Informer<ControllerRevision>;
  private readonly queue = new WorkQueue<string>();
  private readonly expectations = new Expectations();
  private readonly daemonSets: ResourceHandle<DaemonSet>;
  private readonly pods: ResourceHandle<Pod>;
  private readonly history: RevisionHistory;
  private readonly events: EventSink;
  private running?: Promise<void>;

  constructor(
    client: Client,
    private readonly opts: DaemonSetControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`daemonset controller: ${(e as Error).message}`);
    this.daemonSets = client.resource<DaemonSet>('apps/v1', 'daemonsets');
    this.pods = client.resource<Pod>('v1', 'pods');
    this.history = new RevisionHistory(client, CONTROLLER_REVISION_HASH_LABEL);
    this.events = eventSink(client, 'daemonset-controller', opts.log);
    this.dsInformer = new Informer(this.daemonSets, { onError });
    this.podInformer = new Informer(this.pods, { onError }).addIndex(BY_OWNER, ownerIndex);
    this.nodeInformer = new Informer(client.resource<Node>('v1', 'nodes'), { onError });
    this.revInformer = new Informer(this.history.handle, { onError }).addIndex(BY_OWNER, ownerIndex);

    const enqueue = (ds: DaemonSet) => this.queue.add(keyOf(ds));
    this.dsInformer.onAdd(enqueue).onUpdate((_, ds) => enqueue(ds)).onDelete((ds) => this.expectations.forget(keyOf(ds)));

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
    const ref = controllerRef(obj as never);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.dsInformer.get(`${obj.metadata?.namespace}/${ref.name}`);
    return ds && ds.metadata?.uid === ref.uid ? keyOf(ds) : undefined;
  }

  async start(): Promise<void> {
    const informers = [this.dsInformer, this.podInformer, this.nodeInformer, this.revInformer];
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (key) => this.sync(key), {
      onError: (key, e) => this.opts.log?.(`daemonset controller: ${key}: ${(e as Error).message}`),
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.dsInformer, this.podInformer, this.nodeInformer, this.revInformer].map((i) => i.stop()));
    await this.queue.shutDown();
    await this.running;
  }

  /** Reconciles one DaemonSet from the caches. Exported for tests through the class. */
  async sync(key: string): Promise<void> {
    const ds = this.dsInformer.get(key);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const uid = ds.metadata!.uid!;
    const dsObj = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' } as DaemonSet;

    const owned = this.revInformer.byIndex(BY_OWNER, uid);
    const { updateRevision, collisionCount, revisions } = await this.history.ensureUpdateRevision(dsObj, owned, ds.status?.collisionCount ?? 0);
    const hash = updateRevision.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

    const pods = this.podInformer.byIndex(BY_OWNER, uid).filter((p) => p.metadata?.namespace === namespace);
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
          const pod = await this.pods.create(ns, newDaemonPod(ds, node, hash));
          this.events.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
        } catch (e) {
          this.expectations.creationObserved(key);
          this.events.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          errors.push(e);
        }
      }),
      ...remove.map(async ({ pod, force }) => {
        try {
          await this.pods.delete(ns, pod.metadata!.name!, { preconditions: { uid: pod.metadata!.uid! }, ...(force ? { gracePeriodSeconds: 0 } : {}) });
          this.events.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key, pod.metadata!.uid!);
          if (!isNotFound(e)) {
            this.events.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
            errors.push(e);
          }
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
