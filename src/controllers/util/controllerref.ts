// Controller references (Kubernetes' ControllerRefManager): a controller
// owns the objects whose controller reference points at it, adopts orphans
// its selector matches, and releases owned objects its selector no longer
// matches. Decisions are pure (claimDecision); adopt/release are strategic
// merge patches keyed by owner uid, with the object's uid as precondition.

import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { controllerRef, ownerReferenceTo } from '../../api/meta.ts';
import type { KubeObject, ResourceHandle } from '../../client/rest.ts';
import { isNotFound } from '../../client/rest.ts';

/** metav1.GetControllerOf: the owner reference with controller: true. */
export const getControllerOf: (obj: KubeObject) => OwnerReference | undefined = controllerRef;

/**
 * Kubernetes' resolveControllerRef: the cached owner a controller reference
 * names, when it is of `kind` and has the same uid (an owner deleted and
 * recreated under the same name does not own the old one's children).
 */
export function resolveControllerRef<T extends KubeObject>(owners: { get(key: string): T | undefined }, namespace: string | undefined, ref: OwnerReference | undefined, kind: string): T | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = owners.get(namespace ? `${namespace}/${ref.name}` : ref.name);
  return owner?.metadata?.uid === ref.uid ? owner : undefined;
}

/**
 * Kubernetes' NewControllerRef: controller and blockOwnerDeletion both true.
 * `type` names the owner's apiVersion and kind when the object lacks them
 * (items from a list or watch cache may).
 */
export function newControllerRef(owner: KubeObject, type?: { apiVersion: string; kind: string }): OwnerReference {
  return ownerReferenceTo(type ? { ...owner, ...type } : owner, { controller: true, blockOwnerDeletion: true });
}

export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

/** What `owner` should do about `obj`, given whether its selector matches it. */
export function claimDecision(obj: KubeObject, owner: KubeObject, matches: boolean): ClaimDecision {
  const ref = getControllerOf(obj);
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  if (ref) {
    if (ref.uid !== owner.metadata?.uid) return 'ignore';
    if (matches) return 'own';
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp) return 'ignore';
  if (owner.metadata?.namespace && owner.metadata.namespace !== obj.metadata?.namespace) return 'ignore';
  return 'adopt';
}

export function adoptPatch(obj: KubeObject, owner: KubeObject): unknown {
  return { metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata?.uid } };
}

export function releasePatch(obj: KubeObject, owner: KubeObject): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata?.uid }], uid: obj.metadata?.uid } };
}

/**
 * Claims objects for one owner: answers those it owns after adopting and
 * releasing. `canAdopt` is asked once, before the first adoption (Kubernetes
 * re-reads the owner from the API so a deleted-and-recreated owner with a
 * stale cache never adopts).
 */
export async function claimObjects<T extends KubeObject>(opts: {
  owner: KubeObject;
  objects: T[];
  matches: (obj: T) => boolean;
  handle: ResourceHandle<T>;
  canAdopt: () => Promise<void>;
}): Promise<T[]> {
  const { owner, handle } = opts;
  const claimed: T[] = [];
  let adoptChecked: Promise<void> | undefined;
  const errors: unknown[] = [];
  for (const obj of opts.objects) {
    const decision = claimDecision(obj, owner, opts.matches(obj));
    const ns = obj.metadata?.namespace;
    const name = obj.metadata!.name!;
    try {
      if (decision === 'own') claimed.push(obj);
      else if (decision === 'adopt') {
        await (adoptChecked ??= opts.canAdopt());
        claimed.push(await handle.patch(ns, name, 'strategic', adoptPatch(obj, owner)));
      } else if (decision === 'release') {
        await handle.patch(ns, name, 'strategic', releasePatch(obj, owner));
      }
    } catch (e) {
      // Gone already: nothing to adopt or release.
      if (!isNotFound(e)) errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

/** Kubernetes' RecheckDeletionTimestamp: the owner, fresh from the API, is the same object and not being deleted. */
export function recheckOwner(get: () => Promise<KubeObject>, owner: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await get();
    const what = `${owner.kind} ${owner.metadata?.namespace}/${owner.metadata?.name}`;
    if (fresh.metadata?.uid !== owner.metadata?.uid) throw new Error(`${what}: original object is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`);
    if (fresh.metadata?.deletionTimestamp) throw new Error(`${what} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
