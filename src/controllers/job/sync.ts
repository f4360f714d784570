// One Job's reconcile, Kubernetes' syncJob in small: count the pods that
// finished (through status.uncountedTerminatedPods and the job-tracking
// finalizer, so no pod is counted twice or lost when it is deleted), decide
// whether the Job has finished (completions, backoffLimit, activeDeadline,
// podFailurePolicy), create or delete pods toward parallelism (after the
// failure backoff), and write status and conditions.

import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { timestamp } from '../../api/meta.ts';
import { ApiError, isConflict, isNotFound, type ResourceHandle } from '../../client/rest.ts';
import { remainingBackoffMs, updateBackoff, type BackoffDurations, type BackoffRecord } from './backoff.ts';
import type { Clock } from '../util/clock.ts';
import * as cond from './conditions.ts';
import type { EventSink } from '../util/events.ts';
import type { ControllerExpectations } from '../util/expectations.ts';
import type { PodControl } from '../util/podcontrol.ts';
import { slowStartBatch } from '../util/slowstart.ts';
import { completionIndex, formatIndexes, parseIndexes, pendingIndexes } from './indexed.ts';
import { matchPodFailurePolicy } from './podfailurepolicy.ts';
import { finishTime, hasTrackingFinalizer, isPodFailed, JOB_TRACKING_FINALIZER, podFromTemplate, restartCount } from './pods.ts';
import { byCreation, isPodReady, isPodTerminating, podIsActive } from '../util/pods.ts';

/** Kubernetes' cap on pod creations and deletions in one sync. */
const MAX_POD_CHANGES_PER_SYNC = 500;

export interface JobSyncDeps {
  jobs: ResourceHandle<Job>;
  pods: ResourceHandle<Pod>;
  clock: Clock;
  events: EventSink;
  expectations: ControllerExpectations;
  podControl: PodControl;
  backoffDurations: BackoffDurations;
  /** The newest Job known (cache or our own last write). */
  getJob(key: string): Job | undefined;
  /** Pods whose controller is this Job, from the cache. */
  podsOf(job: Job): Pod[];
  /** Remembers a status we wrote, so a lagging cache does not undo it. */
  written(key: string, job: Job): void;
  requeueAt(key: string, at: Date): void;
  /** Per Job: failures since the last success. */
  backoff: Map<string, BackoffRecord>;
  /** Per Job: uids whose finalizer we removed (and counted), until the cache shows it. */
  finalizerRemoved: Map<string, Set<string>>;
  log?: (line: string) => void;
}

