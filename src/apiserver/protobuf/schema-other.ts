// Protobuf field tables: rbac/v1, policy/v1, coordination/v1, discovery/v1, events/v1, networking/v1, scheduling/v1.
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const RBAC_V1: PackageSchema = {
  pkg: 'rbac.v1',
  messages: {
    AggregationRule: [[1, 'clusterRoleSelectors', 'meta.v1.LabelSelector', 'ro']],
    ClusterRole: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'rules', 'PolicyRule', 'r'], [3, 'aggregationRule', 'AggregationRule', 'op']],
    ClusterRoleBinding: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'subjects', 'Subject', 'ro'], [3, 'roleRef', 'RoleRef']],
    ClusterRoleBindingList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ClusterRoleBinding', 'r']],
    ClusterRoleList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ClusterRole', 'r']],
    PolicyRule: [
      [1, 'verbs', 'string', 'r'], [2, 'apiGroups', 'string', 'ro'], [3, 'resources', 'string', 'ro'], [4, 'resourceNames', 'string', 'ro'],
      [5, 'nonResourceURLs', 'string', 'ro']
    ],
    Role: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'rules', 'PolicyRule', 'r']],
    RoleBinding: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'subjects', 'Subject', 'ro'], [3, 'roleRef', 'RoleRef']],
    RoleBindingList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'RoleBinding', 'r']],
    RoleList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Role', 'r']],
    RoleRef: [[1, 'apiGroup', 'string'], [2, 'kind', 'string'], [3, 'name', 'string']],
    Subject: [[1, 'kind', 'string'], [2, 'apiGroup', 'string', 'o'], [3, 'name', 'string'], [4, 'namespace', 'string', 'o']],
  },
};

export const POLICY_V1: PackageSchema = {
  pkg: 'policy.v1',
  messages: {
    Eviction: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'deleteOptions', 'meta.v1.DeleteOptions', 'op']],
    PodDisruptionBudget: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PodDisruptionBudgetSpec', 'o'], [3, 'status', 'PodDisruptionBudgetStatus', 'o']
    ],
    PodDisruptionBudgetList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'PodDisruptionBudget', 'r']],
    PodDisruptionBudgetSpec: [
      [1, 'minAvailable', 'intorstring', 'op'], [2, 'selector', 'meta.v1.LabelSelector', 'op'], [3, 'maxUnavailable', 'intorstring', 'op'],
      [4, 'unhealthyPodEvictionPolicy', 'string', 'op']
    ],
    PodDisruptionBudgetStatus: [
      [1, 'observedGeneration', 'int64', 'o'], [2, 'disruptedPods', 'map:time', 'o'], [3, 'disruptionsAllowed', 'int32'],
      [4, 'currentHealthy', 'int32'], [5, 'desiredHealthy', 'int32'], [6, 'expectedPods', 'int32'], [7, 'conditions', 'meta.v1.Condition', 'ro']
    ],
  },
};

export const COORDINATION_V1: PackageSchema = {
  pkg: 'coordination.v1',
  messages: {
    Lease: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'LeaseSpec', 'o']],
    LeaseList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Lease', 'r']],
    LeaseSpec: [
      [1, 'holderIdentity', 'string', 'op'], [2, 'leaseDurationSeconds', 'int32', 'op'], [3, 'acquireTime', 'microtime', 'op'],
      [4, 'renewTime', 'microtime', 'op'], [5, 'leaseTransitions', 'int32', 'op'], [6, 'strategy', 'string', 'op'],
      [7, 'preferredHolder', 'string', 'op']
    ],
  },
};

export const DISCOVERY_V1: PackageSchema = {
  pkg: 'discovery.v1',
  messages: {
    Endpoint: [
      [1, 'addresses', 'string', 'r'], [2, 'conditions', 'EndpointConditions', 'o'], [3, 'hostname', 'string', 'op'],
      [4, 'targetRef', 'core.v1.ObjectReference', 'op'], [5, 'deprecatedTopology', 'map:string', 'o'], [6, 'nodeName', 'string', 'op'],
      [7, 'zone', 'string', 'op'], [8, 'hints', 'EndpointHints', 'op']
    ],
    EndpointConditions: [[1, 'ready', 'bool', 'op'], [2, 'serving', 'bool', 'op'], [3, 'terminating', 'bool', 'op']],
    EndpointHints: [[1, 'forZones', 'ForZone', 'ro']],
    EndpointPort: [[1, 'name', 'string', 'op'], [2, 'protocol', 'string', 'op'], [3, 'port', 'int32', 'op'], [4, 'appProtocol', 'string', 'op']],
    EndpointSlice: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [4, 'addressType', 'string'], [2, 'endpoints', 'Endpoint', 'r'], [3, 'ports', 'EndpointPort', 'r']
    ],
    EndpointSliceList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'EndpointSlice', 'r']],
    ForZone: [[1, 'name', 'string']],
  },
};

export const EVENTS_V1: PackageSchema = {
  pkg: 'events.v1',
  messages: {
    Event: [
      [1, 'metadata', 'meta.v1.ObjectMeta'], [2, 'eventTime', 'microtime'], [3, 'series', 'EventSeries', 'op'],
      [4, 'reportingController', 'string', 'o'], [5, 'reportingInstance', 'string', 'o'], [6, 'action', 'string', 'o'], [7, 'reason', 'string', 'o'],
      [8, 'regarding', 'core.v1.ObjectReference', 'o'], [9, 'related', 'core.v1.ObjectReference', 'op'], [10, 'note', 'string', 'o'],
      [11, 'type', 'string', 'o'], [12, 'deprecatedSource', 'core.v1.EventSource', 'o'], [13, 'deprecatedFirstTimestamp', 'time', 'o'],
      [14, 'deprecatedLastTimestamp', 'time', 'o'], [15, 'deprecatedCount', 'int32', 'o']
    ],
    EventList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Event', 'r']],
    EventSeries: [[1, 'count', 'int32'], [2, 'lastObservedTime', 'microtime']],
  },
};

