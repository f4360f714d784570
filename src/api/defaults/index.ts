// Entry point: apply Kubernetes' defaults to an object of a given
// apiVersion/kind, in place. Unknown kinds are left untouched.

import * as apps from './apps.ts';
import * as batch from './batch.ts';
import * as core from './core.ts';

type Defaulter = (obj: any) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  'v1/Pod': core.defaultPod,
  'v1/PodTemplate': core.defaultPodTemplate,
  'v1/Service': core.defaultService,
  'v1/Namespace': core.defaultNamespace,
  'v1/Secret': core.defaultSecret,
  'v1/PersistentVolumeClaim': core.defaultPersistentVolumeClaim,
  'v1/Endpoints': core.defaultEndpoints,
  'v1/ReplicationController': core.defaultReplicationController,
  'v1/LimitRange': core.defaultLimitRange,
  'v1/Node': core.defaultNode,
  'apps/v1/Deployment': apps.defaultDeployment,
  'apps/v1/ReplicaSet': apps.defaultReplicaSet,
  'apps/v1/DaemonSet': apps.defaultDaemonSet,
  'apps/v1/StatefulSet': apps.defaultStatefulSet,
  'batch/v1/Job': batch.defaultJob,
  'batch/v1/CronJob': batch.defaultCronJob,
};

export function applyDefaults(apiVersion: string, kind: string, obj: any): void {
  if (obj == null || typeof obj !== 'object') return;
  DEFAULTERS[`${apiVersion}/${kind}`]?.(obj);
}

export { imageTag } from './core.ts';
