// Protobuf field tables: k8s.io/api/apps/v1.
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const APPS_V1: PackageSchema = {
  pkg: 'apps.v1',
  messages: {
    ControllerRevision: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'data', 'rawextension', 'o'], [3, 'revision', 'int64']],
    ControllerRevisionList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ControllerRevision', 'r']],
    DaemonSet: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'DaemonSetSpec', 'o'], [3, 'status', 'DaemonSetStatus', 'o']],
    DaemonSetCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    DaemonSetList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'DaemonSet', 'r']],
    DaemonSetSpec: [
      [1, 'selector', 'meta.v1.LabelSelector', 'p'], [2, 'template', 'core.v1.PodTemplateSpec'],
      [3, 'updateStrategy', 'DaemonSetUpdateStrategy', 'o'], [4, 'minReadySeconds', 'int32', 'o'], [6, 'revisionHistoryLimit', 'int32', 'op']
    ],
    DaemonSetStatus: [
      [1, 'currentNumberScheduled', 'int32'], [2, 'numberMisscheduled', 'int32'], [3, 'desiredNumberScheduled', 'int32'],
      [4, 'numberReady', 'int32'], [5, 'observedGeneration', 'int64', 'o'], [6, 'updatedNumberScheduled', 'int32', 'o'],
      [7, 'numberAvailable', 'int32', 'o'], [8, 'numberUnavailable', 'int32', 'o'], [9, 'collisionCount', 'int32', 'op'],
      [10, 'conditions', 'DaemonSetCondition', 'ro']
    ],
    DaemonSetUpdateStrategy: [[1, 'type', 'string', 'o'], [2, 'rollingUpdate', 'RollingUpdateDaemonSet', 'op']],
    Deployment: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'DeploymentSpec', 'o'], [3, 'status', 'DeploymentStatus', 'o']],
    DeploymentCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [6, 'lastUpdateTime', 'time', 'o'], [7, 'lastTransitionTime', 'time', 'o'],
      [4, 'reason', 'string', 'o'], [5, 'message', 'string', 'o']
    ],
    DeploymentList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Deployment', 'r']],
    DeploymentSpec: [
      [1, 'replicas', 'int32', 'op'], [2, 'selector', 'meta.v1.LabelSelector', 'p'], [3, 'template', 'core.v1.PodTemplateSpec'],
      [4, 'strategy', 'DeploymentStrategy', 'o'], [5, 'minReadySeconds', 'int32', 'o'], [6, 'revisionHistoryLimit', 'int32', 'op'],
      [7, 'paused', 'bool', 'o'], [9, 'progressDeadlineSeconds', 'int32', 'op']
    ],
    DeploymentStatus: [
      [1, 'observedGeneration', 'int64', 'o'], [2, 'replicas', 'int32', 'o'], [3, 'updatedReplicas', 'int32', 'o'],
      [7, 'readyReplicas', 'int32', 'o'], [4, 'availableReplicas', 'int32', 'o'], [5, 'unavailableReplicas', 'int32', 'o'],
      [6, 'conditions', 'DeploymentCondition', 'ro'], [8, 'collisionCount', 'int32', 'op']
    ],
    DeploymentStrategy: [[1, 'type', 'string', 'o'], [2, 'rollingUpdate', 'RollingUpdateDeployment', 'op']],
    ReplicaSet: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'ReplicaSetSpec', 'o'], [3, 'status', 'ReplicaSetStatus', 'o']],
    ReplicaSetCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    ReplicaSetList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ReplicaSet', 'r']],
    ReplicaSetSpec: [
      [1, 'replicas', 'int32', 'op'], [4, 'minReadySeconds', 'int32', 'o'], [2, 'selector', 'meta.v1.LabelSelector', 'p'],
      [3, 'template', 'core.v1.PodTemplateSpec', 'o']
    ],
    ReplicaSetStatus: [
      [1, 'replicas', 'int32'], [2, 'fullyLabeledReplicas', 'int32', 'o'], [4, 'readyReplicas', 'int32', 'o'],
      [5, 'availableReplicas', 'int32', 'o'], [3, 'observedGeneration', 'int64', 'o'], [6, 'conditions', 'ReplicaSetCondition', 'ro']
    ],
    RollingUpdateDaemonSet: [[1, 'maxUnavailable', 'intorstring', 'op'], [2, 'maxSurge', 'intorstring', 'op']],
    RollingUpdateDeployment: [[1, 'maxUnavailable', 'intorstring', 'op'], [2, 'maxSurge', 'intorstring', 'op']],
    RollingUpdateStatefulSetStrategy: [[1, 'partition', 'int32', 'op'], [2, 'maxUnavailable', 'intorstring', 'op']],
    StatefulSet: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'StatefulSetSpec', 'o'], [3, 'status', 'StatefulSetStatus', 'o']],
    StatefulSetCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    StatefulSetList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'StatefulSet', 'r']],
    StatefulSetOrdinals: [[1, 'start', 'int32']],
    StatefulSetPersistentVolumeClaimRetentionPolicy: [[1, 'whenDeleted', 'string', 'o'], [2, 'whenScaled', 'string', 'o']],
    StatefulSetSpec: [
      [1, 'replicas', 'int32', 'op'], [2, 'selector', 'meta.v1.LabelSelector', 'p'], [3, 'template', 'core.v1.PodTemplateSpec'],
      [4, 'volumeClaimTemplates', 'core.v1.PersistentVolumeClaim', 'ro'], [5, 'serviceName', 'string'], [6, 'podManagementPolicy', 'string', 'o'],
      [7, 'updateStrategy', 'StatefulSetUpdateStrategy', 'o'], [8, 'revisionHistoryLimit', 'int32', 'op'], [9, 'minReadySeconds', 'int32', 'o'],
      [10, 'persistentVolumeClaimRetentionPolicy', 'StatefulSetPersistentVolumeClaimRetentionPolicy', 'op'],
      [11, 'ordinals', 'StatefulSetOrdinals', 'op']
    ],
    StatefulSetStatus: [
      [1, 'observedGeneration', 'int64', 'o'], [2, 'replicas', 'int32'], [3, 'readyReplicas', 'int32', 'o'], [4, 'currentReplicas', 'int32', 'o'],
      [5, 'updatedReplicas', 'int32', 'o'], [6, 'currentRevision', 'string', 'o'], [7, 'updateRevision', 'string', 'o'],
      [9, 'collisionCount', 'int32', 'op'], [10, 'conditions', 'StatefulSetCondition', 'ro'], [11, 'availableReplicas', 'int32']
    ],
    StatefulSetUpdateStrategy: [[1, 'type', 'string', 'o'], [2, 'rollingUpdate', 'RollingUpdateStatefulSetStrategy', 'op']],
  },
};
