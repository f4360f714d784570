// One StatefulSet sync (Kubernetes' defaultStatefulSetControl.updateStatefulSet):
// create missing pods and their claims in ordinal order, each waiting for the
// previous to be Running and Ready under OrderedReady (all at once under
// Parallel), delete pods beyond the replica count from the highest ordinal
// down, then roll pods to the update revision from the highest ordinal down
// to the partition, one at a time. The writes go through `ops`, so the logic
// is testable without a server.

import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodTerminal, isBeingDeleted, isRunningAndReady, msUntilAvailable } from '../util/pods.ts';
import { claimsFor, newStatefulSetPod, ordinalOf, podRevision, startOrdinal } from './identity.ts';

export interface StatefulSetOps {
  claimExists(namespace: string, name: string): boolean;
  createClaim(set: StatefulSet, claim: PersistentVolumeClaim, pod: Pod): Promise<void>;
  createPod(set: StatefulSet, pod: Pod): Promise<void>;
  deletePod(set: StatefulSet, pod: Pod): Promise<void>;
}

export interface Revisions {
  current: { name: string; template: PodTemplateSpec };
  update: { name: string; template: PodTemplateSpec };
}

export interface SyncResult {
  status: StatefulSetStatus;
  /** Look again after this long (a ready pod becoming available under minReadySeconds). */
  recheckAfterMs?: number;
}

/** Which revision a new pod of `ordinal` starts at (newVersionedStatefulSetPod). */
function revisionForNewPod(set: StatefulSet, ordinal: number, revs: Revisions): { name: string; template: PodTemplateSpec } {
  const strategy = set.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const ru = strategy?.rollingUpdate;
  if (rolling && !ru && ordinal < (set.status?.currentReplicas ?? 0)) return revs.current;
  if (rolling && ru && ordinal < (ru.partition ?? 0)) return revs.current;
  return revs.update;
}

export async function syncStatefulSet(set: StatefulSet, pods: Pod[], revs: Revisions, ops: StatefulSetOps, now = Date.now()): Promise<SyncResult> {
  const result: SyncResult = { status: computeStatus(set, pods, revs, now) };
  const minReady = set.spec?.minReadySeconds ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const start = startOrdinal(set);
  const count = set.spec?.replicas ?? 1;
  const ns = set.metadata!.namespace!;

  const replicas: (Pod | undefined)[] = new Array(count).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(set, pod);
    if (ord < 0) continue;
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  if (set.metadata?.deletionTimestamp) return result;

  const healthy = (p: Pod) => isRunningAndReady(p) && !isBeingDeleted(p) && isPodAvailable(p, minReady, now);
  const firstUnhealthy = [...replicas, ...[...condemned].reverse()].find((p) => p && !healthy(p));
  let recheck = 0;

  const ensureClaims = async (pod: Pod, ordinal: number) => {
    for (const claim of claimsFor(set, ordinal)) {
      if (!ops.claimExists(ns, claim.metadata!.name!)) await ops.createClaim(set, claim, pod);
    }
  };

  for (let i = 0; i < count; i++) {
    const ordinal = start + i;
    let pod = replicas[i];
    // A finished pod is replaced (a StatefulSet pod should never finish).
    if (pod && isPodTerminal(pod) && !isBeingDeleted(pod)) {
      await ops.deletePod(set, pod);
      if (monotonic) return result;
      continue;
    }
    if (!pod) {
      const rev = revisionForNewPod(set, ordinal, revs);
      pod = newStatefulSetPod(set, rev.template, ordinal, rev.name);
      await ensureClaims(pod, ordinal);
      await ops.createPod(set, pod);
      if (monotonic) return result;
      continue;
    }
    if (isBeingDeleted(pod)) {
      if (monotonic) return result;
      continue;
    }
    // Claims deleted under a live pod come back (storageMatches in Kubernetes).
    await ensureClaims(pod, ordinal);
    if (!isRunningAndReady(pod)) {
      if (monotonic) return result;
      continue;
    }
    if (!isPodAvailable(pod, minReady, now)) {
      recheck = Math.max(recheck, msUntilAvailable(pod, minReady, now));
      if (monotonic) return withRecheck(result, recheck);
    }
  }

  // Scale down: the highest ordinal first, one at a time under OrderedReady.
  for (const pod of condemned) {
    if (isBeingDeleted(pod)) {
      if (monotonic) return withRecheck(result, recheck);
      continue;
    }
    if (monotonic && !healthy(pod) && pod !== firstUnhealthy) return withRecheck(result, recheck);
    await ops.deletePod(set, pod);
    if (monotonic) return withRecheck(result, recheck);
  }

  const strategy = set.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return withRecheck(result, recheck);
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  // Rolling update: the highest ordinal first, down to the partition, one pod at a time.
  for (let i = count - 1; i >= Math.max(0, partition - start); i--) {
    const pod = replicas[i];
    if (!pod) return withRecheck(result, recheck);
    if (podRevision(pod) !== revs.update.name && !isBeingDeleted(pod)) {
      await ops.deletePod(set, pod);
      return withRecheck(result, recheck);
    }
    if (!healthy(pod)) return withRecheck(result, recheck);
  }
  return withRecheck(result, recheck);
}

function withRecheck(r: SyncResult, ms: number): SyncResult {
  if (ms > 0) r.recheckAfterMs = ms + 50;
  return r;
}

/** The status the pods as cached give (computeReplicaStatus + completeRollingUpdate). */
export function computeStatus(set: StatefulSet, pods: Pod[], revs: Revisions, now = Date.now()): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const st: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: revs.current.name,
    updateRevision: revs.update.name,
    collisionCount: set.status?.collisionCount ?? 0,
  };
  for (const pod of pods) {
    if (ordinalOf(set, pod) < 0) continue;
    st.replicas++;
    if (isRunningAndReady(pod)) {
      st.readyReplicas!++;
      if (isPodAvailable(pod, minReady, now)) st.availableReplicas!++;
    }
    if (isBeingDeleted(pod)) continue;
    const rev = podRevision(pod);
    if (rev === revs.current.name) st.currentReplicas!++;
    if (rev === revs.update.name) st.updatedReplicas!++;
  }
  // A finished rolling update makes the update revision current.
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
    st.currentReplicas = st.updatedReplicas;
    st.currentRevision = st.updateRevision;
  }
  return st;
}
