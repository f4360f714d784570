// What the API server keeps in place of its own objects (default RBAC, the
// `kubernetes` Service and its endpoints): create one when missing, else
// bring the stored one in line. Several servers may do this at once (HA), so
// a create that lost the race is fine and an update retries on conflicts,
// reconciling against what is stored then.

import * as errors from '../../api/errors.ts';
import type { ResourceREST } from '../rest/resource.ts';

export type RestFor = (group: string, version: string, resource: string) => ResourceREST | undefined;
export type Obj = Parameters<ResourceREST['create']>[1];

/** `reconcile` answers the object to store, or undefined when the current one is right. */
export async function ensure(rest: ResourceREST, namespace: string, obj: Obj, reconcile?: (current: Obj) => Obj | undefined): Promise<void> {
  const name = obj.metadata!.name!;
  let current: Obj | undefined;
  try {
    current = await rest.get(namespace, name);
  } catch (e) {
    if (!errors.isStatusError(e, 'NotFound')) throw e;
  }
  if (!current) {
    try {
      await rest.create(namespace, structuredClone(obj), { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!errors.isStatusError(e, 'AlreadyExists')) throw e;
    }
    return;
  }
  if (!reconcile?.(current)) return;
  await rest.update(namespace, name, (cur) => reconcile(cur) ?? cur, { fieldManager: 'kube-apiserver' });
}
