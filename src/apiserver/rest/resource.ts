// One resource's REST semantics over the Store, Kubernetes' generic registry
// in small: what create, update, delete and reads do to an object's metadata,
// defaults, validation and status, and which errors they answer with. Reads
// come from the watch cache; writes go to the store with revision
// preconditions, so concurrent writers never lose an update.

import { applyDefaults } from '../../api/defaults/index.ts';
import * as errors from '../../api/errors.ts';
import { beginDeletion, prepareForCreate, prepareForUpdate, readyToRemove, timestamp, type KubeObject } from '../../api/meta.ts';
import { validateCreate, validateUpdate } from '../../api/validation/index.ts';
import { guaranteedUpdate } from '../../storage/guaranteed.ts';
import { decodeObject, encodeForStorage, objectKey, resourcePrefix, type StoredObject } from '../../storage/objects.ts';
import { isStoreError, type KeyValue, type ListOptions, type Store } from '../../storage/store.ts';
import type { WatchCache } from '../../storage/watchcache.ts';
import { apiVersionOf, resourceForKind, type ResourceInfo } from '../registry/resources.ts';
import { converterFor, type Converter } from '../registry/conversion.ts';
import { beforeCreate, beforeUpdate, NAMESPACE_FINALIZER } from '../registry/strategy.ts';
import { trackUpdate } from '../../api/apply/index.ts';
import type { ServiceAllocator } from '../registry/allocator.ts';
import { needsClusterIP, needsNodePorts, prepareServiceSpecUpdate } from '../registry/servicestrategy.ts';

export interface WriteOptions {
  dryRun?: boolean;
  /** "status" for the status subresource: only status changes. */
  subresource?: string;
  /** Who writes: recorded in metadata.managedFields as an Update entry. */
  fieldManager?: string;
  /** The object's managedFields are already computed (server-side apply): record nothing more. */
  applied?: boolean;
}

export interface DeleteRequest {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface NamespaceChecker {
  /** Throws NotFound for a missing namespace and Forbidden for one being terminated. */
  checkWritable(namespace: string): void;
}

type Obj = StoredObject & KubeObject;

export class ResourceREST {
  readonly gr: errors.GroupResource;
  /** How the served version maps to the stored one, when they differ in shape. */
  readonly convert: Converter | undefined;
  private readonly storageApiVersion: string;
  /** The admission chain's mutating phase on update (set by the server). */
  admitUpdate?: (obj: Obj, old: Obj, opts: WriteOptions) => void | Promise<void>;
  /** The admission chain's mutating phase on create (set by the server). */
  admitCreate?: (obj: Obj, opts: WriteOptions) => void | Promise<void>;
  /** The admission chain's validating phase, after the object's own validation (old: undefined on create). */
  validateAdmission?: (obj: Obj, old: Obj | undefined, opts: WriteOptions) => Promise<void>;

  constructor(
    readonly info: ResourceInfo,
    private readonly store: Store,
    readonly cache: WatchCache<StoredObject>,
    private readonly namespaces?: NamespaceChecker,
    /** For Services: cluster IPs and node ports. */
    private readonly allocator?: ServiceAllocator,
  ) {
    this.gr = { group: info.group, resource: info.resource };
    this.convert = converterFor(info);
    this.storageApiVersion = this.convert?.storageVersion ?? apiVersionOf(info);
  }

  /** A stored object as this version serves it. */
  out<T extends StoredObject>(o: T): T {
    return this.convert ? (this.convert.fromStorage(o) as T) : o;
  }

  private toStorage(o: Obj, stored?: Obj): Obj {
    return this.convert ? (this.convert.toStorage(o, stored) as Obj) : o;
  }

  key(namespace: string, name: string): string {
    // No valid name holds a slash (it would not be one object's key); such a name names nothing.
    if (!name || name.includes('/')) throw errors.notFound(this.gr, name);
    return objectKey(this.info.groupResource, this.info.namespaced ? namespace : undefined, name);
  }

  prefix(namespace: string): string {
    return resourcePrefix(this.info.groupResource, this.info.namespaced && namespace ? namespace : undefined);
  }

  /** A read from the store itself at a past revision: continue tokens that the cache has moved past. */
  storeList(prefix: string, opts: ListOptions) {
    return this.store.list(prefix, opts);
  }

  /** The current object, from the cache once it has caught up with the store. */
  async get(namespace: string, name: string): Promise<Obj> {
    return this.out((await this.cached(namespace, name)).object as Obj);
  }

