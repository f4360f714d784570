// The objects pods reference (configMaps, secrets, PVCs, PVs) as the agent
// reads them: GET through the client with a short TTL cache, the kubelet's
// "TTL cache" configMapAndSecretChangeDetectionStrategy. A missing object is
// an ObjectNotFound whose message is the kubelet's (`configmap "x" not
// found`, singular, as the kubelet's managers word it).

import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from 'kubernetes-types/core/v1.js';
import { isNotFound, type Client, type ResourceHandle } from '../client/rest.ts';

export class ObjectNotFound extends Error {
  constructor(kind: string, name: string) {
    super(`${kind} "${name}" not found`);
    this.name = 'ObjectNotFound';
  }
}

export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap>;
  secret(namespace: string, name: string): Promise<Secret>;
  pvc(namespace: string, name: string): Promise<PersistentVolumeClaim>;
  pv(name: string): Promise<PersistentVolume>;
}

export class CachedObjects implements ObjectSource {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly cms: ResourceHandle<ConfigMap>;
  private readonly secrets: ResourceHandle<Secret>;
  private readonly pvcs: ResourceHandle<PersistentVolumeClaim>;
  private readonly pvs: ResourceHandle<PersistentVolume>;

  constructor(
    client: Client,
    private readonly ttlMs = 5_000,
  ) {
    this.cms = client.resource<ConfigMap>('v1', 'configmaps');
    this.secrets = client.resource<Secret>('v1', 'secrets');
    this.pvcs = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.pvs = client.resource<PersistentVolume>('v1', 'persistentvolumes');
  }

  private get<T>(kind: string, handle: ResourceHandle<T & object>, ns: string | undefined, name: string): Promise<T> {
    const key = `${kind}/${ns ?? ''}/${name}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = handle.get(ns, name).catch((e: unknown) => {
      this.cache.delete(key);
      throw isNotFound(e) ? new ObjectNotFound(kind, name) : e;
    });
    this.cache.set(key, { at: now, value });
    if (this.cache.size > 10_000) this.prune(now);
    return value as Promise<T>;
  }

  private prune(now: number): void {
    for (const [k, v] of this.cache) if (now - v.at >= this.ttlMs) this.cache.delete(k);
  }

  /** Forgets cached objects of a namespace (or all), e.g. when a pod's sync must see fresh data. */
  invalidate(): void {
    this.cache.clear();
  }

  configMap(namespace: string, name: string): Promise<ConfigMap> {
    return this.get('configmap', this.cms, namespace, name);
  }
  secret(namespace: string, name: string): Promise<Secret> {
    return this.get('secret', this.secrets, namespace, name);
  }
  pvc(namespace: string, name: string): Promise<PersistentVolumeClaim> {
    return this.get('persistentvolumeclaim', this.pvcs, namespace, name);
  }
  pv(name: string): Promise<PersistentVolume> {
    return this.get('persistentvolume', this.pvs, undefined, name);
  }
}
