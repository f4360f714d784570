// Protobuf field tables: k8s.io/api/autoscaling/v1 and v2.
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const AUTOSCALING_V1: PackageSchema = {
  pkg: 'autoscaling.v1',
  messages: {
    ContainerResourceMetricSource: [
      [1, 'name', 'string'], [2, 'targetAverageUtilization', 'int32', 'op'], [3, 'targetAverageValue', 'quantity', 'op'], [5, 'container', 'string']
    ],
    ContainerResourceMetricStatus: [
      [1, 'name', 'string'], [2, 'currentAverageUtilization', 'int32', 'op'], [3, 'currentAverageValue', 'quantity'], [4, 'container', 'string']
    ],
    CrossVersionObjectReference: [[1, 'kind', 'string'], [2, 'name', 'string'], [3, 'apiVersion', 'string', 'o']],
    ExternalMetricSource: [
      [1, 'metricName', 'string'], [2, 'metricSelector', 'meta.v1.LabelSelector', 'op'], [3, 'targetValue', 'quantity', 'op'],
      [4, 'targetAverageValue', 'quantity', 'op']
    ],
    ExternalMetricStatus: [
      [1, 'metricName', 'string'], [2, 'metricSelector', 'meta.v1.LabelSelector', 'op'], [3, 'currentValue', 'quantity'],
      [4, 'currentAverageValue', 'quantity', 'op']
    ],
    HorizontalPodAutoscaler: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'HorizontalPodAutoscalerSpec', 'o'],
      [3, 'status', 'HorizontalPodAutoscalerStatus', 'o']
    ],
    HorizontalPodAutoscalerCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    HorizontalPodAutoscalerList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'HorizontalPodAutoscaler', 'r']],
    HorizontalPodAutoscalerSpec: [
      [1, 'scaleTargetRef', 'CrossVersionObjectReference'], [2, 'minReplicas', 'int32', 'op'], [3, 'maxReplicas', 'int32'],
      [4, 'targetCPUUtilizationPercentage', 'int32', 'op']
    ],
    HorizontalPodAutoscalerStatus: [
      [1, 'observedGeneration', 'int64', 'op'], [2, 'lastScaleTime', 'time', 'op'], [3, 'currentReplicas', 'int32'], [4, 'desiredReplicas', 'int32'],
      [5, 'currentCPUUtilizationPercentage', 'int32', 'op']
    ],
    MetricSpec: [
      [1, 'type', 'string'], [2, 'object', 'ObjectMetricSource', 'op'], [3, 'pods', 'PodsMetricSource', 'op'],
      [4, 'resource', 'ResourceMetricSource', 'op'], [7, 'containerResource', 'ContainerResourceMetricSource', 'op'],
      [5, 'external', 'ExternalMetricSource', 'op']
    ],
    MetricStatus: [
      [1, 'type', 'string'], [2, 'object', 'ObjectMetricStatus', 'op'], [3, 'pods', 'PodsMetricStatus', 'op'],
      [4, 'resource', 'ResourceMetricStatus', 'op'], [7, 'containerResource', 'ContainerResourceMetricStatus', 'op'],
      [5, 'external', 'ExternalMetricStatus', 'op']
    ],
    ObjectMetricSource: [
      [1, 'target', 'CrossVersionObjectReference'], [2, 'metricName', 'string'], [3, 'targetValue', 'quantity'],
      [4, 'selector', 'meta.v1.LabelSelector', 'op'], [5, 'averageValue', 'quantity', 'op']
    ],
    ObjectMetricStatus: [
      [1, 'target', 'CrossVersionObjectReference'], [2, 'metricName', 'string'], [3, 'currentValue', 'quantity'],
      [4, 'selector', 'meta.v1.LabelSelector', 'op'], [5, 'averageValue', 'quantity', 'op']
    ],
    PodsMetricSource: [[1, 'metricName', 'string'], [2, 'targetAverageValue', 'quantity'], [3, 'selector', 'meta.v1.LabelSelector', 'op']],
    PodsMetricStatus: [[1, 'metricName', 'string'], [2, 'currentAverageValue', 'quantity'], [3, 'selector', 'meta.v1.LabelSelector', 'op']],
    ResourceMetricSource: [[1, 'name', 'string'], [2, 'targetAverageUtilization', 'int32', 'op'], [3, 'targetAverageValue', 'quantity', 'op']],
    ResourceMetricStatus: [[1, 'name', 'string'], [2, 'currentAverageUtilization', 'int32', 'op'], [3, 'currentAverageValue', 'quantity']],
    Scale: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'ScaleSpec', 'o'], [3, 'status', 'ScaleStatus', 'o']],
    ScaleSpec: [[1, 'replicas', 'int32', 'o']],
    ScaleStatus: [[1, 'replicas', 'int32'], [2, 'selector', 'string', 'o']],
  },
};