export async function syncJob(d: JobSyncDeps, key: string): Promise<void> {
  const job = d.getJob(key);
  if (!job) {
    d.expectations.delete(key);
    d.backoff.delete(key);
    d.finalizerRemoved.delete(key);
    return;
  }
  const pods = d.podsOf(job);
  const removed = d.finalizerRemoved.get(key) ?? new Set<string>();
  d.finalizerRemoved.set(key, removed);
  for (const uid of removed) if (!pods.some((p) => p.metadata?.uid === uid && hasTrackingFinalizer(p))) removed.delete(uid);

  if (job.metadata?.deletionTimestamp || cond.isFinished(job)) {
    // Nothing more is counted: let any pod still held go.
    await removeFinalizers(d, pods.filter((p) => hasTrackingFinalizer(p) && !removed.has(p.metadata!.uid!)), removed);
    return;
  }

  const now = d.clock.now();
  const nowStr = timestamp(now);
  const spec = job.spec!;
  const status: JobStatus = structuredClone(job.status ?? {});
  const conditions = (status.conditions ??= []);
  const indexed = spec.completionMode === 'Indexed';
  const completions = spec.completions ?? undefined;
  const parallelism = spec.parallelism ?? 1;
  const suspended = spec.suspend === true;
  const uncountedSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  let interim = conditions.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');

  // 1. Pods that finished since we last looked.
  const newSucceeded: Pod[] = [];
  const newFailed: Pod[] = [];
  const uncountable: Pod[] = [];
  let failJobMessage: string | undefined;
  for (const pod of pods) {
    const uid = pod.metadata!.uid!;
    if (!hasTrackingFinalizer(pod) || removed.has(uid) || uncountedSucceeded.has(uid) || uncountedFailed.has(uid)) continue;
    if (pod.status?.phase === 'Succeeded') newSucceeded.push(pod);
    else if (isPodFailed(pod, job)) {
      // Pods stopped because the Job succeeded or was suspended are not failures.
      if (pod.status?.phase !== 'Failed' && (suspended || interim?.type === 'SuccessCriteriaMet')) {
        uncountable.push(pod);
        continue;
      }
      const m = pod.status?.phase === 'Failed' ? matchPodFailurePolicy(job, pod) : { action: 'Count' as const };
      if (m.action === 'Ignore') uncountable.push(pod);
      else {
        newFailed.push(pod);
        if (m.action === 'FailJob') failJobMessage ??= m.message;
      }
    }
  }
  for (const p of newSucceeded) uncountedSucceeded.add(p.metadata!.uid!);
  for (const p of newFailed) uncountedFailed.add(p.metadata!.uid!);
  if (newSucceeded.length || newFailed.length) {
    const nowMs = now.getTime();
    d.backoff.set(key, updateBackoff(d.backoff.get(key) ?? { failuresAfterLastSuccess: 0 }, newSucceeded.map((p) => finishTime(p, nowMs)), newFailed.map((p) => finishTime(p, nowMs))));
  }

  // 2. Where the Job stands.
  let active = pods.filter(podIsActive);
  const terminating = pods.filter(isPodTerminating).length;
  const failedCount = (status.failed ?? 0) + uncountedFailed.size;
  const succeededIdx = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
  if (indexed) {
    for (const p of pods) {
      const i = completionIndex(p);
      if (uncountedSucceeded.has(p.metadata!.uid!) && i !== undefined && i < (completions ?? 0)) succeededIdx.add(i);
    }
  }
  const succeededCount = indexed ? succeededIdx.size : (status.succeeded ?? 0) + uncountedSucceeded.size;

  if (!suspended && !status.startTime) status.startTime = nowStr;
  if (suspended && !interim) {
    if (cond.setCondition(conditions, cond.newCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', nowStr))) d.events.event(job, 'Normal', 'Suspended', 'Job suspended');
  } else if (!suspended && cond.hasCondition(job, 'Suspended')) {
    cond.setCondition(conditions, cond.newCondition('Suspended', 'False', 'JobResumed', 'Job resumed', nowStr));
    d.events.event(job, 'Normal', 'Resumed', 'Job resumed');
    // A resumed Job's activeDeadlineSeconds counts from now.
    status.startTime = nowStr;
  }

  if (!interim) {
    const backoffLimit = spec.backoffLimit ?? 6;
    const restarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + restartCount(p), 0) : 0;
    const pastOnFailure = spec.template?.spec?.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit) && restarts > 0;
    const deadline = pastDeadline(job, status, now);
    let complete: boolean;
    if (indexed || completions !== undefined) complete = succeededCount >= (completions ?? 0);
    else complete = succeededCount > 0 && active.length === 0;
    if (failJobMessage) interim = cond.newCondition('FailureTarget', 'True', cond.REASON_POD_FAILURE_POLICY, failJobMessage, nowStr);
    else if (failedCount > backoffLimit || pastOnFailure) interim = cond.newCondition('FailureTarget', 'True', cond.REASON_BACKOFF_LIMIT, cond.MSG_BACKOFF_LIMIT, nowStr);
    else if (deadline) interim = cond.newCondition('FailureTarget', 'True', cond.REASON_DEADLINE, cond.MSG_DEADLINE, nowStr);
    else if (complete) interim = cond.newCondition('SuccessCriteriaMet', 'True', cond.REASON_COMPLETIONS_REACHED, cond.MSG_COMPLETIONS_REACHED, nowStr);
    if (interim) cond.setCondition(conditions, interim);
    else if (spec.activeDeadlineSeconds && status.startTime && !suspended) {
      d.requeueAt(key, new Date(Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000));
    }
  }

  // 3. Pods toward what the Job wants.
  let created = 0;
  const deleted = new Set<string>();
  if (d.expectations.satisfied(key)) {
    const toDelete: Pod[] = [];
    let toCreate: (number | undefined)[] = [];
    if (interim || suspended) toDelete.push(...active);
    else {
      if (indexed) {
        // Pods for an index that is done, out of range, or taken twice go.
        const seen = new Set<number>();
        for (const p of [...active].sort(byCreation)) {
          const i = completionIndex(p);
          if (i === undefined || i >= (completions ?? 0) || succeededIdx.has(i) || seen.has(i)) toDelete.push(p);
          else seen.add(i);
        }
      }
      let keep = active.filter((p) => !toDelete.includes(p));
      let want: number;
      if (indexed) want = Math.min(parallelism, (completions ?? 0) - succeededIdx.size);
      else if (completions === undefined) want = succeededCount > 0 ? keep.length : parallelism;
      else want = Math.min(parallelism, Math.max(0, completions - succeededCount));
      if (keep.length > want) {
        const excess = [...keep].sort(deletionOrder).slice(0, keep.length - want);
        toDelete.push(...excess);
        keep = keep.filter((p) => !excess.includes(p));
      }
      const diff = Math.min(want - keep.length, MAX_POD_CHANGES_PER_SYNC);
      const waitForTerminating = spec.podReplacementPolicy === 'Failed' && terminating > 0;
      if (diff > 0 && !waitForTerminating) {
        const wait = remainingBackoffMs(d.backoff.get(key) ?? { failuresAfterLastSuccess: 0 }, now.getTime(), d.backoffDurations);
        if (wait > 0) d.requeueAt(key, new Date(now.getTime() + wait));
        else if (indexed) {
          const taken = new Set(keep.map((p) => completionIndex(p)!));
          toCreate = pendingIndexes(completions ?? 0, succeededIdx, taken, diff);
        } else toCreate = Array.from({ length: diff }, () => undefined);
      }
    }
    d.expectations.expect(key, toCreate.length, toDelete.map((p) => p.metadata!.uid!));
    for (const p of toDelete.slice(0, MAX_POD_CHANGES_PER_SYNC)) {
      try {
        await d.podControl.delete(job, p);
      } finally {
        d.expectations.deletionObserved(key, p.metadata!.uid!);
      }
      deleted.add(p.metadata!.uid!);
    }
    created = await createPods(d, job, key, toCreate);
    active = active.filter((p) => !deleted.has(p.metadata!.uid!));
  }

  // active is omitempty in Kubernetes' types; ready and terminating are pointers, written as 0.
  status.active = active.length + created || undefined;
  status.ready = active.filter(isPodReady).length;
  status.terminating = terminating + deleted.size;

  // 4. Record what finished before letting its pods go, then count it.
  const hasNew = newSucceeded.length + newFailed.length > 0;
  status.uncountedTerminatedPods = uncountedObj(uncountedSucceeded, uncountedFailed);
  let current = job;
  if (hasNew) current = await writeStatus(d, key, current, status);
  const toRelease = pods.filter((p) => hasTrackingFinalizer(p) && !removed.has(p.metadata!.uid!) && (uncountedSucceeded.has(p.metadata!.uid!) || uncountedFailed.has(p.metadata!.uid!) || uncountable.includes(p)));
  await removeFinalizers(d, toRelease, removed);
  if (uncountedSucceeded.size || uncountedFailed.size) {
    if (indexed) {
      status.completedIndexes = formatIndexes(succeededIdx);
      status.succeeded = succeededIdx.size || undefined;
    } else status.succeeded = (status.succeeded ?? 0) + uncountedSucceeded.size || undefined;
    status.failed = (status.failed ?? 0) + uncountedFailed.size || undefined;
    status.uncountedTerminatedPods = {};
  }
  if (interim && !status.active && status.terminating === 0) finish(d, job, status, interim, nowStr);
  if (!sameStatus(current.status, status)) await writeStatus(d, key, current, status);
}

