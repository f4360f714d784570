// The ResourceQuota controller: keeps each quota's status (hard from spec,
// used recomputed from the objects in its namespace) true. Admission
// charges usage as objects are created; this loop is what gives it back
// when they go (deleted, or pods that finished) and corrects any drift.
// Pods, Services, ConfigMaps, Secrets, claims and ReplicationControllers are
// followed by informers; other count/<resource> entries are listed at sync,
// and every quota is resynced periodically for them.

import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import { sumUsage, usageOf, type ResourceList } from '../../api/quota/usage.ts';
import { runWorkers } from '../../client/controller.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { apiVersionOf, RESOURCES } from '../../apiserver/registry/resources.ts';

/** Resources followed by informers (core/v1), and the quota names that depend on each. */
const FOLLOWED = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'];
const RESYNC_MS = 30_000;

/** Which resource ("group/resource", "" group for core) a quota entry counts. */
export function resourceOfQuotaKey(key: string): { group: string; resource: string } | undefined {
  if (key.startsWith('count/')) {
    const rest = key.slice(6);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  if (['pods', 'cpu', 'memory', 'ephemeral-storage'].includes(key) || key.startsWith('requests.') || key.startsWith('limits.')) {
    return key === 'requests.storage' ? { group: '', resource: 'persistentvolumeclaims' } : { group: '', resource: 'pods' };
  }
  if (key.startsWith('services')) return { group: '', resource: 'services' };
  if (key.endsWith('.storageclass.storage.k8s.io/requests.storage') || key.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims')) return { group: '', resource: 'persistentvolumeclaims' };
  if (FOLLOWED.includes(key)) return { group: '', resource: key };
  return undefined;
}

export class ResourceQuotaController {
  private readonly quotas: Informer<ResourceQuota & KubeObject>;
  private readonly objects = new Map<string, Informer>();
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'resourcequota_primary' });
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (line: string) => void; resyncMs?: number; informers?: InformerFactory } = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`resourcequota controller: ${(e as Error).message}`);
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.quotas = this.informers.get<ResourceQuota & KubeObject>('v1', 'resourcequotas');
    const enqueue = (q: KubeObject) => this.queue.add(`${q.metadata!.namespace}/${q.metadata!.name}`);
    // Not on admission's own status writes: recomputing from informers that have not yet seen the
    // object just admitted would undercount. Only a new or changed spec (or a resync) needs it.
    this.quotas.onAdd(enqueue).onUpdate((old, q) => {
      if (JSON.stringify(old.spec) !== JSON.stringify(q.spec) || JSON.stringify(q.spec?.hard ?? {}) !== JSON.stringify(q.status?.hard ?? {})) enqueue(q);
    });
    // Secrets and ConfigMaps are counted, never read: metadata is enough.
    const metaOnly = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata });
    for (const r of FOLLOWED.filter((r) => r !== 'resourcequotas')) {
      const counted = r === 'secrets' || r === 'configmaps';
      const inf = this.informers.get('v1', r, counted ? { transform: metaOnly, metadataOnly: true } : {});
      // Replenishment, as Kubernetes does it: usage is given back when an object goes (or a pod
      // finishes); creates were charged by admission and need no recount.
      const touch = (o: KubeObject) => this.namespaceChanged(o.metadata?.namespace);
      inf.onDelete(touch);
      if (r === 'pods') inf.onUpdate((old, o) => (old as { status?: { phase?: string } }).status?.phase !== (o as { status?: { phase?: string } }).status?.phase && touch(o));
      if (r === 'services' || r === 'persistentvolumeclaims') inf.onUpdate((old, o) => JSON.stringify((old as { spec?: unknown }).spec) !== JSON.stringify((o as { spec?: unknown }).spec) && touch(o));
      this.objects.set(r, inf);
    }
    this.quotas.onDelete(() => undefined);
  }

  private namespaceChanged(ns: string | undefined): void {
    if (!ns) return;
    for (const q of this.quotas.list()) if (q.metadata!.namespace === ns) this.queue.add(`${ns}/${q.metadata!.name}`);
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, 2, (key) => this.sync(key), { onError: (key, e) => this.opts.log?.(`resourcequota controller: ${key}: ${(e as Error).message}`) });
    this.timer = setInterval(() => {
      for (const q of this.quotas.list()) this.queue.add(`${q.metadata!.namespace}/${q.metadata!.name}`);
    }, this.opts.resyncMs ?? RESYNC_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  /** The objects of one resource in a namespace: from an informer, else listed. */
  private async objectsOf(ns: string, group: string, resource: string): Promise<unknown[]> {
    if (!group && resource === 'resourcequotas') return this.quotas.list().filter((q) => q.metadata!.namespace === ns);
    const inf = !group ? this.objects.get(resource) : undefined;
    if (inf) return inf.list().filter((o) => o.metadata?.namespace === ns);
    const info = RESOURCES.find((r) => r.group === group && r.resource === resource && r.namespaced && r.verbs.includes('list'));
    if (!info) return [];
    return (await this.client.resource(apiVersionOf(info), info.resource).list(ns)).items;
  }

  private async sync(key: string): Promise<void> {
    const quota = this.quotas.get(key);
    if (!quota || quota.metadata!.deletionTimestamp) return;
    const ns = quota.metadata!.namespace!;
    const hard: ResourceList = { ...(quota.spec?.hard ?? {}) };
    const kinds = new Map<string, { group: string; resource: string }>();
    for (const k of Object.keys(hard)) {
      const r = resourceOfQuotaKey(k);
      if (r) kinds.set(`${r.group}/${r.resource}`, r);
    }
    const usages: ResourceList[] = [];
    for (const { group, resource } of kinds.values()) for (const o of await this.objectsOf(ns, group, resource)) usages.push(usageOf(resource, group, o));
    const used = sumUsage(hard, usages);
    if (JSON.stringify(quota.status?.hard ?? {}) === JSON.stringify(hard) && JSON.stringify(quota.status?.used ?? {}) === JSON.stringify(used)) return;
    try {
      await this.client.resource('v1', 'resourcequotas').updateStatus(ns, { ...quota, status: { hard, used } } as never);
    } catch (e) {
      // A stale copy (admission charged meanwhile): the informer brings the new one, and with it another sync.
      if (isConflict(e)) {
        this.queue.addRateLimited(key);
        return;
      }
      if (!isNotFound(e)) throw e;
    }
  }
}
