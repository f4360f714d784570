// The StatefulSet controller: informers on StatefulSets, pods, claims and
// ControllerRevisions feed a workqueue of set keys; each sync finds or makes
// the update revision, runs control.ts against the cached pods, writes the
// status `kubectl rollout status sts/x` reads, and trims old revisions.

import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { isAlreadyExists, isNotFound, type Client, type KubeObject, type ResourceHandle } from '../../client/rest.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { addIndexes, BY_CONTROLLER_UID } from '../util/indexes.ts';
import { runController, type RunningController } from '../util/run.ts';
import { CONTROLLER_HASH_LABEL, templateOf } from '../controllerrevision/history.ts';
import { RevisionHistory } from '../controllerrevision/revisions.ts';
import { syncStatefulSet, type StatefulSetOps } from './control.ts';
import { podRevision } from './identity.ts';

export interface StatefulSetControllerOptions {
  log?: (line: string) => void;
  workers?: number;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

export class StatefulSetController {
  private readonly setInformer: Informer<StatefulSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly revInformer: Informer<ControllerRevision>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'statefulset' });
  private readonly sets: ResourceHandle<StatefulSet>;
  private readonly pods: ResourceHandle<Pod>;
  private readonly claims: ResourceHandle<PersistentVolumeClaim>;
  private readonly history: RevisionHistory;
  private readonly events: EventSink;
  private readonly ops: StatefulSetOps;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: StatefulSetControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`statefulset controller: ${(e as Error).message}`);
    this.sets = client.resource<StatefulSet>('apps/v1', 'statefulsets');
    this.pods = client.resource<Pod>('v1', 'pods');
    this.claims = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.history = new RevisionHistory(client, CONTROLLER_HASH_LABEL);
    this.events = clientEventSink(client, 'statefulset-controller', { log: opts.log });
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.setInformer = this.informers.get<StatefulSet>('apps/v1', 'statefulsets', { source: this.sets });
    this.podInformer = addIndexes(this.informers.get<Pod>('v1', 'pods', { source: this.pods }), BY_CONTROLLER_UID);
    this.claimInformer = this.informers.get<PersistentVolumeClaim>('v1', 'persistentvolumeclaims', { source: this.claims });
    this.revInformer = addIndexes(this.informers.get<ControllerRevision>('apps/v1', 'controllerrevisions', { source: this.history.handle }), BY_CONTROLLER_UID);

    const enqueue = (s: StatefulSet) => this.queue.add(keyOf(s));
    this.setInformer.onAdd(enqueue).onUpdate((_, s) => enqueue(s));
    const enqueueOwner = (o: KubeObject) => {
      const key = this.ownerKey(o);
      if (key) this.queue.add(key);
    };
    this.podInformer.onAdd(enqueueOwner).onUpdate((_, p) => enqueueOwner(p)).onDelete(enqueueOwner);
    this.revInformer.onDelete(enqueueOwner);
    // A claim deleted under a live pod is recreated: look at the sets of its namespace.
    this.claimInformer.onDelete((c) => {
      for (const s of this.setInformer.list()) if (s.metadata?.namespace === c.metadata?.namespace && s.spec?.volumeClaimTemplates?.length) enqueue(s);
    });

    this.ops = {
      claimExists: (ns, name) => this.claimInformer.get(`${ns}/${name}`) !== undefined,
      createClaim: async (set, claim, pod) => {
        try {
          await this.claims.create(set.metadata!.namespace, claim);
          this.events.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata!.name} Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} success`);
        } catch (e) {
          if (isAlreadyExists(e)) return;
          this.events.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata!.name} for Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(e as Error).message}`);
          throw e;
        }
      },
      createPod: async (set, pod) => {
        try {
          await this.pods.create(set.metadata!.namespace, pod);
          this.events.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
        } catch (e) {
          // Our cache had not shown it yet; the next event brings it.
          if (isAlreadyExists(e)) return;
          this.events.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(e as Error).message}`);
          throw e;
        }
      },
      deletePod: async (set, pod) => {
        try {
          await this.pods.delete(set.metadata!.namespace, pod.metadata!.name!, { preconditions: { uid: pod.metadata!.uid! } });
          this.events.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
        } catch (e) {
          if (isNotFound(e)) return;
          this.events.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(e as Error).message}`);
          throw e;
        }
      },
    };
  }

  private ownerKey(obj: KubeObject): string | undefined {
    const owner = resolveControllerRef(this.setInformer, obj.metadata?.namespace, getControllerOf(obj), 'StatefulSet');
    return owner && keyOf(owner);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'statefulset controller',
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

  async sync(key: string): Promise<void> {
    const cached = this.setInformer.get(key);
    if (!cached) return;
    const set = { ...cached, apiVersion: 'apps/v1', kind: 'StatefulSet' } as StatefulSet;
    const uid = set.metadata!.uid!;
    const ns = set.metadata!.namespace;

    const owned = this.revInformer.byIndex(BY_CONTROLLER_UID, uid);
    const { updateRevision, collisionCount, revisions } = await this.history.ensureUpdateRevision(set, owned, set.status?.collisionCount ?? 0);
    const currentRevision = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? updateRevision;
    const revs = {
      current: { name: currentRevision.metadata!.name!, template: templateOf(currentRevision) },
      update: { name: updateRevision.metadata!.name!, template: set.spec!.template },
    };

    const pods = this.podInformer.byIndex(BY_CONTROLLER_UID, uid).filter((p) => p.metadata?.namespace === ns);
    const withCount = { ...set, status: { ...(set.status ?? { replicas: 0 }), collisionCount } };
    const { status, recheckAfterMs } = await syncStatefulSet(withCount, pods, revs, this.ops);

    const live = new Set<string>([revs.current.name, revs.update.name, ...pods.map(podRevision)]);
    await this.history.truncate(revisions, live, set.spec?.revisionHistoryLimit ?? 10);
    await this.writeStatus(set, status);
    if (recheckAfterMs) this.queue.addAfter(key, recheckAfterMs);
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const next: StatefulSetStatus = { ...(set.status ?? {}), ...status };
    if (semanticEqual(set.status ?? {}, next)) return;
    try {
      await this.sets.updateStatus(set.metadata!.namespace, { ...set, status: next });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
