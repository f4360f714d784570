// Job conditions as Kubernetes 1.32 sets them: an interim condition first
// (SuccessCriteriaMet or FailureTarget) while the Job's remaining pods stop,
// then the terminal one (Complete or Failed) with the same reason once none
// is left; Suspended while spec.suspend holds.

import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';

export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const MSG_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';
export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded';
export const MSG_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE = 'DeadlineExceeded';
export const MSG_DEADLINE = 'Job was active longer than specified deadline';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type);
}

export function hasCondition(job: Job, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed: nothing more happens to the Job but TTL cleanup. */
export function isFinished(job: Job): boolean {
  return hasCondition(job, 'Complete') || hasCondition(job, 'Failed');
}

/** When the Job finished: the transition time of its terminal condition. */
export function finishedAt(job: Job): Date | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.lastTransitionTime ? new Date(c.lastTransitionTime) : undefined;
  }
  return undefined;
}

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: string): JobCondition {
  return { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
}

/**
 * Sets a condition: a new type is appended; an existing one changes (with a
 * new transition time) only when its status does, else keeps its times.
 * Answers whether anything changed.
 */
export function setCondition(conditions: JobCondition[], c: JobCondition): boolean {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i < 0) {
    conditions.push(c);
    return true;
  }
  const old = conditions[i];
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return false;
  conditions[i] = old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  return true;
}
