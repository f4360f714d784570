// One CronJob's reconcile, Kubernetes' syncCronJob: bring status.active in
// line with the Jobs that exist, record successes, trim finished Jobs to the
// history limits, then start the Job for the most recent missed start time
// (honouring suspend, startingDeadlineSeconds and concurrencyPolicy) and
// answer when to look again (the next start time; no polling).

import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { timestamp } from '../../api/meta.ts';
import { isAlreadyExists, isNotFound, type ResourceHandle } from '../../client/rest.ts';
import type { Clock } from '../util/clock.ts';
import { newControllerRef } from '../util/controllerref.ts';
import { findCondition } from '../job/conditions.ts';
import type { EventSink } from '../util/events.ts';
import { formatInZone, jobNameFor, MAX_MISSED, missedStartTimes, parseSchedule, type Schedule } from './schedule.ts';

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Kubernetes looks again a little after the start time, so the clock has surely passed it. */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobSyncDeps {
  cronJobs: ResourceHandle<CronJob>;
  jobs: ResourceHandle<Job>;
  clock: Clock;
  events: EventSink;
  getCronJob(key: string): CronJob | undefined;
  jobsOf(cj: CronJob): Job[];
  written(key: string, cj: CronJob): void;
}

/** The finished condition of a Job (Complete or Failed, True), if any. */
function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  if (findCondition(job, 'Complete')?.status === 'True') return 'Complete';
  if (findCondition(job, 'Failed')?.status === 'True') return 'Failed';
  return undefined;
}

function refTo(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata!.namespace, name: job.metadata!.name, uid: job.metadata!.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata!.resourceVersion };
}

