// Kubernetes' defaults for batch/v1 Job and CronJob.

import { defaultPodTemplateSpec } from './core.ts';

type Obj = Record<string, any>;

export function defaultJobSpec(spec: Obj): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (spec.backoffLimitPerIndex == null) spec.backoffLimit ??= 6;
  spec.completionMode ||= 'NonIndexed';
  spec.suspend ??= false;
  if (spec.podFailurePolicy == null) spec.podReplacementPolicy ||= 'TerminatingOrFailed';
  defaultPodTemplateSpec(spec.template);
}

export function defaultJob(job: Obj): void {
  defaultJobSpec((job.spec ??= {}));
}

export function defaultCronJob(cj: Obj): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultJobSpec(((spec.jobTemplate ??= {}).spec ??= {}));
}
