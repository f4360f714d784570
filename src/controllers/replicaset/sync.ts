// One reconcile of a ReplicaSet/ReplicationController by key (Kubernetes'
// syncReplicaSet): claim the pods (adopt orphans, release non-matching),
// create or delete pods toward spec.replicas when expectations allow, then
// write status. Reads come from the informer caches; writes go through the
// client.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { splitKey, keyOf } from '../../client/informer.ts';
import { isConflict, isNotFound } from '../../client/rest.ts';
import { claimObjects, newControllerRef, recheckOwner } from '../util/controllerref.ts';
import { filterActivePods } from '../util/pods.ts';
import { colocationRank, podsToDelete } from '../util/ranking.ts';
import { slowStartBatch } from '../util/slowstart.ts';
import { errorMessage, isNamespaceTerminating } from '../util/podcontrol.ts';
import type { ReplicaSetController } from './controller.ts';
import { BY_NAMESPACE } from '../util/indexes.ts';
import type { Replicated } from './kinds.ts';
import { calculateStatus, statusEqual } from './status.ts';

/** The pod a template makes (Kubernetes' GetPodFromTemplate). */
export function podFromTemplate(owner: Replicated): Pod {
  const t = owner.spec?.template ?? {};
  const m = owner.metadata ?? {};
  const meta: Pod['metadata'] = {
    generateName: `${m.name}-`,
    namespace: m.namespace,
    ownerReferences: [newControllerRef(owner)],
  };
  if (t.metadata?.labels) meta.labels = { ...t.metadata.labels };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) meta.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(t.spec) as Pod['spec'] };
}

export async function syncReplicaSet(c: ReplicaSetController, key: string): Promise<void> {
  const cached = c.owners.get(key);
  if (!cached) {
    c.expectations.delete(key);
    return;
  }
  // List items may come without apiVersion/kind; owner references need them.
  const owner: Replicated = { ...cached, apiVersion: c.kind.apiVersion, kind: c.kind.kind };
  const { namespace } = splitKey(key);
  let selector;
  try {
    selector = c.kind.selector(owner);
  } catch (e) {
    // Validation keeps bad selectors out; one that slips through is logged, not retried.
    c.log(`${key}: invalid selector: ${errorMessage(e)}`);
    return;
  }
  const needsSync = c.expectations.satisfied(key);
  const candidates = filterActivePods(c.pods.byIndex(BY_NAMESPACE, namespace));
  const pods = await claimObjects({
    owner,
    objects: candidates,
    matches: (p) => selector.matches(p.metadata?.labels),
    handle: c.podHandle,
    canAdopt: recheckOwner(() => c.ownerHandle.get(namespace, owner.metadata!.name!), owner),
  });

  let manageError: unknown;
  if (needsSync && !owner.metadata?.deletionTimestamp) {
    try {
      await manageReplicas(c, key, owner, pods);
    } catch (e) {
      manageError = e;
    }
  }

  const status = calculateStatus(owner, pods, manageError, Date.now());
  let current = owner;
  if (!statusEqual(owner.status, status)) {
    try {
      current = await c.ownerHandle.updateStatus(namespace, { ...owner, status });
    } catch (e) {
      // A newer object is on its way through the informer; its event resyncs.
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }
  if (manageError !== undefined) throw manageError;
  const replicas = current.spec?.replicas ?? 1;
  const minReady = current.spec?.minReadySeconds ?? 0;
  const ready = current.status?.readyReplicas ?? 0;
  const available = current.status?.availableReplicas ?? 0;
  if (minReady > 0 && ready === replicas && available !== replicas) {
    c.queue.addAfter(key, minReady * 1000);
  }
}

async function manageReplicas(c: ReplicaSetController, key: string, owner: Replicated, pods: Pod[]): Promise<void> {
  const want = owner.spec?.replicas ?? 1;
  const { namespace } = splitKey(key);
  let diff = pods.length - want;
  if (diff < 0) {
    diff = Math.min(-diff, c.burstReplicas);
    // Expect before creating: the informer may deliver a create before the request returns.
    c.expectations.expectCreations(key, diff);
    const template = podFromTemplate(owner);
    const { succeeded, error } = await slowStartBatch(diff, 1, async () => {
      try {
        await c.podControl.create(owner, namespace, template);
      } catch (e) {
        // A terminating namespace refuses creates; that is not the owner's failure.
        if (!isNamespaceTerminating(e)) throw e;
      }
    });
    const skipped = diff - succeeded;
    if (skipped > 0) c.expectations.lowerCreations(key, skipped);
    if (error !== undefined) throw error;
  } else if (diff > 0) {
    diff = Math.min(diff, c.burstReplicas);
    const victims = podsToDelete(pods, diff, colocationRank(pods));
    c.expectations.expectDeletions(key, victims.map(keyOf));
    const results = await Promise.allSettled(
      victims.map(async (pod) => {
        // A delete that failed, or found the pod gone, will never be observed.
        const deleted = await c.podControl.delete(owner, pod).catch((e: unknown) => {
          c.expectations.deletionObserved(key, keyOf(pod));
          throw e;
        });
        if (!deleted) c.expectations.deletionObserved(key, keyOf(pod));
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