/** Adds the terminal condition that follows the interim one. */
function finish(d: JobSyncDeps, job: Job, status: JobStatus, interim: NonNullable<JobStatus['conditions']>[number], now: string): void {
  const conditions = status.conditions!;
  if (interim.type === 'SuccessCriteriaMet') {
    cond.setCondition(conditions, cond.newCondition('Complete', 'True', interim.reason!, interim.message!, now));
    status.completionTime = now;
    d.events.event(job, 'Normal', 'Completed', 'Job completed');
  } else {
    cond.setCondition(conditions, cond.newCondition('Failed', 'True', interim.reason!, interim.message!, now));
    d.events.event(job, 'Warning', interim.reason!, interim.message!);
  }
  // A finished Job is no longer suspended in any sense that matters; Kubernetes leaves the condition as it was.
}

function pastDeadline(job: Job, status: JobStatus, now: Date): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  if (!ads || !status.startTime || job.spec?.suspend) return false;
  return now.getTime() - Date.parse(status.startTime) >= ads * 1000;
}

function uncountedObj(s: Set<string>, f: Set<string>): JobStatus['uncountedTerminatedPods'] {
  const o: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (s.size) o.succeeded = [...s];
  if (f.size) o.failed = [...f];
  return o;
}

function sameStatus(a: JobStatus | undefined, b: JobStatus): boolean {
  const norm = (s: JobStatus | undefined) => JSON.stringify(s ?? {}, (_, v) => (v === undefined ? undefined : v));
  return norm(a) === norm(b);
}

