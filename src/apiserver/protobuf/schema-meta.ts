// Protobuf field tables: k8s.io/apimachinery/pkg/apis/meta/v1 (Time, Duration, Quantity, IntOrString are built into decode.ts).
// Field numbers, names and types are those of Kubernetes 1.32 generated.proto; JSON names,
// omitempty and pointer-ness are those of the Go types. Entry format: see schema-types.ts.
import type { PackageSchema } from './schema-types.ts';

export const META_V1: PackageSchema = {
  pkg: 'meta.v1',
  messages: {
    APIGroup: [
      [1, 'name', 'string'], [2, 'versions', 'GroupVersionForDiscovery', 'r'], [3, 'preferredVersion', 'GroupVersionForDiscovery', 'o'],
      [4, 'serverAddressByClientCIDRs', 'ServerAddressByClientCIDR', 'ro']
    ],
    APIGroupList: [[1, 'groups', 'APIGroup', 'r']],
    APIResource: [
      [1, 'name', 'string'], [6, 'singularName', 'string'], [2, 'namespaced', 'bool'], [8, 'group', 'string', 'o'], [9, 'version', 'string', 'o'],
      [3, 'kind', 'string'], [4, 'verbs', 'stringlist'], [5, 'shortNames', 'string', 'ro'], [7, 'categories', 'string', 'ro'],
      [10, 'storageVersionHash', 'string', 'o']
    ],
    APIResourceList: [[1, 'groupVersion', 'string'], [2, 'resources', 'APIResource', 'r']],
    APIVersions: [[1, 'versions', 'string', 'r'], [2, 'serverAddressByClientCIDRs', 'ServerAddressByClientCIDR', 'r']],
    ApplyOptions: [[1, 'dryRun', 'string', 'ro'], [2, 'force', 'bool'], [3, 'fieldManager', 'string']],
    Condition: [
      [1, 'type', 'string'], [2, 'status', 'string'], [3, 'observedGeneration', 'int64', 'o'], [4, 'lastTransitionTime', 'time'],
      [5, 'reason', 'string'], [6, 'message', 'string']
    ],
    CreateOptions: [[1, 'dryRun', 'string', 'ro'], [3, 'fieldManager', 'string', 'o'], [4, 'fieldValidation', 'string', 'o']],
    DeleteOptions: [
      [1, 'gracePeriodSeconds', 'int64', 'op'], [2, 'preconditions', 'Preconditions', 'op'], [3, 'orphanDependents', 'bool', 'op'],
      [4, 'propagationPolicy', 'string', 'op'], [5, 'dryRun', 'string', 'ro'], [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'op']
    ],
    FieldSelectorRequirement: [[1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values', 'string', 'ro']],
    GetOptions: [[1, 'resourceVersion', 'string', 'o']],
    GroupKind: [[1, 'group', 'string'], [2, 'kind', 'string']],
    GroupResource: [[1, 'group', 'string'], [2, 'resource', 'string']],
    GroupVersion: [[1, 'group', 'string'], [2, 'version', 'string']],
    GroupVersionForDiscovery: [[1, 'groupVersion', 'string'], [2, 'version', 'string']],
    GroupVersionKind: [[1, 'group', 'string'], [2, 'version', 'string'], [3, 'kind', 'string']],
    GroupVersionResource: [[1, 'group', 'string'], [2, 'version', 'string'], [3, 'resource', 'string']],
    LabelSelector: [[1, 'matchLabels', 'map:string', 'o'], [2, 'matchExpressions', 'LabelSelectorRequirement', 'ro']],
    LabelSelectorRequirement: [[1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values', 'string', 'ro']],
    List: [[1, 'metadata', 'ListMeta', 'o'], [2, 'items', 'rawextension', 'r']],
    ListMeta: [
      [1, 'selfLink', 'string', 'o'], [2, 'resourceVersion', 'string', 'o'], [3, 'continue', 'string', 'o'],
      [4, 'remainingItemCount', 'int64', 'op']
    ],
    ListOptions: [
      [1, 'labelSelector', 'string', 'o'], [2, 'fieldSelector', 'string', 'o'], [3, 'watch', 'bool', 'o'], [9, 'allowWatchBookmarks', 'bool', 'o'],
      [4, 'resourceVersion', 'string', 'o'], [10, 'resourceVersionMatch', 'string', 'o'], [5, 'timeoutSeconds', 'int64', 'op'],
      [7, 'limit', 'int64', 'o'], [8, 'continue', 'string', 'o'], [11, 'sendInitialEvents', 'bool', 'op']
    ],
    ManagedFieldsEntry: [
      [1, 'manager', 'string', 'o'], [2, 'operation', 'string', 'o'], [3, 'apiVersion', 'string', 'o'], [4, 'time', 'time', 'op'],
      [6, 'fieldsType', 'string', 'o'], [7, 'fieldsV1', 'fieldsv1', 'op'], [8, 'subresource', 'string', 'o']
    ],
    ObjectMeta: [
      [1, 'name', 'string', 'o'], [2, 'generateName', 'string', 'o'], [3, 'namespace', 'string', 'o'], [4, 'selfLink', 'string', 'o'],
      [5, 'uid', 'string', 'o'], [6, 'resourceVersion', 'string', 'o'], [7, 'generation', 'int64', 'o'], [8, 'creationTimestamp', 'time', 'o'],
      [9, 'deletionTimestamp', 'time', 'op'], [10, 'deletionGracePeriodSeconds', 'int64', 'op'], [11, 'labels', 'map:string', 'o'],
      [12, 'annotations', 'map:string', 'o'], [13, 'ownerReferences', 'OwnerReference', 'ro'], [14, 'finalizers', 'string', 'ro'],
      [17, 'managedFields', 'ManagedFieldsEntry', 'ro']
    ],
    OwnerReference: [
      [5, 'apiVersion', 'string'], [1, 'kind', 'string'], [3, 'name', 'string'], [4, 'uid', 'string'], [6, 'controller', 'bool', 'op'],
      [7, 'blockOwnerDeletion', 'bool', 'op']
    ],
    PartialObjectMetadata: [[1, 'metadata', 'ObjectMeta', 'o']],
    PartialObjectMetadataList: [[1, 'metadata', 'ListMeta', 'o'], [2, 'items', 'PartialObjectMetadata', 'r']],
    Patch: [],
    PatchOptions: [
      [1, 'dryRun', 'string', 'ro'], [2, 'force', 'bool', 'op'], [3, 'fieldManager', 'string', 'o'], [4, 'fieldValidation', 'string', 'o']
    ],
    Preconditions: [[1, 'uid', 'string', 'op'], [2, 'resourceVersion', 'string', 'op']],
    RootPaths: [[1, 'paths', 'string', 'r']],
    ServerAddressByClientCIDR: [[1, 'clientCIDR', 'string'], [2, 'serverAddress', 'string']],
    Status: [
      [1, 'metadata', 'ListMeta', 'o'], [2, 'status', 'string', 'o'], [3, 'message', 'string', 'o'], [4, 'reason', 'string', 'o'],
      [5, 'details', 'StatusDetails', 'op'], [6, 'code', 'int32', 'o']
    ],
    StatusCause: [[1, 'reason', 'string', 'o'], [2, 'message', 'string', 'o'], [3, 'field', 'string', 'o']],
    StatusDetails: [
      [1, 'name', 'string', 'o'], [2, 'group', 'string', 'o'], [3, 'kind', 'string', 'o'], [6, 'uid', 'string', 'o'],
      [4, 'causes', 'StatusCause', 'ro'], [5, 'retryAfterSeconds', 'int32', 'o']
    ],
    TableOptions: [[1, 'includeObject', 'string', 'o']],
    Timestamp: [[1, 'seconds', 'int64'], [2, 'nanos', 'int32']],
    TypeMeta: [[1, 'kind', 'string', 'o'], [2, 'apiVersion', 'string', 'o']],
    UpdateOptions: [[1, 'dryRun', 'string', 'ro'], [2, 'fieldManager', 'string', 'o'], [3, 'fieldValidation', 'string', 'o']],
    WatchEvent: [[1, 'type', 'string'], [2, 'object', 'rawextension']],
  },
};
