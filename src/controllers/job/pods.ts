// What the Job controller reads from and writes into pods: phases and
// readiness, when a pod finished, the job-tracking finalizer, and the pod a
// Job's template makes (owner reference, finalizer, completion index).

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../util/controllerref.ts';
import { COMPLETION_INDEX } from './indexed.ts';

/** Kubernetes keeps a finished pod until the Job controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/**
 * Whether the pod counts as a failure: Failed, or (unless the Job replaces
 * only Failed pods) deleted before it succeeded — an orphaned pod never gets
 * the chance to reach Failed.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** When the pod finished: its containers' latest finish, else its deletion, else `now`. */
export function finishTime(pod: Pod, now: number): number {
  let latest = 0;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const t = s.state?.terminated?.finishedAt;
    if (t) latest = Math.max(latest, Date.parse(t));
  }
  if (latest > 0) return latest;
  if (pod.metadata?.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return now;
}

/** Sum of container restarts: what backoffLimit counts when restartPolicy is OnFailure. */
export function restartCount(pod: Pod): number {
  let n = 0;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) n += s.restartCount ?? 0;
  return n;
}

/** The pod a Job creates from its template; for Indexed jobs, for one completion index. */
export function podFromTemplate(job: Job, index: number | undefined): Pod {
  const tpl = structuredClone(job.spec?.template ?? {});
  const name = job.metadata!.name!;
  const meta = tpl.metadata ?? {};
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  const spec = tpl.spec ?? { containers: [] };
  if (index !== undefined) {
    annotations[COMPLETION_INDEX] = String(index);
    labels[COMPLETION_INDEX] = String(index);
    // Pods of an Indexed Job find each other by <job>-<index> under a headless service named by subdomain.
    spec.hostname ??= `${name}-${index}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
    const addEnv = (c: Container) => {
      if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), env];
    };
    spec.containers.forEach(addEnv);
    spec.initContainers?.forEach(addEnv);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata!.namespace,
      labels,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      finalizers: [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [newControllerRef(job, { apiVersion: 'batch/v1', kind: 'Job' })],
    },
    spec,
  };
}