/** Which active pods to delete first: unscheduled, then not ready, then the newest. */
function deletionOrder(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  return -byCreation(a, b);
}

async function writeStatus(d: JobSyncDeps, key: string, job: Job, status: JobStatus): Promise<Job> {
  const clean = JSON.parse(JSON.stringify(status)) as JobStatus;
  const out = await d.jobs.updateStatus(job.metadata!.namespace, { ...job, status: clean });
  d.written(key, out);
  return out;
}

/** Creates pods in batches of 1, 2, 4... (Kubernetes' slow start), stopping at the first failed batch. */
async function createPods(d: JobSyncDeps, job: Job, key: string, indexes: (number | undefined)[]): Promise<number> {
  const { succeeded, error } = await slowStartBatch(indexes.length, 1, async (i) => {
    await d.podControl.create(job, job.metadata!.namespace, podFromTemplate(job, indexes[i]));
  });
  if (error !== undefined) {
    // What was not created will never be seen: stop expecting it.
    d.expectations.lowerCreations(key, indexes.length - succeeded);
    throw error;
  }
  return succeeded;
}

/** Takes the job-tracking finalizer off each pod (a JSON patch tested against the cached list, re-read on a mismatch). */
async function removeFinalizers(d: JobSyncDeps, pods: Pod[], removed: Set<string>): Promise<void> {
  await Promise.all(
    pods.map(async (pod) => {
      const ns = pod.metadata!.namespace;
      const name = pod.metadata!.name!;
      let cur = pod;
      for (let attempt = 0; attempt < 3; attempt++) {
        const fins = cur.metadata?.finalizers ?? [];
        const i = fins.indexOf(JOB_TRACKING_FINALIZER);
        if (i < 0 || cur.metadata?.uid !== pod.metadata?.uid) break;
        try {
          await d.pods.patch(ns, name, 'json', [
            { op: 'test', path: `/metadata/finalizers/${i}`, value: JOB_TRACKING_FINALIZER },
            { op: 'remove', path: `/metadata/finalizers/${i}` },
          ]);
          break;
        } catch (e) {
          if (isNotFound(e)) break;
          // A failed test (the list moved under us) is 422: read the pod again.
          if (!(e instanceof ApiError && e.code === 422) && !isConflict(e)) throw e;
          try {
            cur = await d.pods.get(ns, name);
          } catch (e2) {
            if (isNotFound(e2)) break;
            throw e2;
          }
        }
      }
      removed.add(pod.metadata!.uid!);
    }),
  );
}