export const NETWORKING_V1: PackageSchema = {
  pkg: 'networking.v1',
  messages: {
    HTTPIngressPath: [[1, 'path', 'string', 'o'], [3, 'pathType', 'string', 'p'], [2, 'backend', 'IngressBackend']],
    HTTPIngressRuleValue: [[1, 'paths', 'HTTPIngressPath', 'r']],
    IPBlock: [[1, 'cidr', 'string'], [2, 'except', 'string', 'ro']],
    Ingress: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'IngressSpec', 'o'], [3, 'status', 'IngressStatus', 'o']],
    IngressBackend: [[4, 'service', 'IngressServiceBackend', 'op'], [3, 'resource', 'core.v1.TypedLocalObjectReference', 'op']],
    IngressClass: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'IngressClassSpec', 'o']],
    IngressClassList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'IngressClass', 'r']],
    IngressClassParametersReference: [
      [1, 'apiGroup', 'string', 'op'], [2, 'kind', 'string'], [3, 'name', 'string'], [4, 'scope', 'string', 'p'], [5, 'namespace', 'string', 'op']
    ],
    IngressClassSpec: [[1, 'controller', 'string', 'o'], [2, 'parameters', 'IngressClassParametersReference', 'op']],
    IngressList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Ingress', 'r']],
    IngressLoadBalancerIngress: [[1, 'ip', 'string', 'o'], [2, 'hostname', 'string', 'o'], [4, 'ports', 'IngressPortStatus', 'ro']],
    IngressLoadBalancerStatus: [[1, 'ingress', 'IngressLoadBalancerIngress', 'ro']],
    IngressPortStatus: [[1, 'port', 'int32'], [2, 'protocol', 'string'], [3, 'error', 'string', 'op']],
    IngressRule: [[1, 'host', 'string', 'o'], [2, '', 'IngressRuleValue', 'i']],
    IngressRuleValue: [[1, 'http', 'HTTPIngressRuleValue', 'op']],
    IngressServiceBackend: [[1, 'name', 'string'], [2, 'port', 'ServiceBackendPort', 'o']],
    IngressSpec: [
      [4, 'ingressClassName', 'string', 'op'], [1, 'defaultBackend', 'IngressBackend', 'op'], [2, 'tls', 'IngressTLS', 'ro'],
      [3, 'rules', 'IngressRule', 'ro']
    ],
    IngressStatus: [[1, 'loadBalancer', 'IngressLoadBalancerStatus', 'o']],
    IngressTLS: [[1, 'hosts', 'string', 'ro'], [2, 'secretName', 'string', 'o']],
    NetworkPolicy: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'NetworkPolicySpec', 'o']],
    NetworkPolicyEgressRule: [[1, 'ports', 'NetworkPolicyPort', 'ro'], [2, 'to', 'NetworkPolicyPeer', 'ro']],
    NetworkPolicyIngressRule: [[1, 'ports', 'NetworkPolicyPort', 'ro'], [2, 'from', 'NetworkPolicyPeer', 'ro']],
    NetworkPolicyList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'NetworkPolicy', 'r']],
    NetworkPolicyPeer: [
      [1, 'podSelector', 'meta.v1.LabelSelector', 'op'], [2, 'namespaceSelector', 'meta.v1.LabelSelector', 'op'], [3, 'ipBlock', 'IPBlock', 'op']
    ],
    NetworkPolicyPort: [[1, 'protocol', 'string', 'op'], [2, 'port', 'intorstring', 'op'], [3, 'endPort', 'int32', 'op']],
    NetworkPolicySpec: [
      [1, 'podSelector', 'meta.v1.LabelSelector'], [2, 'ingress', 'NetworkPolicyIngressRule', 'ro'], [3, 'egress', 'NetworkPolicyEgressRule', 'ro'],
      [4, 'policyTypes', 'string', 'ro']
    ],
    ServiceBackendPort: [[1, 'name', 'string', 'o'], [2, 'number', 'int32', 'o']],
  },
};

export const SCHEDULING_V1: PackageSchema = {
  pkg: 'scheduling.v1',
  messages: {
    PriorityClass: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'value', 'int32'], [3, 'globalDefault', 'bool', 'o'], [4, 'description', 'string', 'o'],
      [5, 'preemptionPolicy', 'string', 'op']
    ],
    PriorityClassList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'PriorityClass', 'r']],
  },
};

export const STORAGE_V1: PackageSchema = {
  pkg: 'storage.v1',
  messages: {
    StorageClass: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'provisioner', 'string'], [3, 'parameters', 'map:string', 'o'],
      [4, 'reclaimPolicy', 'string', 'op'], [5, 'mountOptions', 'string', 'ro'], [6, 'allowVolumeExpansion', 'bool', 'op'],
      [7, 'volumeBindingMode', 'string', 'op'], [8, 'allowedTopologies', 'core.v1.TopologySelectorTerm', 'ro']
    ],
    StorageClassList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'StorageClass', 'r']],
  },
};
