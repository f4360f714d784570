// How Kubernetes objects live in the Store: where each one's key is, and how
// its JSON is stored and read back. resourceVersion is never stored: it is the
// key's modRevision, set on the way out (as Kubernetes' etcd3 storage does),
// so it can never disagree with the store.

import type { Codec } from './watchcache.ts';
import type { KeyValue } from './store.ts';

export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const ROOT = '/registry/';

/** The prefix holding every object of a resource ("pods", "deployments.apps"), or those of one namespace. */
export function resourcePrefix(groupResource: string, namespace?: string): string {
  if (!groupResource || groupResource.includes('/')) throw new Error(`bad resource "${groupResource}"`);
  return namespace ? `${ROOT}${groupResource}/${namespace}/` : `${ROOT}${groupResource}/`;
}

/** The key of one object: /registry/<resource[.group]>/<namespace>/<name>, or without the namespace for cluster-scoped ones. */
export function objectKey(groupResource: string, namespace: string | undefined, name: string): string {
  if (!name || name.includes('/')) throw new Error(`bad object name "${name}"`);
  return resourcePrefix(groupResource, namespace) + name;
}

/** The JSON stored for an object: as given, minus resourceVersion. */
export function encodeForStorage(obj: StoredObject): string {
  if (obj.metadata?.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** The object a stored value stands for, with resourceVersion = the revision that wrote it. */
export function decodeObject<T extends StoredObject = StoredObject>(kv: KeyValue): T {
  const obj = JSON.parse(kv.value) as T;
  (obj.metadata ??= {}).resourceVersion = String(kv.modRevision);
  return obj;
}

export const objectCodec: Codec<StoredObject> = {
  decode: decodeObject,
  encode: (obj) => JSON.stringify(obj),
};
