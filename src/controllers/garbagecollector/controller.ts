// The garbage collector: owner references, followed through the API.
//
// - An object whose every owner is gone is deleted (background propagation:
//   the owner went first, its dependents follow).
// - An owner deleted with propagationPolicy Orphan carries the "orphan"
//   finalizer: its dependents lose their reference to it, then the finalizer
//   is removed and the owner goes.
// - An owner deleted with Foreground carries "foregroundDeletion": its
//   dependents are deleted first; once none is left, the finalizer is
//   removed and the owner goes.
//
// It watches every listable resource through informers and keeps an index
// from owner uid to dependents; a workqueue of keys does the rest, level-
// triggered: each sync reads the current state and is safe to repeat.

import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { apiVersionOf, resourceForKind, servedOnce, type ResourceInfo } from '../../apiserver/registry/resources.ts';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
}

type Obj = KubeObject & { metadata: KubeObject['metadata'] & { ownerReferences?: OwnerRef[]; finalizers?: string[]; deletionTimestamp?: string; uid?: string } };

/** A queue key: which resource, and which object. */
const itemKey = (r: ResourceInfo, o: Obj) => `${r.groupResource}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`;

export interface GarbageCollectorOptions {
  workers?: number;
  log?: (line: string) => void;
  /** Shared informers (the controller manager's), asked for metadata only; the collector builds its own when unset. */
  informers?: InformerFactory;
}

