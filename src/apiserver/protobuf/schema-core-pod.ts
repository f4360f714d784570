// Protobuf field tables: k8s.io/api/core/v1, the Pod and everything a PodSpec reaches.
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const CORE_V1_POD: PackageSchema = {
  pkg: 'core.v1',
  messages: {
    AWSElasticBlockStoreVolumeSource: [
      [1, 'volumeID', 'string'], [2, 'fsType', 'string', 'o'], [3, 'partition', 'int32', 'o'], [4, 'readOnly', 'bool', 'o']
    ],
    Affinity: [[1, 'nodeAffinity', 'NodeAffinity', 'op'], [2, 'podAffinity', 'PodAffinity', 'op'], [3, 'podAntiAffinity', 'PodAntiAffinity', 'op']],
    AppArmorProfile: [[1, 'type', 'string'], [2, 'localhostProfile', 'string', 'op']],
    AzureDiskVolumeSource: [
      [1, 'diskName', 'string'], [2, 'diskURI', 'string'], [3, 'cachingMode', 'string', 'op'], [4, 'fsType', 'string', 'op'],
      [5, 'readOnly', 'bool', 'op'], [6, 'kind', 'string', 'op']
    ],
    AzureFileVolumeSource: [[1, 'secretName', 'string'], [2, 'shareName', 'string'], [3, 'readOnly', 'bool', 'o']],
    CSIVolumeSource: [
      [1, 'driver', 'string'], [2, 'readOnly', 'bool', 'op'], [3, 'fsType', 'string', 'op'], [4, 'volumeAttributes', 'map:string', 'o'],
      [5, 'nodePublishSecretRef', 'LocalObjectReference', 'op']
    ],
    Capabilities: [[1, 'add', 'string', 'ro'], [2, 'drop', 'string', 'ro']],
    CephFSVolumeSource: [
      [1, 'monitors', 'string', 'r'], [2, 'path', 'string', 'o'], [3, 'user', 'string', 'o'], [4, 'secretFile', 'string', 'o'],
      [5, 'secretRef', 'LocalObjectReference', 'op'], [6, 'readOnly', 'bool', 'o']
    ],
    CinderVolumeSource: [
      [1, 'volumeID', 'string'], [2, 'fsType', 'string', 'o'], [3, 'readOnly', 'bool', 'o'], [4, 'secretRef', 'LocalObjectReference', 'op']
    ],
    ClusterTrustBundleProjection: [
      [1, 'name', 'string', 'op'], [2, 'signerName', 'string', 'op'], [3, 'labelSelector', 'meta.v1.LabelSelector', 'op'],
      [5, 'optional', 'bool', 'op'], [4, 'path', 'string']
    ],
    ConfigMapEnvSource: [[1, '', 'LocalObjectReference', 'i'], [2, 'optional', 'bool', 'op']],
    ConfigMapKeySelector: [[1, '', 'LocalObjectReference', 'i'], [2, 'key', 'string'], [3, 'optional', 'bool', 'op']],
    ConfigMapProjection: [[1, '', 'LocalObjectReference', 'i'], [2, 'items', 'KeyToPath', 'ro'], [4, 'optional', 'bool', 'op']],
    ConfigMapVolumeSource: [
      [1, '', 'LocalObjectReference', 'i'], [2, 'items', 'KeyToPath', 'ro'], [3, 'defaultMode', 'int32', 'op'], [4, 'optional', 'bool', 'op']
    ],
    Container: [
      [1, 'name', 'string'], [2, 'image', 'string', 'o'], [3, 'command', 'string', 'ro'], [4, 'args', 'string', 'ro'],
      [5, 'workingDir', 'string', 'o'], [6, 'ports', 'ContainerPort', 'ro'], [19, 'envFrom', 'EnvFromSource', 'ro'], [7, 'env', 'EnvVar', 'ro'],
      [8, 'resources', 'ResourceRequirements', 'o'], [23, 'resizePolicy', 'ContainerResizePolicy', 'ro'], [24, 'restartPolicy', 'string', 'op'],
      [9, 'volumeMounts', 'VolumeMount', 'ro'], [21, 'volumeDevices', 'VolumeDevice', 'ro'], [10, 'livenessProbe', 'Probe', 'op'],
      [11, 'readinessProbe', 'Probe', 'op'], [22, 'startupProbe', 'Probe', 'op'], [12, 'lifecycle', 'Lifecycle', 'op'],
      [13, 'terminationMessagePath', 'string', 'o'], [20, 'terminationMessagePolicy', 'string', 'o'], [14, 'imagePullPolicy', 'string', 'o'],
      [15, 'securityContext', 'SecurityContext', 'op'], [16, 'stdin', 'bool', 'o'], [17, 'stdinOnce', 'bool', 'o'], [18, 'tty', 'bool', 'o']
    ],
    ContainerPort: [
      [1, 'name', 'string', 'o'], [2, 'hostPort', 'int32', 'o'], [3, 'containerPort', 'int32'], [4, 'protocol', 'string', 'o'],
      [5, 'hostIP', 'string', 'o']
    ],
    ContainerResizePolicy: [[1, 'resourceName', 'string'], [2, 'restartPolicy', 'string']],
    ContainerState: [
      [1, 'waiting', 'ContainerStateWaiting', 'op'], [2, 'running', 'ContainerStateRunning', 'op'],
      [3, 'terminated', 'ContainerStateTerminated', 'op']
    ],
    ContainerStateRunning: [[1, 'startedAt', 'time', 'o']],
    ContainerStateTerminated: [
      [1, 'exitCode', 'int32'], [2, 'signal', 'int32', 'o'], [3, 'reason', 'string', 'o'], [4, 'message', 'string', 'o'],
      [5, 'startedAt', 'time', 'o'], [6, 'finishedAt', 'time', 'o'], [7, 'containerID', 'string', 'o']
    ],
    ContainerStateWaiting: [[1, 'reason', 'string', 'o'], [2, 'message', 'string', 'o']],
    ContainerStatus: [
      [1, 'name', 'string'], [2, 'state', 'ContainerState', 'o'], [3, 'lastState', 'ContainerState', 'o'], [4, 'ready', 'bool'],
      [5, 'restartCount', 'int32'], [6, 'image', 'string'], [7, 'imageID', 'string'], [8, 'containerID', 'string', 'o'],
      [9, 'started', 'bool', 'op'], [10, 'allocatedResources', 'map:quantity', 'o'], [11, 'resources', 'ResourceRequirements', 'op'],
      [12, 'volumeMounts', 'VolumeMountStatus', 'ro'], [13, 'user', 'ContainerUser', 'op'], [14, 'allocatedResourcesStatus', 'ResourceStatus', 'ro']
    ],
    ContainerUser: [[1, 'linux', 'LinuxContainerUser', 'op']],
    DownwardAPIProjection: [[1, 'items', 'DownwardAPIVolumeFile', 'ro']],
    DownwardAPIVolumeFile: [
      [1, 'path', 'string'], [2, 'fieldRef', 'ObjectFieldSelector', 'op'], [3, 'resourceFieldRef', 'ResourceFieldSelector', 'op'],
      [4, 'mode', 'int32', 'op']
    ],
    DownwardAPIVolumeSource: [[1, 'items', 'DownwardAPIVolumeFile', 'ro'], [2, 'defaultMode', 'int32', 'op']],
    EmptyDirVolumeSource: [[1, 'medium', 'string', 'o'], [2, 'sizeLimit', 'quantity', 'op']],
    EnvFromSource: [[1, 'prefix', 'string', 'o'], [2, 'configMapRef', 'ConfigMapEnvSource', 'op'], [3, 'secretRef', 'SecretEnvSource', 'op']],
    EnvVar: [[1, 'name', 'string'], [2, 'value', 'string', 'o'], [3, 'valueFrom', 'EnvVarSource', 'op']],
    EnvVarSource: [
      [1, 'fieldRef', 'ObjectFieldSelector', 'op'], [2, 'resourceFieldRef', 'ResourceFieldSelector', 'op'],
      [3, 'configMapKeyRef', 'ConfigMapKeySelector', 'op'], [4, 'secretKeyRef', 'SecretKeySelector', 'op']
    ],
    EphemeralContainer: [[1, '', 'EphemeralContainerCommon', 'i'], [2, 'targetContainerName', 'string', 'o']],
    EphemeralContainerCommon: [
      [1, 'name', 'string'], [2, 'image', 'string', 'o'], [3, 'command', 'string', 'ro'], [4, 'args', 'string', 'ro'],
      [5, 'workingDir', 'string', 'o'], [6, 'ports', 'ContainerPort', 'ro'], [19, 'envFrom', 'EnvFromSource', 'ro'], [7, 'env', 'EnvVar', 'ro'],
      [8, 'resources', 'ResourceRequirements', 'o'], [23, 'resizePolicy', 'ContainerResizePolicy', 'ro'], [24, 'restartPolicy', 'string', 'op'],
      [9, 'volumeMounts', 'VolumeMount', 'ro'], [21, 'volumeDevices', 'VolumeDevice', 'ro'], [10, 'livenessProbe', 'Probe', 'op'],
      [11, 'readinessProbe', 'Probe', 'op'], [22, 'startupProbe', 'Probe', 'op'], [12, 'lifecycle', 'Lifecycle', 'op'],
      [13, 'terminationMessagePath', 'string', 'o'], [20, 'terminationMessagePolicy', 'string', 'o'], [14, 'imagePullPolicy', 'string', 'o'],
      [15, 'securityContext', 'SecurityContext', 'op'], [16, 'stdin', 'bool', 'o'], [17, 'stdinOnce', 'bool', 'o'], [18, 'tty', 'bool', 'o']
    ],
    EphemeralVolumeSource: [[1, 'volumeClaimTemplate', 'PersistentVolumeClaimTemplate', 'op']],
    ExecAction: [[1, 'command', 'string', 'ro']],
    FCVolumeSource: [
      [1, 'targetWWNs', 'string', 'ro'], [2, 'lun', 'int32', 'op'], [3, 'fsType', 'string', 'o'], [4, 'readOnly', 'bool', 'o'],
      [5, 'wwids', 'string', 'ro']
    ],
    FlexVolumeSource: [
      [1, 'driver', 'string'], [2, 'fsType', 'string', 'o'], [3, 'secretRef', 'LocalObjectReference', 'op'], [4, 'readOnly', 'bool', 'o'],
      [5, 'options', 'map:string', 'o']
    ],
    FlockerVolumeSource: [[1, 'datasetName', 'string', 'o'], [2, 'datasetUUID', 'string', 'o']],
    GCEPersistentDiskVolumeSource: [
      [1, 'pdName', 'string'], [2, 'fsType', 'string', 'o'], [3, 'partition', 'int32', 'o'], [4, 'readOnly', 'bool', 'o']
    ],
    GRPCAction: [[1, 'port', 'int32'], [2, 'service', 'string', 'p']],
    GitRepoVolumeSource: [[1, 'repository', 'string'], [2, 'revision', 'string', 'o'], [3, 'directory', 'string', 'o']],
    GlusterfsVolumeSource: [[1, 'endpoints', 'string'], [2, 'path', 'string'], [3, 'readOnly', 'bool', 'o']],
    HTTPGetAction: [
      [1, 'path', 'string', 'o'], [2, 'port', 'intorstring'], [3, 'host', 'string', 'o'], [4, 'scheme', 'string', 'o'],
      [5, 'httpHeaders', 'HTTPHeader', 'ro']
    ],
    HTTPHeader: [[1, 'name', 'string'], [2, 'value', 'string']],
    HostAlias: [[1, 'ip', 'string'], [2, 'hostnames', 'string', 'ro']],
    HostIP: [[1, 'ip', 'string']],
    HostPathVolumeSource: [[1, 'path', 'string'], [2, 'type', 'string', 'op']],
    ISCSIVolumeSource: [
      [1, 'targetPortal', 'string'], [2, 'iqn', 'string'], [3, 'lun', 'int32'], [4, 'iscsiInterface', 'string', 'o'], [5, 'fsType', 'string', 'o'],
      [6, 'readOnly', 'bool', 'o'], [7, 'portals', 'string', 'ro'], [8, 'chapAuthDiscovery', 'bool', 'o'], [11, 'chapAuthSession', 'bool', 'o'],
      [10, 'secretRef', 'LocalObjectReference', 'op'], [12, 'initiatorName', 'string', 'op']
    ],
    ImageVolumeSource: [[1, 'reference', 'string', 'o'], [2, 'pullPolicy', 'string', 'o']],
    KeyToPath: [[1, 'key', 'string'], [2, 'path', 'string'], [3, 'mode', 'int32', 'op']],
    Lifecycle: [[1, 'postStart', 'LifecycleHandler', 'op'], [2, 'preStop', 'LifecycleHandler', 'op']],
    LifecycleHandler: [
      [1, 'exec', 'ExecAction', 'op'], [2, 'httpGet', 'HTTPGetAction', 'op'], [3, 'tcpSocket', 'TCPSocketAction', 'op'],
      [4, 'sleep', 'SleepAction', 'op']
    ],
    LinuxContainerUser: [[1, 'uid', 'int64'], [2, 'gid', 'int64'], [3, 'supplementalGroups', 'int64', 'ro']],
    LocalObjectReference: [[1, 'name', 'string', 'o']],
    NFSVolumeSource: [[1, 'server', 'string'], [2, 'path', 'string'], [3, 'readOnly', 'bool', 'o']],
    NodeAffinity: [
      [1, 'requiredDuringSchedulingIgnoredDuringExecution', 'NodeSelector', 'op'],
      [2, 'preferredDuringSchedulingIgnoredDuringExecution', 'PreferredSchedulingTerm', 'ro']
    ],
    NodeSelector: [[1, 'nodeSelectorTerms', 'NodeSelectorTerm', 'r']],
    NodeSelectorRequirement: [[1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values', 'string', 'ro']],
    NodeSelectorTerm: [[1, 'matchExpressions', 'NodeSelectorRequirement', 'ro'], [2, 'matchFields', 'NodeSelectorRequirement', 'ro']],
    ObjectFieldSelector: [[1, 'apiVersion', 'string', 'o'], [2, 'fieldPath', 'string']],
    PersistentVolumeClaimSpec: [
      [1, 'accessModes', 'string', 'ro'], [4, 'selector', 'meta.v1.LabelSelector', 'op'], [2, 'resources', 'VolumeResourceRequirements', 'o'],
      [3, 'volumeName', 'string', 'o'], [5, 'storageClassName', 'string', 'op'], [6, 'volumeMode', 'string', 'op'],
      [7, 'dataSource', 'TypedLocalObjectReference', 'op'], [8, 'dataSourceRef', 'TypedObjectReference', 'op'],
      [9, 'volumeAttributesClassName', 'string', 'op']
    ],
    PersistentVolumeClaimTemplate: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PersistentVolumeClaimSpec']],
    PersistentVolumeClaimVolumeSource: [[1, 'claimName', 'string'], [2, 'readOnly', 'bool', 'o']],
    PhotonPersistentDiskVolumeSource: [[1, 'pdID', 'string'], [2, 'fsType', 'string', 'o']],
    Pod: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PodSpec', 'o'], [3, 'status', 'PodStatus', 'o']],
    PodAffinity: [
      [1, 'requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm', 'ro'],
      [2, 'preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm', 'ro']
    ],
    PodAffinityTerm: [
      [1, 'labelSelector', 'meta.v1.LabelSelector', 'op'], [2, 'namespaces', 'string', 'ro'], [3, 'topologyKey', 'string'],
      [4, 'namespaceSelector', 'meta.v1.LabelSelector', 'op'], [5, 'matchLabelKeys', 'string', 'ro'], [6, 'mismatchLabelKeys', 'string', 'ro']
    ],
    PodAntiAffinity: [
      [1, 'requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm', 'ro'],
      [2, 'preferredDuringSchedulingIgnoredDuringExecution', 'WeightedPodAffinityTerm', 'ro']
    ],
    PodCondition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastProbeTime', 'time', 'o'], [4, 'lastTransitionTime', 'time', 'o'],
      [5, 'reason', 'string', 'o'], [6, 'message', 'string', 'o']
    ],
    PodDNSConfig: [[1, 'nameservers', 'string', 'ro'], [2, 'searches', 'string', 'ro'], [3, 'options', 'PodDNSConfigOption', 'ro']],
    PodDNSConfigOption: [[1, 'name', 'string', 'o'], [2, 'value', 'string', 'op']],
    PodIP: [[1, 'ip', 'string']],
    PodList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'Pod', 'r']],
    PodOS: [[1, 'name', 'string']],
    PodReadinessGate: [[1, 'conditionType', 'string']],
    PodResourceClaim: [[1, 'name', 'string'], [3, 'resourceClaimName', 'string', 'op'], [4, 'resourceClaimTemplateName', 'string', 'op']],
    PodResourceClaimStatus: [[1, 'name', 'string'], [2, 'resourceClaimName', 'string', 'op']],
    PodSchedulingGate: [[1, 'name', 'string']],
    PodSecurityContext: [
      [1, 'seLinuxOptions', 'SELinuxOptions', 'op'], [8, 'windowsOptions', 'WindowsSecurityContextOptions', 'op'], [2, 'runAsUser', 'int64', 'op'],
      [6, 'runAsGroup', 'int64', 'op'], [3, 'runAsNonRoot', 'bool', 'op'], [4, 'supplementalGroups', 'int64', 'ro'],
      [12, 'supplementalGroupsPolicy', 'string', 'op'], [5, 'fsGroup', 'int64', 'op'], [7, 'sysctls', 'Sysctl', 'ro'],
      [9, 'fsGroupChangePolicy', 'string', 'op'], [10, 'seccompProfile', 'SeccompProfile', 'op'], [11, 'appArmorProfile', 'AppArmorProfile', 'op'],
      [13, 'seLinuxChangePolicy', 'string', 'op']
    ],
    PodSpec: [
      [1, 'volumes', 'Volume', 'ro'], [20, 'initContainers', 'Container', 'ro'], [2, 'containers', 'Container', 'r'],
      [34, 'ephemeralContainers', 'EphemeralContainer', 'ro'], [3, 'restartPolicy', 'string', 'o'],
      [4, 'terminationGracePeriodSeconds', 'int64', 'op'], [5, 'activeDeadlineSeconds', 'int64', 'op'], [6, 'dnsPolicy', 'string', 'o'],
      [7, 'nodeSelector', 'map:string', 'o'], [8, 'serviceAccountName', 'string', 'o'], [9, 'serviceAccount', 'string', 'o'],
      [21, 'automountServiceAccountToken', 'bool', 'op'], [10, 'nodeName', 'string', 'o'], [11, 'hostNetwork', 'bool', 'o'],
      [12, 'hostPID', 'bool', 'o'], [13, 'hostIPC', 'bool', 'o'], [27, 'shareProcessNamespace', 'bool', 'op'],
      [14, 'securityContext', 'PodSecurityContext', 'op'], [15, 'imagePullSecrets', 'LocalObjectReference', 'ro'], [16, 'hostname', 'string', 'o'],
      [17, 'subdomain', 'string', 'o'], [18, 'affinity', 'Affinity', 'op'], [19, 'schedulerName', 'string', 'o'],
      [22, 'tolerations', 'Toleration', 'ro'], [23, 'hostAliases', 'HostAlias', 'ro'], [24, 'priorityClassName', 'string', 'o'],
      [25, 'priority', 'int32', 'op'], [26, 'dnsConfig', 'PodDNSConfig', 'op'], [28, 'readinessGates', 'PodReadinessGate', 'ro'],
      [29, 'runtimeClassName', 'string', 'op'], [30, 'enableServiceLinks', 'bool', 'op'], [31, 'preemptionPolicy', 'string', 'op'],
      [32, 'overhead', 'map:quantity', 'o'], [33, 'topologySpreadConstraints', 'TopologySpreadConstraint', 'ro'],
      [35, 'setHostnameAsFQDN', 'bool', 'op'], [36, 'os', 'PodOS', 'op'], [37, 'hostUsers', 'bool', 'op'],
      [38, 'schedulingGates', 'PodSchedulingGate', 'ro'], [39, 'resourceClaims', 'PodResourceClaim', 'ro'],
      [40, 'resources', 'ResourceRequirements', 'op']
    ],
    PodStatus: [
      [1, 'phase', 'string', 'o'], [2, 'conditions', 'PodCondition', 'ro'], [3, 'message', 'string', 'o'], [4, 'reason', 'string', 'o'],
      [11, 'nominatedNodeName', 'string', 'o'], [5, 'hostIP', 'string', 'o'], [16, 'hostIPs', 'HostIP', 'ro'], [6, 'podIP', 'string', 'o'],
      [12, 'podIPs', 'PodIP', 'ro'], [7, 'startTime', 'time', 'op'], [10, 'initContainerStatuses', 'ContainerStatus', 'ro'],
      [8, 'containerStatuses', 'ContainerStatus', 'ro'], [9, 'qosClass', 'string', 'o'], [13, 'ephemeralContainerStatuses', 'ContainerStatus', 'ro'],
      [14, 'resize', 'string', 'o'], [15, 'resourceClaimStatuses', 'PodResourceClaimStatus', 'ro']
    ],
    PodTemplate: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'template', 'PodTemplateSpec', 'o']],
    PodTemplateList: [[1, 'metadata', 'meta.v1.ListMeta', 'o'], [2, 'items', 'PodTemplate', 'r']],
    PodTemplateSpec: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'PodSpec', 'o']],
    PortworxVolumeSource: [[1, 'volumeID', 'string'], [2, 'fsType', 'string', 'o'], [3, 'readOnly', 'bool', 'o']],
    PreferredSchedulingTerm: [[1, 'weight', 'int32'], [2, 'preference', 'NodeSelectorTerm']],
    Probe: [
      [1, '', 'ProbeHandler', 'i'], [2, 'initialDelaySeconds', 'int32', 'o'], [3, 'timeoutSeconds', 'int32', 'o'],
      [4, 'periodSeconds', 'int32', 'o'], [5, 'successThreshold', 'int32', 'o'], [6, 'failureThreshold', 'int32', 'o'],
      [7, 'terminationGracePeriodSeconds', 'int64', 'op']
    ],
    ProbeHandler: [
      [1, 'exec', 'ExecAction', 'op'], [2, 'httpGet', 'HTTPGetAction', 'op'], [3, 'tcpSocket', 'TCPSocketAction', 'op'],
      [4, 'grpc', 'GRPCAction', 'op']
    ],
    ProjectedVolumeSource: [[1, 'sources', 'VolumeProjection', 'r'], [2, 'defaultMode', 'int32', 'op']],
    QuobyteVolumeSource: [
      [1, 'registry', 'string'], [2, 'volume', 'string'], [3, 'readOnly', 'bool', 'o'], [4, 'user', 'string', 'o'], [5, 'group', 'string', 'o'],
      [6, 'tenant', 'string', 'o']
    ],
    RBDVolumeSource: [
      [1, 'monitors', 'string', 'r'], [2, 'image', 'string'], [3, 'fsType', 'string', 'o'], [4, 'pool', 'string', 'o'], [5, 'user', 'string', 'o'],
      [6, 'keyring', 'string', 'o'], [7, 'secretRef', 'LocalObjectReference', 'op'], [8, 'readOnly', 'bool', 'o']
    ],
    ResourceClaim: [[1, 'name', 'string'], [2, 'request', 'string', 'o']],
    ResourceFieldSelector: [[1, 'containerName', 'string', 'o'], [2, 'resource', 'string'], [3, 'divisor', 'quantity', 'o']],
    ResourceHealth: [[1, 'resourceID', 'string'], [2, 'health', 'string', 'o']],
    ResourceRequirements: [[1, 'limits', 'map:quantity', 'o'], [2, 'requests', 'map:quantity', 'o'], [3, 'claims', 'ResourceClaim', 'ro']],
    ResourceStatus: [[1, 'name', 'string'], [2, 'resources', 'ResourceHealth', 'ro']],
    SELinuxOptions: [[1, 'user', 'string', 'o'], [2, 'role', 'string', 'o'], [3, 'type', 'string', 'o'], [4, 'level', 'string', 'o']],
    ScaleIOVolumeSource: [
      [1, 'gateway', 'string'], [2, 'system', 'string'], [3, 'secretRef', 'LocalObjectReference', 'p'], [4, 'sslEnabled', 'bool', 'o'],
      [5, 'protectionDomain', 'string', 'o'], [6, 'storagePool', 'string', 'o'], [7, 'storageMode', 'string', 'o'], [8, 'volumeName', 'string', 'o'],
      [9, 'fsType', 'string', 'o'], [10, 'readOnly', 'bool', 'o']
    ],
    SeccompProfile: [[1, 'type', 'string'], [2, 'localhostProfile', 'string', 'op']],
    SecretEnvSource: [[1, '', 'LocalObjectReference', 'i'], [2, 'optional', 'bool', 'op']],
    SecretKeySelector: [[1, '', 'LocalObjectReference', 'i'], [2, 'key', 'string'], [3, 'optional', 'bool', 'op']],
    SecretProjection: [[1, '', 'LocalObjectReference', 'i'], [2, 'items', 'KeyToPath', 'ro'], [4, 'optional', 'bool', 'op']],
    SecretVolumeSource: [
      [1, 'secretName', 'string', 'o'], [2, 'items', 'KeyToPath', 'ro'], [3, 'defaultMode', 'int32', 'op'], [4, 'optional', 'bool', 'op']
    ],
    SecurityContext: [
      [1, 'capabilities', 'Capabilities', 'op'], [2, 'privileged', 'bool', 'op'], [3, 'seLinuxOptions', 'SELinuxOptions', 'op'],
      [10, 'windowsOptions', 'WindowsSecurityContextOptions', 'op'], [4, 'runAsUser', 'int64', 'op'], [8, 'runAsGroup', 'int64', 'op'],
      [5, 'runAsNonRoot', 'bool', 'op'], [6, 'readOnlyRootFilesystem', 'bool', 'op'], [7, 'allowPrivilegeEscalation', 'bool', 'op'],
      [9, 'procMount', 'string', 'op'], [11, 'seccompProfile', 'SeccompProfile', 'op'], [12, 'appArmorProfile', 'AppArmorProfile', 'op']
    ],
    ServiceAccountTokenProjection: [[1, 'audience', 'string', 'o'], [2, 'expirationSeconds', 'int64', 'op'], [3, 'path', 'string']],
    SleepAction: [[1, 'seconds', 'int64']],
    StorageOSVolumeSource: [
      [1, 'volumeName', 'string', 'o'], [2, 'volumeNamespace', 'string', 'o'], [3, 'fsType', 'string', 'o'], [4, 'readOnly', 'bool', 'o'],
      [5, 'secretRef', 'LocalObjectReference', 'op']
    ],
    Sysctl: [[1, 'name', 'string'], [2, 'value', 'string']],
    TCPSocketAction: [[1, 'port', 'intorstring'], [2, 'host', 'string', 'o']],
    Toleration: [
      [1, 'key', 'string', 'o'], [2, 'operator', 'string', 'o'], [3, 'value', 'string', 'o'], [4, 'effect', 'string', 'o'],
      [5, 'tolerationSeconds', 'int64', 'op']
    ],
    TopologySpreadConstraint: [
      [1, 'maxSkew', 'int32'], [2, 'topologyKey', 'string'], [3, 'whenUnsatisfiable', 'string'], [4, 'labelSelector', 'meta.v1.LabelSelector', 'op'],
      [5, 'minDomains', 'int32', 'op'], [6, 'nodeAffinityPolicy', 'string', 'op'], [7, 'nodeTaintsPolicy', 'string', 'op'],
      [8, 'matchLabelKeys', 'string', 'ro']
    ],
    TypedLocalObjectReference: [[1, 'apiGroup', 'string', 'p'], [2, 'kind', 'string'], [3, 'name', 'string']],
    TypedObjectReference: [[1, 'apiGroup', 'string', 'p'], [2, 'kind', 'string'], [3, 'name', 'string'], [4, 'namespace', 'string', 'op']],
    Volume: [[1, 'name', 'string'], [2, '', 'VolumeSource', 'i']],
    VolumeDevice: [[1, 'name', 'string'], [2, 'devicePath', 'string']],
    VolumeMount: [
      [1, 'name', 'string'], [2, 'readOnly', 'bool', 'o'], [7, 'recursiveReadOnly', 'string', 'op'], [3, 'mountPath', 'string'],
      [4, 'subPath', 'string', 'o'], [5, 'mountPropagation', 'string', 'op'], [6, 'subPathExpr', 'string', 'o']
    ],
    VolumeMountStatus: [[1, 'name', 'string'], [2, 'mountPath', 'string'], [3, 'readOnly', 'bool', 'o'], [4, 'recursiveReadOnly', 'string', 'op']],
    VolumeProjection: [
      [1, 'secret', 'SecretProjection', 'op'], [2, 'downwardAPI', 'DownwardAPIProjection', 'op'], [3, 'configMap', 'ConfigMapProjection', 'op'],
      [4, 'serviceAccountToken', 'ServiceAccountTokenProjection', 'op'], [5, 'clusterTrustBundle', 'ClusterTrustBundleProjection', 'op']
    ],
    VolumeResourceRequirements: [[1, 'limits', 'map:quantity', 'o'], [2, 'requests', 'map:quantity', 'o']],
    VolumeSource: [
      [1, 'hostPath', 'HostPathVolumeSource', 'op'], [2, 'emptyDir', 'EmptyDirVolumeSource', 'op'],
      [3, 'gcePersistentDisk', 'GCEPersistentDiskVolumeSource', 'op'], [4, 'awsElasticBlockStore', 'AWSElasticBlockStoreVolumeSource', 'op'],
      [5, 'gitRepo', 'GitRepoVolumeSource', 'op'], [6, 'secret', 'SecretVolumeSource', 'op'], [7, 'nfs', 'NFSVolumeSource', 'op'],
      [8, 'iscsi', 'ISCSIVolumeSource', 'op'], [9, 'glusterfs', 'GlusterfsVolumeSource', 'op'],
      [10, 'persistentVolumeClaim', 'PersistentVolumeClaimVolumeSource', 'op'], [11, 'rbd', 'RBDVolumeSource', 'op'],
      [12, 'flexVolume', 'FlexVolumeSource', 'op'], [13, 'cinder', 'CinderVolumeSource', 'op'], [14, 'cephfs', 'CephFSVolumeSource', 'op'],
      [15, 'flocker', 'FlockerVolumeSource', 'op'], [16, 'downwardAPI', 'DownwardAPIVolumeSource', 'op'], [17, 'fc', 'FCVolumeSource', 'op'],
      [18, 'azureFile', 'AzureFileVolumeSource', 'op'], [19, 'configMap', 'ConfigMapVolumeSource', 'op'],
      [20, 'vsphereVolume', 'VsphereVirtualDiskVolumeSource', 'op'], [21, 'quobyte', 'QuobyteVolumeSource', 'op'],
      [22, 'azureDisk', 'AzureDiskVolumeSource', 'op'], [23, 'photonPersistentDisk', 'PhotonPersistentDiskVolumeSource', 'op'],
      [26, 'projected', 'ProjectedVolumeSource', 'op'], [24, 'portworxVolume', 'PortworxVolumeSource', 'op'],
      [25, 'scaleIO', 'ScaleIOVolumeSource', 'op'], [27, 'storageos', 'StorageOSVolumeSource', 'op'], [28, 'csi', 'CSIVolumeSource', 'op'],
      [29, 'ephemeral', 'EphemeralVolumeSource', 'op'], [30, 'image', 'ImageVolumeSource', 'op']
    ],
    VsphereVirtualDiskVolumeSource: [
      [1, 'volumePath', 'string'], [2, 'fsType', 'string', 'o'], [3, 'storagePolicyName', 'string', 'o'], [4, 'storagePolicyID', 'string', 'o']
    ],
    WeightedPodAffinityTerm: [[1, 'weight', 'int32'], [2, 'podAffinityTerm', 'PodAffinityTerm']],
    WindowsSecurityContextOptions: [
      [1, 'gmsaCredentialSpecName', 'string', 'op'], [2, 'gmsaCredentialSpec', 'string', 'op'], [3, 'runAsUserName', 'string', 'op'],
      [4, 'hostProcess', 'bool', 'op']
    ],
  },
};