  /** The cache's entry itself, whose JSON is encoded once for every reader. */
  async cached(namespace: string, name: string) {
    await this.cache.waitCurrent();
    const e = this.cache.get(this.key(namespace, name));
    if (!e) throw errors.notFound(this.gr, name);
    return e;
  }

  async create(namespace: string, body: Obj, opts: WriteOptions = {}): Promise<Obj> {
    const obj = this.toStorage(this.checkIdentity(body, namespace));
    if (this.info.namespaced) this.namespaces?.checkWritable(obj.metadata!.namespace!);
    applyDefaults(this.storageApiVersion, this.info.kind, obj);
    await this.admitCreate?.(obj, opts);
    prepareForCreate(obj, { tracksGeneration: this.info.tracksGeneration });
    this.resetStatusOnCreate(obj);
    beforeCreate(this.info.kind, obj);
    if (!opts.applied) this.track(undefined, obj, opts);
    const name = obj.metadata?.name ?? '';
    const errs = validateCreate(this.storageApiVersion, this.info.kind, obj);
    if (errs.length > 0) throw errors.invalid(this.info.group, this.info.kind, name, errs);
    await this.validateAdmission?.(obj, undefined, opts);
    if (opts.dryRun) {
      if (await this.store.get(this.key(namespace, name))) throw errors.alreadyExists(this.gr, name);
      return this.out(obj);
    }
    const key = this.key(obj.metadata!.namespace ?? '', name);
    const release = await this.allocate(key, obj);
    try {
      return this.out(decodeObject<Obj>(await this.store.create(key, encodeForStorage(obj))));
    } catch (e) {
      await release();
      if (isStoreError(e, 'AlreadyExists')) throw errors.alreadyExists(this.gr, name);
      throw e;
    }
  }

  /** Records the write in managedFields as an Update by its field manager. */
  private track(current: Obj | undefined, obj: Obj, opts: WriteOptions): void {
    const tracked = trackUpdate(current, obj, {
      manager: opts.fieldManager || 'unknown',
      now: timestamp(new Date()),
      apiVersion: apiVersionOf(this.info),
      kind: this.info.kind,
      subresource: opts.subresource,
    });
    obj.metadata!.managedFields = (tracked.metadata as Obj['metadata'])?.managedFields;
    if (!obj.metadata!.managedFields) delete obj.metadata!.managedFields;
  }

  /** A Service's cluster IP and node ports, claimed before it is stored; returns how to give them back. */
  private async allocate(key: string, obj: Obj): Promise<() => Promise<void>> {
    if (this.info.kind !== 'Service' || !this.allocator) return async () => {};
    const spec = (obj.spec ??= {}) as { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[] };
    const type = spec.type ?? 'ClusterIP';
    const claimed: { ip?: string; ports: number[] } = { ports: [] };
    const release = async () => {
      if (claimed.ip) await this.allocator!.releaseIP(claimed.ip);
      for (const p of claimed.ports) await this.allocator!.releaseNodePort(p);
    };
    try {
      if (type !== 'ExternalName') {
        if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];
        else {
          claimed.ip = await this.allocator.allocateIP(key, spec.clusterIP || undefined);
          spec.clusterIP = claimed.ip;
          spec.clusterIPs = [claimed.ip];
        }
      }
      if (type === 'NodePort' || type === 'LoadBalancer') {
        for (const p of spec.ports ?? []) {
          p.nodePort = await this.allocator.allocateNodePort(key, p.nodePort || undefined);
          claimed.ports.push(p.nodePort);
        }
      }
    } catch (e) {
      await release();
      throw e;
    }
    return release;
  }

  /** Frees what a deleted Service held. */
  private async releaseAllocations(obj: Obj): Promise<void> {
    if (this.info.kind !== 'Service' || !this.allocator) return;
    const spec = (obj.spec ?? {}) as { clusterIP?: string; ports?: { nodePort?: number }[] };
    if (spec.clusterIP && spec.clusterIP !== 'None') await this.allocator.releaseIP(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) await this.allocator.releaseNodePort(p.nodePort);
  }

