// Protobuf field tables: k8s.io/api/core/v1 outside the Pod (Service, ConfigMap, Secret, Namespace, Node...).
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const CORE_V1: PackageSchema = {
  pkg: 'core.v1',
  messages: {
    AttachedVolume: [[1, 'name', 'string'], [2, 'devicePath', 'string']],
    AvoidPods: [[1, 'preferAvoidPods', 'PreferAvoidPodsEntry', 'ro']],
    AzureFilePersistentVolumeSource: [
      [1, 'secretName', 'string'], [2, 'shareName', 'string'], [3, 'readOnly', 'bool', 'o'], [4, 'secretNamespace', 'string', 'p']
    ],
    Binding: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'target', 'ObjectReference']],
    CSIPersistentVolumeSource: [
      [1, 'driver', 'string'], [2, 'volumeHandle', 'string'], [3, 'readOnly', 'bool', 'o'], [4, 'fsType', 'string', 'o'],
      [5, 'volumeAttributes', 'map:string', 'o'], [6, 'controllerPublishSecretRef', 'SecretReference', 'op'],
      [7, 'nodeStageSecretRef', 'SecretReference', 'op'], [8, 'nodePublishSecretRef', 'SecretReference', 'op'],
      [9, 'controllerExpandSecretRef', 'SecretReference', 'op'], [10, 'nodeExpandSecretRef', 'SecretReference', 'op']
    ],
    CephFSPersistentVolumeSource: [
      [1, 'monitors', 'string', 'r'], [2, 'path', 'string', 'o'], [3, 'user', 'string', 'o'], [4, 'secretFile', 'string', 'o'],
      [5, 'secretRef', 'SecretReference', 'op'], [6, 'readOnly', 'bool', 'o']
    ],
    CinderPersistentVolumeSource: [
      [1, 'volumeID', 'string'], [2, 'fsType', 'string', 'o'], [3, 'readOnly', 'bool', 'o'], [4, 'secretRef', 'SecretReference', 'op']
    ],
    ClientIPConfig: [[1, 'timeoutSeconds', 'int32', 'op']],
    ComponentCondition: [[1, 'type', 'string'], [2, 'status', 'string'], [3, 'message', 'string', 'o'], [4, 'error', 'string', 'o']],
    ComponentStatus: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'conditions', 'ComponentCondition', 'ro']],
    ComponentStatusList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ComponentStatus', 'r']],
    ConfigMap: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [4, 'immutable', 'bool', 'op'], [2, 'data', 'map:string', 'o'],
      [3, 'binaryData', 'map:bytes', 'o']
    ],
    ConfigMapList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ConfigMap', 'r']],
    ConfigMapNodeConfigSource: [
      [1, 'namespace', 'string'], [2, 'name', 'string'], [3, 'uid', 'string', 'o'], [4, 'resourceVersion', 'string', 'o'],
      [5, 'kubeletConfigKey', 'string']
    ],
    ContainerImage: [[1, 'names', 'string', 'r'], [2, 'sizeBytes', 'int64', 'o']],
    DaemonEndpoint: [[1, 'Port', 'int32']],
    EndpointAddress: [
      [1, 'ip', 'string'], [3, 'hostname', 'string', 'o'], [4, 'nodeName', 'string', 'op'], [2, 'targetRef', 'ObjectReference', 'op']
    ],
    EndpointPort: [[1, 'name', 'string', 'o'], [2, 'port', 'int32'], [3, 'protocol', 'string', 'o'], [4, 'appProtocol', 'string', 'op']],
    EndpointSubset: [
      [1, 'addresses', 'EndpointAddress', 'ro'], [2, 'notReadyAddresses', 'EndpointAddress', 'ro'], [3, 'ports', 'EndpointPort', 'ro']
    ],
    Endpoints: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'subsets', 'EndpointSubset', 'ro']],
    EndpointsList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Endpoints', 'r']],
    Event: [
      [1, 'metadata', 'meta.v1.ObjectMeta'], [2, 'involvedObject', 'ObjectReference'], [3, 'reason', 'string', 'o'], [4, 'message', 'string', 'o'],
      [5, 'source', 'EventSource', 'o'], [6, 'firstTimestamp', 'time', 'o'], [7, 'lastTimestamp', 'time', 'o'], [8, 'count', 'int32', 'o'],
      [9, 'type', 'string', 'o'], [10, 'eventTime', 'microtime', 'o'], [11, 'series', 'EventSeries', 'op'], [12, 'action', 'string', 'o'],
      [13, 'related', 'ObjectReference', 'op'], [14, 'reportingComponent', 'string'], [15, 'reportingInstance', 'string']
    ],
    EventList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Event', 'r']],
    EventSeries: [[1, 'count', 'int32', 'o'], [2, 'lastObservedTime', 'microtime', 'o']],
    EventSource: [[1, 'component', 'string', 'o'], [2, 'host', 'string', 'o']],
    FlexPersistentVolumeSource: [
      [1, 'driver', 'string'], [2, 'fsType', 'string', 'o'], [3, 'secretRef', 'SecretReference', 'op'], [4, 'readOnly', 'bool', 'o'],
      [5, 'options', 'map:string', 'o']
    ],
    GlusterfsPersistentVolumeSource: [
      [1, 'endpoints', 'string'], [2, 'path', 'string'], [3, 'readOnly', 'bool', 'o'], [4, 'endpointsNamespace', 'string', 'op']
    ],
    ISCSIPersistentVolumeSource: [
      [1, 'targetPortal', 'string'], [2, 'iqn', 'string'], [3, 'lun', 'int32'], [4, 'iscsiInterface', 'string', 'o'], [5, 'fsType', 'string', 'o'],
      [6, 'readOnly', 'bool', 'o'], [7, 'portals', 'string', 'ro'], [8, 'chapAuthDiscovery', 'bool', 'o'], [11, 'chapAuthSession', 'bool', 'o'],
      [10, 'secretRef', 'SecretReference', 'op'], [12, 'initiatorName', 'string', 'op']
    ],
    LimitRange: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'LimitRangeSpec', 'o']],
    LimitRangeItem: [
      [1, 'type', 'string'], [2, 'max', 'map:quantity', 'o'], [3, 'min', 'map:quantity', 'o'], [4, 'default', 'map:quantity', 'o'],
      [5, 'defaultRequest', 'map:quantity', 'o'], [6, 'maxLimitRequestRatio', 'map:quantity', 'o']
    ],
    LimitRangeList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'LimitRange', 'r']],
    LimitRangeSpec: [[1, 'limits', 'LimitRangeItem', 'r']],
    List: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'rawextension', 'r']],
    LoadBalancerIngress: [[1, 'ip', 'string', 'o'], [2, 'hostname', 'string', 'o'], [3, 'ipMode', 'string', 'op'], [4, 'ports', 'PortStatus', 'ro']],
    LoadBalancerStatus: [[1, 'ingress', 'LoadBalancerIngress', 'ro']],
    LocalVolumeSource: [[1, 'path', 'string'], [2, 'fsType', 'string', 'op']],
    ModifyVolumeStatus: [[1, 'targetVolumeAttributesClassName', 'string', 'o'], [2, 'status', 'string']],
    Namespace: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'NamespaceSpec', 'o'], [3, 'status', 'NamespaceStatus', 'o']],
    NamespaceCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [4, 'lastTransitionTime', 'time', 'o'], [5, 'reason', 'string', 'o'],
      [6, 'message', 'string', 'o']
    ],
    NamespaceList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Namespace', 'r']],
    NamespaceSpec: [[1, 'finalizers', 'string', 'ro']],
    NamespaceStatus: [[1, 'phase', 'string', 'o'], [2, 'conditions', 'NamespaceCondition', 'ro']],
    Node: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'NodeSpec', 'o'], [3, 'status', 'NodeStatus', 'o']],
    NodeAddress: [[1, 'type', 'string'], [2, 'address', 'string']],
    NodeCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastHeartbeatTime', 'time', 'o'], [4, 'lastTransitionTime', 'time', 'o'],
      [5, 'reason', 'string', 'o'], [6, 'message', 'string', 'o']
    ],
    NodeConfigSource: [[2, 'configMap', 'ConfigMapNodeConfigSource', 'op']],
    NodeConfigStatus: [
      [1, 'assigned', 'NodeConfigSource', 'op'], [2, 'active', 'NodeConfigSource', 'op'], [3, 'lastKnownGood', 'NodeConfigSource', 'op'],
      [4, 'error', 'string', 'o']
    ],
    NodeDaemonEndpoints: [[1, 'kubeletEndpoint', 'DaemonEndpoint', 'o']],
    NodeFeatures: [[1, 'supplementalGroupsPolicy', 'bool', 'op']],
    NodeList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Node', 'r']],
    NodeProxyOptions: [[1, 'path', 'string', 'o']],
    NodeRuntimeHandler: [[1, 'name', 'string'], [2, 'features', 'NodeRuntimeHandlerFeatures', 'op']],
    NodeRuntimeHandlerFeatures: [[1, 'recursiveReadOnlyMounts', 'bool', 'op'], [2, 'userNamespaces', 'bool', 'op']],
    NodeSpec: [
      [1, 'podCIDR', 'string', 'o'], [7, 'podCIDRs', 'string', 'ro'], [3, 'providerID', 'string', 'o'], [4, 'unschedulable', 'bool', 'o'],
      [5, 'taints', 'Taint', 'ro'], [6, 'configSource', 'NodeConfigSource', 'op'], [2, 'externalID', 'string', 'o']
    ],
    NodeStatus: [
      [1, 'capacity', 'map:quantity', 'o'], [2, 'allocatable', 'map:quantity', 'o'], [3, 'phase', 'string', 'o'],
      [4, 'conditions', 'NodeCondition', 'ro'], [5, 'addresses', 'NodeAddress', 'ro'], [6, 'daemonEndpoints', 'NodeDaemonEndpoints', 'o'],
      [7, 'nodeInfo', 'NodeSystemInfo', 'o'], [8, 'images', 'ContainerImage', 'ro'], [9, 'volumesInUse', 'string', 'ro'],
      [10, 'volumesAttached', 'AttachedVolume', 'ro'], [11, 'config', 'NodeConfigStatus', 'op'], [12, 'runtimeHandlers', 'NodeRuntimeHandler', 'ro'],
      [13, 'features', 'NodeFeatures', 'op']
    ],
    NodeSystemInfo: [
      [1, 'machineID', 'string'], [2, 'systemUUID', 'string'], [3, 'bootID', 'string'], [4, 'kernelVersion', 'string'], [5, 'osImage', 'string'],
      [6, 'containerRuntimeVersion', 'string'], [7, 'kubeletVersion', 'string'], [8, 'kubeProxyVersion', 'string'], [9, 'operatingSystem', 'string'],
      [10, 'architecture', 'string']
    ],
    ObjectReference: [
      [1, 'kind', 'string', 'o'], [2, 'namespace', 'string', 'o'], [3, 'name', 'string', 'o'], [4, 'uid', 'string', 'o'],
      [5, 'apiVersion', 'string', 'o'], [6, 'resourceVersion', 'string', 'o'], [7, 'fieldPath', 'string', 'o']
    ],
    PersistentVolume: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PersistentVolumeSpec', 'o'], [3, 'status', 'PersistentVolumeStatus', 'o']
    ],
    PersistentVolumeClaim: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PersistentVolumeClaimSpec', 'o'], [3, 'status', 'PersistentVolumeClaimStatus', 'o']
    ],
    PersistentVolumeClaimCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastProbeTime', 'time', 'o'], [4, 'lastTransitionTime', 'time', 'o'],
      [5, 'reason', 'string', 'o'], [6, 'message', 'string', 'o']
    ],
    PersistentVolumeClaimList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'PersistentVolumeClaim', 'r']],
    PersistentVolumeClaimStatus: [
      [1, 'phase', 'string', 'o'], [2, 'accessModes', 'string', 'ro'], [3, 'capacity', 'map:quantity', 'o'],
      [4, 'conditions', 'PersistentVolumeClaimCondition', 'ro'], [5, 'allocatedResources', 'map:quantity', 'o'],
      [7, 'allocatedResourceStatuses', 'map:string', 'o'], [8, 'currentVolumeAttributesClassName', 'string', 'op'],
      [9, 'modifyVolumeStatus', 'ModifyVolumeStatus', 'op']
    ],
    PersistentVolumeList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'PersistentVolume', 'r']],
    PersistentVolumeSource: [
      [1, 'gcePersistentDisk', 'GCEPersistentDiskVolumeSource', 'op'], [2, 'awsElasticBlockStore', 'AWSElasticBlockStoreVolumeSource', 'op'],
      [3, 'hostPath', 'HostPathVolumeSource', 'op'], [4, 'glusterfs', 'GlusterfsPersistentVolumeSource', 'op'], [5, 'nfs', 'NFSVolumeSource', 'op'],
      [6, 'rbd', 'RBDPersistentVolumeSource', 'op'], [7, 'iscsi', 'ISCSIPersistentVolumeSource', 'op'],
      [8, 'cinder', 'CinderPersistentVolumeSource', 'op'], [9, 'cephfs', 'CephFSPersistentVolumeSource', 'op'], [10, 'fc', 'FCVolumeSource', 'op'],
      [11, 'flocker', 'FlockerVolumeSource', 'op'], [12, 'flexVolume', 'FlexPersistentVolumeSource', 'op'],
      [13, 'azureFile', 'AzureFilePersistentVolumeSource', 'op'], [14, 'vsphereVolume', 'VsphereVirtualDiskVolumeSource', 'op'],
      [15, 'quobyte', 'QuobyteVolumeSource', 'op'], [16, 'azureDisk', 'AzureDiskVolumeSource', 'op'],
      [17, 'photonPersistentDisk', 'PhotonPersistentDiskVolumeSource', 'op'], [18, 'portworxVolume', 'PortworxVolumeSource', 'op'],
      [19, 'scaleIO', 'ScaleIOPersistentVolumeSource', 'op'], [20, 'local', 'LocalVolumeSource', 'op'],
      [21, 'storageos', 'StorageOSPersistentVolumeSource', 'op'], [22, 'csi', 'CSIPersistentVolumeSource', 'op']
    ],
    PersistentVolumeSpec: [
      [1, 'capacity', 'map:quantity', 'o'], [2, '', 'PersistentVolumeSource', 'i'], [3, 'accessModes', 'string', 'ro'],
      [4, 'claimRef', 'ObjectReference', 'op'], [5, 'persistentVolumeReclaimPolicy', 'string', 'o'], [6, 'storageClassName', 'string', 'o'],
      [7, 'mountOptions', 'string', 'ro'], [8, 'volumeMode', 'string', 'op'], [9, 'nodeAffinity', 'VolumeNodeAffinity', 'op'],
      [10, 'volumeAttributesClassName', 'string', 'op']
    ],
    PersistentVolumeStatus: [
      [1, 'phase', 'string', 'o'], [2, 'message', 'string', 'o'], [3, 'reason', 'string', 'o'], [4, 'lastPhaseTransitionTime', 'time', 'op']
    ],
    PodAttachOptions: [
      [1, 'stdin', 'bool', 'o'], [2, 'stdout', 'bool', 'o'], [3, 'stderr', 'bool', 'o'], [4, 'tty', 'bool', 'o'], [5, 'container', 'string', 'o']
    ],
    PodExecOptions: [
      [1, 'stdin', 'bool', 'o'], [2, 'stdout', 'bool', 'o'], [3, 'stderr', 'bool', 'o'], [4, 'tty', 'bool', 'o'], [5, 'container', 'string', 'o'],
      [6, 'command', 'string', 'r']
    ],
    PodLogOptions: [
      [1, 'container', 'string', 'o'], [2, 'follow', 'bool', 'o'], [3, 'previous', 'bool', 'o'], [4, 'sinceSeconds', 'int64', 'op'],
      [5, 'sinceTime', 'time', 'op'], [6, 'timestamps', 'bool', 'o'], [7, 'tailLines', 'int64', 'op'], [8, 'limitBytes', 'int64', 'op'],
      [9, 'insecureSkipTLSVerifyBackend', 'bool', 'o'], [10, 'stream', 'string', 'op']
    ],
    PodPortForwardOptions: [[1, 'ports', 'int32', 'ro']],
    PodProxyOptions: [[1, 'path', 'string', 'o']],
    PodSignature: [[1, 'podController', 'meta.v1.OwnerReference', 'op']],
    PodStatusResult: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'status', 'PodStatus', 'o']],
    PortStatus: [[1, 'port', 'int32'], [2, 'protocol', 'string'], [3, 'error', 'string', 'op']],
    Preconditions: [[1, 'uid', 'string', 'op']],
    PreferAvoidPodsEntry: [
      [1, 'podSignature', 'PodSignature'], [2, 'evictionTime', 'time', 'o'], [3, 'reason', 'string', 'o'], [4, 'message', 'string', 'o']
    ],
    RBDPersistentVolumeSource: [
      [1, 'monitors', 'string', 'r'], [2, 'image', 'string'], [3, 'fsType', 'string', 'o'], [4, 'pool', 'string', 'o'], [5, 'user', 'string', 'o'],
      [6, 'keyring', 'string', 'o'], [7, 'secretRef', 'SecretReference', 'op'], [8, 'readOnly', 'bool', 'o']
    ],
    RangeAllocation: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'range', 'string'], [3, 'data', 'bytes']],
    ReplicationController: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'ReplicationControllerSpec', 'o'], [3, 'status', 'ReplicationControllerStatus', 'o']
    ],
    ReplicationControllerCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastTransitionTime', 'time', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'message', 'string', 'o']
    ],
    ReplicationControllerList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ReplicationController', 'r']],
    ReplicationControllerSpec: [
      [1, 'replicas', 'int32', 'op'], [4, 'minReadySeconds', 'int32', 'o'], [2, 'selector', 'map:string', 'o'],
      [3, 'template', 'PodTemplateSpec', 'op']
    ],
    ReplicationControllerStatus: [
      [1, 'replicas', 'int32'], [2, 'fullyLabeledReplicas', 'int32', 'o'], [4, 'readyReplicas', 'int32', 'o'],
      [5, 'availableReplicas', 'int32', 'o'], [3, 'observedGeneration', 'int64', 'o'], [6, 'conditions', 'ReplicationControllerCondition', 'ro']
    ],
    ResourceQuota: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'ResourceQuotaSpec', 'o'], [3, 'status', 'ResourceQuotaStatus', 'o']],
    ResourceQuotaList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ResourceQuota', 'r']],
    ResourceQuotaSpec: [[1, 'hard', 'map:quantity', 'o'], [2, 'scopes', 'string', 'ro'], [3, 'scopeSelector', 'ScopeSelector', 'op']],
    ResourceQuotaStatus: [[1, 'hard', 'map:quantity', 'o'], [2, 'used', 'map:quantity', 'o']],
    ScaleIOPersistentVolumeSource: [
      [1, 'gateway', 'string'], [2, 'system', 'string'], [3, 'secretRef', 'SecretReference', 'p'], [4, 'sslEnabled', 'bool', 'o'],
      [5, 'protectionDomain', 'string', 'o'], [6, 'storagePool', 'string', 'o'], [7, 'storageMode', 'string', 'o'], [8, 'volumeName', 'string', 'o'],
      [9, 'fsType', 'string', 'o'], [10, 'readOnly', 'bool', 'o']
    ],
    ScopeSelector: [[1, 'matchExpressions', 'ScopedResourceSelectorRequirement', 'ro']],
    ScopedResourceSelectorRequirement: [[1, 'scopeName', 'string'], [2, 'operator', 'string'], [3, 'values', 'string', 'ro']],
    Secret: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [5, 'immutable', 'bool', 'op'], [2, 'data', 'map:bytes', 'o'],
      [4, 'stringData', 'map:string', 'o'], [3, 'type', 'string', 'o']
    ],
    SecretList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Secret', 'r']],
    SecretReference: [[1, 'name', 'string', 'o'], [2, 'namespace', 'string', 'o']],
    SerializedReference: [[1, 'reference', 'ObjectReference', 'o']],
    Service: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'ServiceSpec', 'o'], [3, 'status', 'ServiceStatus', 'o']],
    ServiceAccount: [
      [1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'secrets', 'ObjectReference', 'ro'], [3, 'imagePullSecrets', 'LocalObjectReference', 'ro'],
      [4, 'automountServiceAccountToken', 'bool', 'op']
    ],
    ServiceAccountList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'ServiceAccount', 'r']],
    ServiceList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Service', 'r']],
    ServicePort: [
      [1, 'name', 'string', 'o'], [2, 'protocol', 'string', 'o'], [6, 'appProtocol', 'string', 'op'], [3, 'port', 'int32'],
      [4, 'targetPort', 'intorstring', 'o'], [5, 'nodePort', 'int32', 'o']
    ],
    ServiceProxyOptions: [[1, 'path', 'string', 'o']],
    ServiceSpec: [
      [1, 'ports', 'ServicePort', 'ro'], [2, 'selector', 'map:string', 'o'], [3, 'clusterIP', 'string', 'o'], [18, 'clusterIPs', 'string', 'ro'],
      [4, 'type', 'string', 'o'], [5, 'externalIPs', 'string', 'ro'], [7, 'sessionAffinity', 'string', 'o'], [8, 'loadBalancerIP', 'string', 'o'],
      [9, 'loadBalancerSourceRanges', 'string', 'ro'], [10, 'externalName', 'string', 'o'], [11, 'externalTrafficPolicy', 'string', 'o'],
      [12, 'healthCheckNodePort', 'int32', 'o'], [13, 'publishNotReadyAddresses', 'bool', 'o'],
      [14, 'sessionAffinityConfig', 'SessionAffinityConfig', 'op'], [19, 'ipFamilies', 'string', 'ro'], [17, 'ipFamilyPolicy', 'string', 'op'],
      [20, 'allocateLoadBalancerNodePorts', 'bool', 'op'], [21, 'loadBalancerClass', 'string', 'op'], [22, 'internalTrafficPolicy', 'string', 'op'],
      [23, 'trafficDistribution', 'string', 'op']
    ],
    ServiceStatus: [[1, 'loadBalancer', 'LoadBalancerStatus', 'o'], [2, 'conditions', 'meta.v1.Condition', 'ro']],
    SessionAffinityConfig: [[1, 'clientIP', 'ClientIPConfig', 'op']],
    StorageOSPersistentVolumeSource: [
      [1, 'volumeName', 'string', 'o'], [2, 'volumeNamespace', 'string', 'o'], [3, 'fsType', 'string', 'o'], [4, 'readOnly', 'bool', 'o'],
      [5, 'secretRef', 'ObjectReference', 'op']
    ],
    Taint: [[1, 'key', 'string'], [2, 'value', 'string', 'o'], [3, 'effect', 'string'], [4, 'timeAdded', 'time', 'op']],
    TopologySelectorLabelRequirement: [[1, 'key', 'string'], [2, 'values', 'string', 'r']],
    TopologySelectorTerm: [[1, 'matchLabelExpressions', 'TopologySelectorLabelRequirement', 'ro']],
    VolumeNodeAffinity: [[1, 'required', 'NodeSelector', 'op']],
  },
};
