// Printers for Job (with the STATUS column Kubernetes added in 1.31) and CronJob.

import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  col,
  containerCells,
  formatLabelSelector,
  int,
  type Printer,
} from './common.ts';
import { DOC } from './descriptions.ts';
import { humanDuration, parseTimestamp, translateTimestampSince } from './duration.ts';

/** hasJobCondition: the first condition of the type decides. */
function hasJobCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** Complete, Failed, Terminating, Suspended, FailureTarget or Running, in that precedence. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (hasJobCondition(conditions, 'Complete')) return 'Complete';
  if (hasJobCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(conditions, 'Suspended')) return 'Suspended';
  if (hasJobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** "succeeded/completions", or for a work queue "succeeded/1" ("of N" with parallelism > 1). */
export function jobCompletions(job: Job): string {
  const succeeded = int(job.status?.succeeded);
  const completions = job.spec?.completions;
  if (completions !== undefined && completions !== null) return `${succeeded}/${int(completions)}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime) ?? now;
  return humanDuration(end.getTime() - start.getTime());
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', DOC.jobSucceeded),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.jobSelector, 1),
  ],
  cells(obj: Job, now) {
    const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      jobStatus(obj),
      jobCompletions(obj),
      jobDuration(obj, now),
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', DOC.cronSchedule),
    col('Timezone', 'string', DOC.cronTimeZone),
    col('Suspend', 'boolean', DOC.cronSuspend),
    col('Active', 'integer', DOC.cronActive),
    col('Last Schedule', 'string', DOC.cronLastSchedule),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.jobSelector, 1),
  ],
  cells(obj: CronJob, now) {
    const spec = obj.spec;
    const last = obj.status?.lastScheduleTime;
    // spec.suspend defaults to false; printBoolPtr prints True / False (a string cell).
    const suspend = spec?.suspend ?? false;
    const [names, images] = containerCells(spec?.jobTemplate?.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      spec?.schedule ?? '',
      spec?.timeZone ?? '<none>',
      suspend ? 'True' : 'False',
      (obj.status?.active ?? []).length,
      last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec?.jobTemplate?.spec?.selector),
    ];
  },
};
