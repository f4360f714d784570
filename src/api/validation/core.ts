// core/v1 validators, gathered in one place. The rules live in files split
// by concern (pod.ts, service.ts, config.ts, cluster.ts, apps.ts for the
// ReplicationController, which follows the workload template rules).

export { validatePod, validatePodUpdate, validatePodSpec, validatePodTemplate, validatePodTemplateSpec, validatePodTemplateUpdate } from './pod.ts';
export { validateService, validateServiceUpdate } from './service.ts';
export { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.ts';
export {
  validateEndpoints,
  validateEvent,
  validateLimitRange,
  validateNamespace,
  validateNode,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validateResourceQuota,
  validateServiceAccount,
} from './cluster.ts';
export { validateReplicationController, validateReplicationControllerUpdate } from './apps.ts';
