// Protobuf field tables: k8s.io/api/batch/v1.
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const BATCH_V1: PackageSchema = {
  pkg: 'batch.v1',
  messages: {
    CronJob: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'CronJobSpec', 'o'], [3, 'status', 'CronJobStatus', 'o']],
    CronJobList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'CronJob', 'r']],
    CronJobSpec: [
      [1, 'schedule', 'string'], [8, 'timeZone', 'string', 'op'], [2, 'startingDeadlineSeconds', 'int64', 'op'],
      [3, 'concurrencyPolicy', 'string', 'o'], [4, 'suspend', 'bool', 'op'], [5, 'jobTemplate', 'JobTemplateSpec'],
      [6, 'successfulJobsHistoryLimit', 'int32', 'op'], [7, 'failedJobsHistoryLimit', 'int32', 'op']
    ],
    CronJobStatus: [[1, 'active', 'core.v1.ObjectReference', 'ro'], [4, 'lastScheduleTime', 'time', 'op'], [5, 'lastSuccessfulTime', 'time', 'op']],
    Job: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'JobSpec', 'o'], [3, 'status', 'JobStatus', 'o']],
    JobCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastProbeTime', 'time', 'o'], [4, 'lastTransitionTime', 'time', 'o'],
      [5, 'reason', 'string', 'o'], [6, 'message', 'string', 'o']
    ],
    JobList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Job', 'r']],
    JobSpec: [
      [1, 'parallelism', 'int32', 'op'], [2, 'completions', 'int32', 'op'], [3, 'activeDeadlineSeconds', 'int64', 'op'],
      [11, 'podFailurePolicy', 'PodFailurePolicy', 'op'], [16, 'successPolicy', 'SuccessPolicy', 'op'], [7, 'backoffLimit', 'int32', 'op'],
      [12, 'backoffLimitPerIndex', 'int32', 'op'], [13, 'maxFailedIndexes', 'int32', 'op'], [4, 'selector', 'meta.v1.LabelSelector', 'op'],
      [5, 'manualSelector', 'bool', 'op'], [6, 'template', 'core.v1.PodTemplateSpec'], [8, 'ttlSecondsAfterFinished', 'int32', 'op'],
      [9, 'completionMode', 'string', 'op'], [10, 'suspend', 'bool', 'op'], [14, 'podReplacementPolicy', 'string', 'op'],
      [15, 'managedBy', 'string', 'op']
    ],
    JobStatus: [
      [1, 'conditions', 'JobCondition', 'ro'], [2, 'startTime', 'time', 'op'], [3, 'completionTime', 'time', 'op'], [4, 'active', 'int32', 'o'],
      [5, 'succeeded', 'int32', 'o'], [6, 'failed', 'int32', 'o'], [11, 'terminating', 'int32', 'op'], [7, 'completedIndexes', 'string', 'o'],
      [10, 'failedIndexes', 'string', 'op'], [8, 'uncountedTerminatedPods', 'UncountedTerminatedPods', 'op'], [9, 'ready', 'int32', 'op']
    ],
    JobTemplateSpec: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'JobSpec', 'o']],
    PodFailurePolicy: [[1, 'rules', 'PodFailurePolicyRule', 'r']],
    PodFailurePolicyOnExitCodesRequirement: [[1, 'containerName', 'string', 'op'], [2, 'operator', 'string'], [3, 'values', 'int32', 'r']],
    PodFailurePolicyOnPodConditionsPattern: [[1, 'type', 'string'], [2, 'status', 'string']],
    PodFailurePolicyRule: [
      [1, 'action', 'string'], [2, 'onExitCodes', 'PodFailurePolicyOnExitCodesRequirement', 'op'],
      [3, 'onPodConditions', 'PodFailurePolicyOnPodConditionsPattern', 'ro']
    ],
    SuccessPolicy: [[1, 'rules', 'SuccessPolicyRule', 'r']],
    SuccessPolicyRule: [[1, 'succeededIndexes', 'string', 'op'], [2, 'succeededCount', 'int32', 'op']],
    UncountedTerminatedPods: [[1, 'succeeded', 'string', 'ro'], [2, 'failed', 'string', 'ro']],
  },
};
