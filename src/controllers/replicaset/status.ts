// A replica set's status from its pods (Kubernetes' calculateStatus in
// replica_set_utils.go): counts, observedGeneration and the ReplicaFailure
// condition that carries the last create/delete error. Pure.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.ts';
import { timestamp } from '../../api/meta.ts';
import { errorMessage } from '../util/podcontrol.ts';
import { isPodAvailable, isPodReady } from '../util/pods.ts';
import type { Replicated, ReplicaSetCondition, ReplicaSetStatus } from './kinds.ts';

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * `pods` are the active pods the object owns, counted before this sync's
 * creates and deletes; `manageError` is the error those returned, if any.
 */
export function calculateStatus(rs: Replicated, pods: Pod[], manageError: unknown, now: number): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec?.template?.metadata?.labels);
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: timestamp(new Date(now)), reason, message: errorMessage(manageError) });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation ?? rs.status?.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** The fields a status write carries compare equal (Kubernetes skips the write then). */
export function statusEqual(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const x = a ?? { replicas: 0 };
  return (
    (x.replicas ?? 0) === (b.replicas ?? 0) &&
    (x.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (x.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (x.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    (x.observedGeneration ?? 0) === (b.observedGeneration ?? 0) &&
    JSON.stringify(x.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
