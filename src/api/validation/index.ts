// Entry points: validate an object of a given apiVersion/kind on create or
// update. Kinds without specific rules get ObjectMeta checks only.

import * as apps from './apps.ts';
import * as batch from './batch.ts';
import * as cluster from './cluster.ts';
import * as config from './config.ts';
import type { FieldError } from './field.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSSubdomain } from './names.ts';
import * as pod from './pod.ts';
import * as service from './service.ts';

export * from './field.ts';

type CreateFn = (obj: any) => FieldError[];
type UpdateFn = (obj: any, old: any) => FieldError[];

interface KindRules {
  create: CreateFn;
  /** Update-specific rules; when absent, meta update checks plus the create rules (minus metadata). */
  update?: UpdateFn;
}

/** Kinds whose metadata lacks a namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass',
  'CustomResourceDefinition', 'PriorityClass', 'APIService', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'RuntimeClass', 'IngressClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'ComponentStatus']);

const specOnly = (create: CreateFn): UpdateFn => (obj, old) => [
  ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
  ...create(obj).filter((e) => !e.field.startsWith('metadata.') && e.field !== 'metadata'),
];

const RULES: Record<string, KindRules> = {
  'v1/Pod': { create: pod.validatePod, update: pod.validatePodUpdate },
  'v1/PodTemplate': { create: pod.validatePodTemplate, update: pod.validatePodTemplateUpdate },
  'v1/Service': { create: service.validateService, update: service.validateServiceUpdate },
  'v1/ConfigMap': { create: config.validateConfigMap, update: config.validateConfigMapUpdate },
  'v1/Secret': { create: config.validateSecret, update: config.validateSecretUpdate },
  'v1/Namespace': { create: cluster.validateNamespace },
  'v1/Node': { create: cluster.validateNode },
  'v1/Endpoints': { create: cluster.validateEndpoints },
  'v1/ServiceAccount': { create: cluster.validateServiceAccount },
  'v1/Event': { create: cluster.validateEvent },
  'v1/PersistentVolumeClaim': { create: cluster.validatePersistentVolumeClaim, update: cluster.validatePersistentVolumeClaimUpdate },
  'v1/ResourceQuota': { create: cluster.validateResourceQuota },
  'v1/LimitRange': { create: cluster.validateLimitRange },
  'v1/ReplicationController': { create: apps.validateReplicationController, update: apps.validateReplicationControllerUpdate },
  'apps/v1/Deployment': { create: apps.validateDeployment, update: apps.validateDeploymentUpdate },
  'apps/v1/ReplicaSet': { create: apps.validateReplicaSet, update: apps.validateReplicaSetUpdate },
  'apps/v1/DaemonSet': { create: apps.validateDaemonSet, update: apps.validateDaemonSetUpdate },
  'apps/v1/StatefulSet': { create: apps.validateStatefulSet, update: apps.validateStatefulSetUpdate },
  'batch/v1/Job': { create: batch.validateJob, update: batch.validateJobUpdate },
  'batch/v1/CronJob': { create: batch.validateCronJob },
};

export function validateCreate(apiVersion: string, kind: string, obj: any): FieldError[] {
  const rules = RULES[`${apiVersion}/${kind}`];
  if (rules) return rules.create(obj ?? {});
  // RBAC objects are named by path segments ("system:aggregate-to-view"), as Kubernetes' ValidateRBACName.
  const nameFn = apiVersion === 'rbac.authorization.k8s.io/v1' ? namePathSegment : nameIsDNSSubdomain;
  return validateObjectMeta(obj?.metadata, { namespaced: !CLUSTER_SCOPED.has(kind), nameFn });
}

function namePathSegment(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}

export function validateUpdate(apiVersion: string, kind: string, obj: any, old: any): FieldError[] {
  const rules = RULES[`${apiVersion}/${kind}`];
  if (!rules) return validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  return (rules.update ?? specOnly(rules.create))(obj ?? {}, old ?? {});
}
