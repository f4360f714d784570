// apps/v1 defaulting (pkg/apis/apps/v1 SetDefaults_*), plus the pod
// template defaults every workload's template receives.

import { defaultPersistentVolumeClaim, defaultPodTemplateSpec } from './core.ts';

type Obj = Record<string, any>;

const obj = (parent: Obj, key: string): Obj => (parent[key] ??= {});

export function defaultDeployment(d: Obj): void {
  const spec = obj(d, 'spec');
  spec.replicas ??= 1;
  const strategy = obj(spec, 'strategy');
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = obj(rs, 'spec');
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

export function defaultDaemonSet(ds: Obj): void {
  const spec = obj(ds, 'spec');
  const us = obj(spec, 'updateStrategy');
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = obj(us, 'rollingUpdate');
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec.template);
}

export function defaultStatefulSet(ss: Obj): void {
  const spec = obj(ss, 'spec');
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = obj(spec, 'updateStrategy');
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  // Only an explicitly present rollingUpdate block gets a partition.
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec.template);
  for (const pvc of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(pvc);
}
