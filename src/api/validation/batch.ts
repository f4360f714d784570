// batch/v1 Job and CronJob validation, in Kubernetes' wording.

import type { Job, CronJob } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { invalid, notSupported, required, Path, type FieldError } from './field.ts';
import { validateObjectMeta, validateObjectMetaUpdate, validateNonnegative } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { compileSelector, validateLabelSelector } from './selector.ts';

const NOT_MATCH = '`selector` does not match template `labels`';

function validateJobTemplate(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined, path: Path): FieldError[] {
  if (template == null) return [required(path, '')];
  const errs = validatePodTemplateSpec(template, path);
  const rp = template.spec?.restartPolicy ?? '';
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp, ['OnFailure', 'Never']));
  const sel = compileSelector(selector);
  if (selector && sel && !sel.isEmpty() && !sel.matches(template.metadata?.labels)) {
    errs.push(invalid(path.child('metadata', 'labels'), template.metadata?.labels ?? {}, NOT_MATCH));
  }
  return errs;
}

export function validateJobSpec(spec: Job['spec'], path: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<Job['spec']>);
  const errs: FieldError[] = [];
  if (s.parallelism != null) errs.push(...validateNonnegative(s.parallelism, path.child('parallelism')));
  if (s.completions != null) errs.push(...validateNonnegative(s.completions, path.child('completions')));
  if (s.backoffLimit != null) errs.push(...validateNonnegative(s.backoffLimit, path.child('backoffLimit')));
  if (s.activeDeadlineSeconds != null && s.activeDeadlineSeconds <= 0) errs.push(invalid(path.child('activeDeadlineSeconds'), s.activeDeadlineSeconds, 'must be greater than 0'));
  if (s.completionMode && !['NonIndexed', 'Indexed'].includes(s.completionMode)) errs.push(notSupported(path.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
  if (s.completionMode === 'Indexed' && s.completions == null) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
  if (s.selector == null) errs.push(required(path.child('selector'), ''));
  else errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  errs.push(...validateJobTemplate(s.template, s.selector, path.child('template')));
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  return [...validateObjectMeta(job.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain }), ...validateJobSpec(job.spec, new Path('spec'))];
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJobSpec(job.spec, new Path('spec'))];
  if (JSON.stringify(job.spec?.selector ?? null) !== JSON.stringify(old.spec?.selector ?? null)) errs.push(invalid('spec.selector', job.spec?.selector ?? null, 'field is immutable'));
  if (JSON.stringify(job.spec?.completionMode ?? null) !== JSON.stringify(old.spec?.completionMode ?? null)) errs.push(invalid('spec.completionMode', job.spec?.completionMode ?? null, 'field is immutable'));
  return errs;
}

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const s = cj.spec ?? ({} as NonNullable<CronJob['spec']>);
  const path = new Path('spec');
  if (!s.schedule) errs.push(required(path.child('schedule'), ''));
  else if (s.schedule.trim().split(/\s+/).length !== 5 && !s.schedule.startsWith('@')) errs.push(invalid(path.child('schedule'), s.schedule, 'unparseable schedule: expected exactly 5 fields'));
  if (s.concurrencyPolicy && !CONCURRENCY.includes(s.concurrencyPolicy)) errs.push(notSupported(path.child('concurrencyPolicy'), s.concurrencyPolicy, CONCURRENCY));
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'startingDeadlineSeconds'] as const) if (s[f] != null) errs.push(...validateNonnegative(s[f]!, path.child(f)));
  const jt = s.jobTemplate?.spec;
  if (jt == null) errs.push(required(path.child('jobTemplate'), ''));
  else errs.push(...validateJobTemplate(jt.template, jt.selector, path.child('jobTemplate', 'spec', 'template')));
  return errs;
}