export const AUTOSCALING_V2: PackageSchema = {
  pkg: 'autoscaling.v2',
  messages: {
    ContainerResourceMetricSource: [[1, 'name', 'string'], [2, 'target', 'MetricTarget'], [3, 'container', 'string']],
    ContainerResourceMetricStatus: [[1, 'name', 'string'], [2, 'current', 'MetricValueStatus'], [3, 'container', 'string']],
    CrossVersionObjectReference: [[1, 'kind', 'string'], [2, 'name', 'string'], [3, 'apiVersion', 'string', 'o']],
    ExternalMetricSource: [[1, 'metric', 'MetricIdentifier'], [2, 'target', 'MetricTarget']],
    ExternalMetricStatus: [[1, 'metric', 'MetricIdentifier'], [2, 'current', 'MetricValueStatus']],
    HPAScalingPolicy: [[1, 'type', 'string'], [2, 'value', 'int32'], [3, 'periodSeconds', 'int32']],
    HPAScalingRules: [
      [3, 'stabilizationWindowSeconds', 'int32', 'op'], [1, 'selectPolicy', 'string', 'op'], [2, 'policies', 'HPAScalingPolicy', 'ro']
    ],
    HorizontalPodAutoscaler: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'HorizontalPodAutoscalerSpec', 'o'],
      [3, 'status', 'HorizontalPodAutoscalerStatus', 'o']
    ],
    HorizontalPodAutoscalerBehavior: [[1, 'scaleUp', 'HPAScalingRules', 'op'], [2, 'scaleDown', 'HPAScalingRules', 'op']],
    HorizontalPodAutoscalerCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    HorizontalPodAutoscalerList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'HorizontalPodAutoscaler', 'r']],
    HorizontalPodAutoscalerSpec: [
      [1, 'scaleTargetRef', 'CrossVersionObjectReference'], [2, 'minReplicas', 'int32', 'op'], [3, 'maxReplicas', 'int32'],
      [4, 'metrics', 'MetricSpec', 'ro'], [5, 'behavior', 'HorizontalPodAutoscalerBehavior', 'op']
    ],
    HorizontalPodAutoscalerStatus: [
      [1, 'observedGeneration', 'int64', 'op'], [2, 'lastScaleTime', 'time', 'op'], [3, 'currentReplicas', 'int32', 'o'],
      [4, 'desiredReplicas', 'int32'], [5, 'currentMetrics', 'MetricStatus', 'r'], [6, 'conditions', 'HorizontalPodAutoscalerCondition', 'ro']
    ],
    MetricIdentifier: [[1, 'name', 'string'], [2, 'selector', 'meta.v1.LabelSelector', 'op']],
    MetricSpec: [
      [1, 'type', 'string'], [2, 'object', 'ObjectMetricSource', 'op'], [3, 'pods', 'PodsMetricSource', 'op'],
      [4, 'resource', 'ResourceMetricSource', 'op'], [7, 'containerResource', 'ContainerResourceMetricSource', 'op'],
      [5, 'external', 'ExternalMetricSource', 'op']
    ],
    MetricStatus: [
      [1, 'type', 'string'], [2, 'object', 'ObjectMetricStatus', 'op'], [3, 'pods', 'PodsMetricStatus', 'op'],
      [4, 'resource', 'ResourceMetricStatus', 'op'], [7, 'containerResource', 'ContainerResourceMetricStatus', 'op'],
      [5, 'external', 'ExternalMetricStatus', 'op']
    ],
    MetricTarget: [
      [1, 'type', 'string'], [2, 'value', 'quantity', 'op'], [3, 'averageValue', 'quantity', 'op'], [4, 'averageUtilization', 'int32', 'op']
    ],
    MetricValueStatus: [[1, 'value', 'quantity', 'op'], [2, 'averageValue', 'quantity', 'op'], [3, 'averageUtilization', 'int32', 'op']],
    ObjectMetricSource: [[1, 'describedObject', 'CrossVersionObjectReference'], [2, 'target', 'MetricTarget'], [3, 'metric', 'MetricIdentifier']],
    ObjectMetricStatus: [
      [1, 'metric', 'MetricIdentifier'], [2, 'current', 'MetricValueStatus'], [3, 'describedObject', 'CrossVersionObjectReference']
    ],
    PodsMetricSource: [[1, 'metric', 'MetricIdentifier'], [2, 'target', 'MetricTarget']],
    PodsMetricStatus: [[1, 'metric', 'MetricIdentifier'], [2, 'current', 'MetricValueStatus']],
    ResourceMetricSource: [[1, 'name', 'string'], [2, 'target', 'MetricTarget']],
    ResourceMetricStatus: [[1, 'name', 'string'], [2, 'current', 'MetricValueStatus']],
  },
};