/** Reconciles one CronJob; answers when it wants to be looked at again, if ever. */
export async function syncCronJob(d: CronJobSyncDeps, key: string): Promise<Date | undefined> {
  const cj = d.getCronJob(key);
  if (!cj || cj.metadata?.deletionTimestamp) return undefined;
  const ns = cj.metadata!.namespace!;
  const now = d.clock.now();
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  let active = [...(status.active ?? [])];
  const children = d.jobsOf(cj);
  const childUIDs = new Set(children.map((j) => j.metadata!.uid));

  // 1. status.active against the Jobs that exist.
  for (const j of children) {
    const inActive = active.some((r) => r.uid === j.metadata!.uid);
    const done = finishedType(j);
    if (!inActive && !done) {
      d.events.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata!.name}`);
      active.push(refTo(j));
    } else if (inActive && done) {
      d.events.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata!.name}, condition: ${done}`);
      active = active.filter((r) => r.uid !== j.metadata!.uid);
    }
    const completed = j.status?.completionTime;
    if (done === 'Complete' && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = completed;
  }
  for (const ref of [...active]) {
    if (childUIDs.has(ref.uid)) continue;
    // Not in the cache: ask the server before dropping it.
    let gone = false;
    try {
      const j = await d.jobs.get(ns, ref.name!);
      gone = j.metadata?.uid !== ref.uid;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      gone = true;
    }
    if (gone) {
      d.events.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      active = active.filter((r) => r.uid !== ref.uid);
    }
  }

  // 2. History limits: the oldest finished Jobs beyond them go.
  await trimHistory(d, cj, children.filter((j) => finishedType(j) === 'Complete'), cj.spec?.successfulJobsHistoryLimit);
  await trimHistory(d, cj, children.filter((j) => finishedType(j) === 'Failed'), cj.spec?.failedJobsHistoryLimit);

  const done = async (next?: Date) => {
    status.active = active.length ? active : undefined;
    await writeStatus(d, key, cj, status);
    return next;
  };

  if (cj.spec?.suspend) return done();
  let sched: Schedule;
  try {
    sched = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
  } catch (e) {
    const msg = (e as Error).message;
    if (/time zone/.test(msg)) d.events.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${cj.spec?.timeZone ?? ''}": ${msg}`);
    else d.events.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule ?? ''}" : ${msg}`);
    return done();
  }
  const nextAt = () => {
    const n = sched.next(now);
    return n ? new Date(n.getTime() + NEXT_SCHEDULE_DELTA_MS) : undefined;
  };

  // 3. The most recent start time that has not been started.
  const earliest = new Date(status.lastScheduleTime ?? cj.metadata!.creationTimestamp!);
  const missed = missedStartTimes(sched, earliest, now, cj.spec?.startingDeadlineSeconds);
  if (missed.count > MAX_MISSED) d.events.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  const scheduled = missed.mostRecent;
  if (!scheduled) return done(nextAt());
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds != null && scheduled.getTime() + sds * 1000 < now.getTime()) {
    d.events.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${scheduled.toUTCString()}`);
    return done(nextAt());
  }
  const name = jobNameFor(cj.metadata!.name!, scheduled);
  if (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled.getTime()) return done(nextAt());
  if (active.some((r) => r.name === name) || children.some((j) => j.metadata!.name === name)) {
    // Started already (a status write was lost): record it.
    status.lastScheduleTime = timestamp(scheduled);
    return done(nextAt());
  }

  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    // The start time stays unstarted: it runs when the active Job finishes, if still within the deadline.
    d.events.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return done(nextAt());
  }
  if (policy === 'Replace') {
    for (const ref of [...active]) {
      try {
        await d.jobs.delete(ns, ref.name!, { propagationPolicy: 'Background', preconditions: ref.uid ? { uid: ref.uid } : undefined });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      d.events.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
      active = active.filter((r) => r !== ref);
    }
  }

  // 4. Start it.
  let job: Job;
  try {
    job = await d.jobs.create(ns, jobFromTemplate(cj, name, scheduled, sched.timeZone));
    d.events.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
  } catch (e) {
    if (!isAlreadyExists(e)) {
      d.events.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
    // Created before (we crashed before recording it, or the cache lags): ours only if we own it.
    job = await d.jobs.get(ns, name);
    if (!job.metadata?.ownerReferences?.some((r) => r.controller && r.uid === cj.metadata!.uid)) {
      d.events.event(cj, 'Warning', 'FailedCreate', `Error creating job: a job named ${name} exists and is not controlled by this cronjob`);
      return done(nextAt());
    }
  }
  if (!finishedType(job) && !active.some((r) => r.uid === job.metadata!.uid)) active.push(refTo(job));
  status.lastScheduleTime = timestamp(scheduled);
  return done(nextAt());
}

/** The Job for one start time: the template's labels and annotations, the scheduled-timestamp annotation, owned by the CronJob. */
export function jobFromTemplate(cj: CronJob, name: string, scheduled: Date, timeZone: string): Job {
  const tpl = structuredClone(cj.spec!.jobTemplate);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata!.namespace,
      labels: tpl.metadata?.labels,
      annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: formatInZone(scheduled, timeZone) },
      ownerReferences: [newControllerRef(cj, { apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: tpl.spec,
  };
}

async function trimHistory(d: CronJobSyncDeps, cj: CronJob, finished: Job[], limit: number | undefined): Promise<void> {
  if (limit == null || finished.length <= limit) return;
  // Oldest first by start time (a Job that never started counts as oldest), then by name.
  const sorted = [...finished].sort((a, b) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? '') || a.metadata!.name!.localeCompare(b.metadata!.name!));
  for (const j of sorted.slice(0, finished.length - limit)) {
    try {
      await d.jobs.delete(j.metadata!.namespace, j.metadata!.name!, { propagationPolicy: 'Background' });
      d.events.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata!.name}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

async function writeStatus(d: CronJobSyncDeps, key: string, cj: CronJob, status: CronJobStatus): Promise<void> {
  const clean = JSON.parse(JSON.stringify(status)) as CronJobStatus;
  if (JSON.stringify(clean) === JSON.stringify(cj.status ?? {})) return;
  const out = await d.cronJobs.updateStatus(cj.metadata!.namespace, { ...cj, status: clean });
  d.written(key, out);
}