  /**
   * Replaces the object (PUT), or computes the replacement from the current
   * one (PATCH passes `mutate`). A resourceVersion in the new object is a
   * precondition; without one the update is unconditional, as Kubernetes
   * allows for these resources.
   */
  async update(namespace: string, name: string, next: Obj | ((current: Obj) => Obj | Promise<Obj>), opts: WriteOptions = {}): Promise<Obj> {
    const key = this.key(namespace, name);
    let result: Obj | undefined;
    let dryRunResult: Obj | undefined;
    /** Cluster IPs and node ports claimed for this update (kept across retries), and what the stored object held. */
    const claims = { ips: new Set<string>(), ports: new Set<number>() };
    let replaced: Obj | undefined;
    try {
      const kv = await guaranteedUpdate(this.store, key, async (cur: KeyValue) => {
        const current = decodeObject<Obj>(cur);
        const proposed = typeof next === 'function' ? await next(this.out(structuredClone(current))) : structuredClone(next);
        const updated = await this.prepareUpdate(proposed, current, namespace, name, opts);
        if (this.info.kind === 'Service' && !opts.dryRun && opts.subresource !== 'status') await this.allocateOnUpdate(key, updated, current, claims);
        replaced = current;
        if (!opts.applied) this.track(current, updated, opts);
        const encoded = encodeForStorage(updated);
        if (encoded === encodeForStorage(current)) {
          // Nothing changed: Kubernetes writes nothing and keeps the resourceVersion.
          result = current;
          return undefined;
        }
        if (opts.dryRun) {
          // Nothing is written, so the object keeps the revision it has.
          dryRunResult = { ...updated, metadata: { ...updated.metadata, resourceVersion: current.metadata!.resourceVersion } };
          return undefined;
        }
        return encoded;
      });
      if (dryRunResult || result) await this.settleClaims(claims, result ?? dryRunResult!, undefined);
      if (dryRunResult) return this.out(dryRunResult);
      if (result) return this.out(result);
      const obj = decodeObject<Obj>(kv);
      await this.settleClaims(claims, obj, replaced);
      // The last finalizer gone from an object marked for deletion: it goes now.
      if (readyToRemove(obj) && !(obj as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length) {
        try {
          return this.out(decodeObject<Obj>(await this.store.delete(key, kv.modRevision)));
        } catch (e) {
          if (!isStoreError(e, 'NotFound') && !isStoreError(e, 'Conflict')) throw e;
        }
      }
      return this.out(obj);
    } catch (e) {
      await this.settleClaims(claims, undefined, undefined);
      if (isStoreError(e, 'NotFound')) throw errors.notFound(this.gr, name);
      if (isStoreError(e, 'Conflict')) throw errors.conflict(this.gr, name);
      throw e;
    }
  }

  /** Claims what an updated Service newly needs: a cluster IP when it stops being ExternalName, node ports for new or unset ports. */
  private async allocateOnUpdate(key: string, updated: Obj, current: Obj, claims: { ips: Set<string>; ports: Set<number> }): Promise<void> {
    if (!this.allocator) return;
    type Spec = { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[] };
    const spec = ((updated as { spec?: Spec }).spec ??= {});
    const old = (current as { spec?: Spec }).spec ?? {};
    if (needsClusterIP(spec) && spec.clusterIP !== 'None' && (!spec.clusterIP || spec.clusterIP !== old.clusterIP)) {
      const reuse = [...claims.ips][0];
      const ip = reuse && (!spec.clusterIP || spec.clusterIP === reuse) ? reuse : await this.allocator.allocateIP(key, spec.clusterIP || undefined);
      claims.ips.add(ip);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    if (needsNodePorts(spec)) {
      const held = new Set((old.ports ?? []).map((p) => p.nodePort).filter((n): n is number => !!n));
      const spare = [...claims.ports].filter((n) => !(spec.ports ?? []).some((p) => p.nodePort === n));
      for (const p of spec.ports ?? []) {
        if (p.nodePort && (held.has(p.nodePort) || claims.ports.has(p.nodePort))) continue;
        if (!p.nodePort && spare.length) {
          p.nodePort = spare.shift();
          continue;
        }
        p.nodePort = await this.allocator.allocateNodePort(key, p.nodePort || undefined);
        claims.ports.add(p.nodePort);
      }
    }
  }

  /**
   * After an update: frees what the stored object held and the new one does
   * not, and claims made on a try that did not end up in the object. With no
   * result (the update failed) every claim is given back.
   */
  private async settleClaims(claims: { ips: Set<string>; ports: Set<number> }, result: Obj | undefined, replaced: Obj | undefined): Promise<void> {
    if (this.info.kind !== 'Service' || !this.allocator) return;
    type Spec = { clusterIP?: string; ports?: { nodePort?: number }[] };
    const spec = (o: Obj | undefined) => (o as { spec?: Spec } | undefined)?.spec ?? {};
    const keepIPs = new Set([spec(result).clusterIP].filter(Boolean));
    const keepPorts = new Set((spec(result).ports ?? []).map((p) => p.nodePort).filter(Boolean));
    const ips = new Set([...claims.ips, ...(replaced && spec(replaced).clusterIP && spec(replaced).clusterIP !== 'None' ? [spec(replaced).clusterIP!] : [])]);
    const ports = new Set([...claims.ports, ...(replaced ? (spec(replaced).ports ?? []).map((p) => p.nodePort).filter((n): n is number => !!n) : [])]);
    for (const ip of ips) if (!keepIPs.has(ip)) await this.allocator.releaseIP(ip);
    for (const port of ports) if (!keepPorts.has(port)) await this.allocator.releaseNodePort(port);
  }

  private async prepareUpdate(proposed: Obj, current: Obj, namespace: string, name: string, opts: WriteOptions): Promise<Obj> {
    const obj = this.toStorage(this.checkIdentity(proposed, namespace), current);
    if (obj.metadata!.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata!.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const rv = obj.metadata!.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata!.resourceVersion) throw errors.conflict(this.gr, name);
    let updated: Obj;
    if (opts.subresource === 'status') {
      // A status write changes status and nothing else.
      updated = { ...structuredClone(current), status: obj.status };
    } else {
      updated = obj;
      if (this.info.subresources.some((s) => s.name === 'status') && current.status !== undefined) updated.status = structuredClone(current.status);
      else if (this.info.subresources.some((s) => s.name === 'status')) delete updated.status;
    }
    if (this.info.kind === 'Namespace') {
      // spec.finalizers change only through /finalize; the phase only through the lifecycle.
      const spec = ((updated as { spec?: Record<string, unknown> }).spec ??= {});
      if (opts.subresource !== 'finalize') spec.finalizers = (current as { spec?: { finalizers?: string[] } }).spec?.finalizers;
      if (spec.finalizers === undefined) delete spec.finalizers;
      if (current.status !== undefined && opts.subresource !== 'status') updated.status = structuredClone(current.status);
    }
    applyDefaults(this.storageApiVersion, this.info.kind, updated);
    if (this.info.kind === 'Service' && opts.subresource !== 'status') prepareServiceSpecUpdate(((updated as { spec?: object }).spec ??= {}) as never, ((current as { spec?: object }).spec ?? {}) as never);
    beforeUpdate(this.info.kind, updated);
    if (opts.subresource !== 'status') await this.admitUpdate?.(updated, current, opts);
    prepareForUpdate(updated, current, { tracksGeneration: this.info.tracksGeneration, subresource: opts.subresource });
    delete updated.metadata!.resourceVersion;
    const errs = validateUpdate(this.storageApiVersion, this.info.kind, updated, current);
    if (errs.length > 0) throw errors.invalid(this.info.group, this.info.kind, name, errs);
    if (opts.subresource !== 'status') await this.validateAdmission?.(updated, current, opts);
    return updated;
  }

  /**
   * A server-side change that is not a client edit (binding a pod to a node):
   * `mutate` works on the stored object, with no defaulting or spec
   * validation, under the same revision precondition as every write.
   */
  async mutateStored(namespace: string, name: string, mutate: (current: Obj) => Obj): Promise<Obj> {
    try {
      const kv = await guaranteedUpdate(this.store, this.key(namespace, name), (cur) => {
        const next = mutate(decodeObject<Obj>(cur));
        delete next.metadata!.resourceVersion;
        return encodeForStorage(next);
      });
      return this.out(decodeObject<Obj>(kv));
    } catch (e) {
      if (isStoreError(e, 'NotFound')) throw errors.notFound(this.gr, name);
      throw e;
    }
  }

  /**
   * Deletes, or marks for deletion when finalizers or a grace period hold
   * the object back; answers with the object as it now is.
   */
  async delete(namespace: string, name: string, req: DeleteRequest = {}): Promise<{ object: Obj; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw errors.notFound(this.gr, name);
      const current = decodeObject<Obj>(kv);
      const pre = req.preconditions;
      if (pre?.uid && pre.uid !== current.metadata!.uid) {
        throw errors.conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata!.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata!.resourceVersion) {
        throw errors.conflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata!.resourceVersion}`);
      }
      if (this.info.kind === 'Namespace' && (current as { spec?: { finalizers?: string[] } }).spec?.finalizers?.includes(NAMESPACE_FINALIZER)) {
        // Terminating until the namespace controller has deleted its contents and finalized it.
        if (current.metadata!.deletionTimestamp) return { object: this.out(current), deleted: false };
        const terminating = { ...current, metadata: { ...current.metadata, deletionTimestamp: timestamp(new Date()), deletionGracePeriodSeconds: 0 }, status: { ...(current.status ?? {}), phase: 'Terminating' } } as Obj;
        if (req.dryRun) return { object: this.out(terminating), deleted: false };
        delete terminating.metadata!.resourceVersion;
        try {
          return { object: this.out(decodeObject<Obj>(await this.store.update(key, encodeForStorage(terminating), kv.modRevision))), deleted: false };
        } catch (e) {
          if (isStoreError(e, 'Conflict') && attempt < 10) continue;
          throw e;
        }
      }
      const graceful = this.info.kind === 'Pod' && !!(current as { spec?: { nodeName?: string } }).spec?.nodeName;
      const decision = beginDeletion(current, {
        gracePeriodSeconds: req.gracePeriodSeconds ?? (graceful ? ((current as { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds ?? 30) : undefined),
        graceful,
        propagationPolicy: req.propagationPolicy,
        tracksGeneration: this.info.tracksGeneration,
      });
      if (decision.action === 'none') return { object: this.out(current), deleted: false };
      if (req.dryRun) return { object: this.out(decision.action === 'update' ? (decision.object as Obj) : current), deleted: decision.action === 'delete' || readyToRemove(decision.object) };
      // A delete with no time left (grace 0, no finalizers) removes the object now.
      const removeNow = decision.action === 'delete' || readyToRemove(decision.object);
      try {
        if (removeNow) {
          const gone = decodeObject<Obj>(await this.store.delete(key, kv.modRevision));
          await this.releaseAllocations(gone);
          return { object: this.out(gone), deleted: true };
        }
        const stored = { ...(decision.object as Obj) };
        const updated = decodeObject<Obj>(await this.store.update(key, encodeForStorage(stored), kv.modRevision));
        return { object: this.out(updated), deleted: false };
      } catch (e) {
        if (isStoreError(e, 'Conflict') && attempt < 10) continue;
        if (isStoreError(e, 'NotFound')) throw errors.notFound(this.gr, name);
        throw e;
      }
    }
  }

  /** Fills apiVersion/kind/namespace from the URL and refuses a body that names another. */
  private checkIdentity(body: Obj, namespace: string): Obj {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request must be a JSON object');
    const obj = body;
    const want = apiVersionOf(this.info);
    const sameKindOtherVersion = obj.kind === this.info.kind && obj.apiVersion !== want && resourceForKind(String(obj.apiVersion), this.info.kind)?.groupResource === this.info.groupResource;
    if (sameKindOtherVersion) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    }
    if ((obj.apiVersion !== undefined && obj.apiVersion !== want) || (obj.kind !== undefined && obj.kind !== this.info.kind)) {
      // Kubernetes' decoder wording: the body's type cannot become the URL's.
      const version = String(obj.apiVersion ?? want).split('/').pop();
      throw errors.badRequest(
        `${obj.kind ?? this.info.kind} in version "${version}" cannot be handled as a ${this.info.kind}: the object is ${obj.apiVersion ?? want}, ${obj.kind ?? this.info.kind}, but this endpoint takes ${want}, ${this.info.kind}`,
      );
    }
    obj.apiVersion = want;
    obj.kind = this.info.kind;
    const meta = (obj.metadata ??= {});
    if (typeof meta !== 'object' || Array.isArray(meta)) throw errors.badRequest('metadata must be an object');
    if (this.info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = meta.namespace || namespace;
      if (!meta.namespace) throw errors.badRequest('the namespace of the object must be set for a namespaced resource');
    } else {
      delete meta.namespace;
    }
    return obj;
  }

  private resetStatusOnCreate(obj: Obj): void {
    if (!this.info.subresources.some((s) => s.name === 'status')) return;
    if (this.info.kind === 'Namespace') obj.status = { phase: 'Active' };
    else if (this.info.kind === 'Pod') obj.status = { phase: 'Pending' };
    else if (this.info.kind === 'Node') return; // agents register nodes with their status
    else delete obj.status;
  }

}