export class GarbageCollector {
  private readonly informers = new Map<string, { res: ResourceInfo; informer: Informer<Obj> }>();
  /** owner uid -> keys of its dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  /** uid -> key of every object the caches hold. */
  private readonly byUID = new Map<string, string>();
  private readonly queue = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
  private readonly sources: ControllerInformers;
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.sources = new ControllerInformers(client, opts.informers, (e) => opts.log?.(`garbage collector: ${(e as Error).message}`));
    for (const res of servedOnce((r) => r.verbs.includes('list') && r.verbs.includes('watch'))) {
      const informer = this.sources.get<Obj>(apiVersionOf(res), res.resource, {
        // The collector reads metadata only; keeping just that halves the memory of a second copy of the
        // cluster. A shared informer other controllers read whole keeps whole objects, once for all.
        metadataOnly: true,
        transform: (o: Obj) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata && { ...o.metadata, managedFields: undefined, annotations: undefined, labels: undefined } }),
      });
      informer.onAdd((o) => this.observe(res, undefined, o));
      informer.onUpdate((old, o) => this.observe(res, old, o));
      informer.onDelete((o) => this.forget(res, o));
      this.informers.set(res.groupResource, { res, informer });
    }
  }

  async start(): Promise<void> {
    this.sources.startOwned();
    await this.sources.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (k) => this.sync(k), {
      onError: (k, e) => this.opts.log?.(`garbage collector: ${k}: ${(e as Error).message}`),
    });
  }

  async stop(): Promise<void> {
    void this.sources.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private observe(res: ResourceInfo, old: Obj | undefined, o: Obj): void {
    const key = itemKey(res, o);
    if (old) for (const ref of old.metadata?.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(key);
    for (const ref of o.metadata?.ownerReferences ?? []) {
      if (!this.dependents.has(ref.uid)) this.dependents.set(ref.uid, new Set());
      this.dependents.get(ref.uid)!.add(key);
    }
    if (o.metadata?.uid) this.byUID.set(o.metadata.uid, key);
    if (o.metadata?.ownerReferences?.length) this.queue.add(key);
    const fin = o.metadata?.finalizers ?? [];
    if (o.metadata?.deletionTimestamp && (fin.includes(ORPHAN) || fin.includes(FOREGROUND))) this.queue.add(key);
  }

  private forget(res: ResourceInfo, o: Obj): void {
    const key = itemKey(res, o);
    for (const ref of o.metadata?.ownerReferences ?? []) {
      this.dependents.get(ref.uid)?.delete(key);
      // An owner waiting on its dependents in the foreground: one fewer now.
      const ownerKey = this.byUID.get(ref.uid);
      if (ownerKey) this.queue.add(ownerKey);
    }
    if (o.metadata?.uid) {
      this.byUID.delete(o.metadata.uid);
      // Its dependents may now be orphans.
      for (const dep of this.dependents.get(o.metadata.uid) ?? []) this.queue.add(dep);
    }
  }

  private lookup(key: string): { res: ResourceInfo; obj: Obj | undefined } {
    const [gr, ns, name] = key.split('|') as [string, string, string];
    const { res, informer } = this.informers.get(gr)!;
    return { res, obj: informer.get(ns ? `${ns}/${name}` : name) };
  }

  private async sync(key: string): Promise<void> {
    const { res, obj } = this.lookup(key);
    if (!obj) return;
    const fin = obj.metadata?.finalizers ?? [];
    if (obj.metadata?.deletionTimestamp && fin.includes(ORPHAN)) return this.orphanDependents(res, obj);
    if (obj.metadata?.deletionTimestamp && fin.includes(FOREGROUND)) return this.deleteDependentsFirst(res, obj);
    if (obj.metadata?.ownerReferences?.length && !obj.metadata.deletionTimestamp) return this.collectIfOrphaned(res, obj);
  }

  private handle(res: ResourceInfo) {
    return this.client.resource(apiVersionOf(res), res.resource);
  }

  /** Removes `finalizer` from an owner, with its resourceVersion as precondition. */
  private async dropFinalizer(res: ResourceInfo, obj: Obj, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.handle(res).patch(obj.metadata?.namespace, obj.metadata!.name!, 'merge', { metadata: { finalizers, resourceVersion: obj.metadata?.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async orphanDependents(res: ResourceInfo, owner: Obj): Promise<void> {
    const uid = owner.metadata!.uid!;
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const { res: depRes, obj: dep } = this.lookup(depKey);
      if (!dep) continue;
      const refs = (dep.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      try {
        await this.handle(depRes).patch(dep.metadata?.namespace, dep.metadata!.name!, 'merge', {
          metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: dep.metadata?.resourceVersion },
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await this.dropFinalizer(res, owner, ORPHAN);
  }

  private async deleteDependentsFirst(res: ResourceInfo, owner: Obj): Promise<void> {
    const uid = owner.metadata!.uid!;
    let blocking = 0;
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const { res: depRes, obj: dep } = this.lookup(depKey);
      if (!dep) continue;
      if (dep.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion)) blocking++;
      if (dep.metadata?.deletionTimestamp) continue;
      try {
        await this.handle(depRes).delete(dep.metadata?.namespace, dep.metadata!.name!, { propagationPolicy: 'Foreground', preconditions: { uid: dep.metadata?.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    // Dependents that block their owner's deletion must be gone first; their
    // delete events requeue the owner.
    if (blocking === 0) await this.dropFinalizer(res, owner, FOREGROUND);
  }

  /** Deletes a dependent whose every owner is gone (or is not the object the reference named). */
  private async collectIfOrphaned(res: ResourceInfo, dep: Obj): Promise<void> {
    for (const ref of dep.metadata!.ownerReferences!) {
      if (this.byUID.has(ref.uid)) return;
      // The caches may lag: ask the API before deciding the owner is gone.
      const ownerRes = resourceForKind(ref.apiVersion, ref.kind);
      if (!ownerRes) return; // an owner of a kind we do not serve: not ours to judge
      try {
        const owner = await this.handle(ownerRes).get(ownerRes.namespaced ? dep.metadata?.namespace : undefined, ref.name);
        if ((owner as Obj).metadata?.uid === ref.uid) return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    try {
      await this.handle(res).delete(dep.metadata?.namespace, dep.metadata!.name!, { propagationPolicy: 'Background', preconditions: { uid: dep.metadata?.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
