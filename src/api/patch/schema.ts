// Strategic merge patch metadata: for each field, how a patch combines with
// the stored value. These are facts from the Go struct tags of the Kubernetes
// API types (`patchStrategy:"merge" patchMergeKey:"name"`,
// `patchStrategy:"merge,retainKeys"`, `patchStrategy:"retainKeys"`). A field
// without metadata is merged recursively when it holds an object and replaced
// whole (atomic) when it holds a list; so only the exceptions are listed.
// Notable atomic lists: tolerations, node taints, readinessGates,
// containerStatuses, Endpoints subsets, envFrom, matchExpressions.

export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export interface FieldPatchMeta {
  /** For a list merged as a map: the field that identifies an entry. */
  readonly mergeKey?: string;
  readonly strategy?: PatchStrategy;
  /** Metadata of the field's value (an object) or of each list entry. */
  readonly elem?: PatchSchema;
}

/** Field name -> metadata, for one object type. */
export interface PatchSchema {
  readonly [field: string]: FieldPatchMeta;
}

export function isMergeStrategy(s: PatchStrategy | undefined): boolean {
  return s === 'merge' || s === 'merge,retainKeys';
}

export function isRetainKeysStrategy(s: PatchStrategy | undefined): boolean {
  return s === 'retainKeys' || s === 'merge,retainKeys';
}

const byName = (elem?: PatchSchema): FieldPatchMeta => ({ strategy: 'merge', mergeKey: 'name', ...(elem ? { elem } : {}) });
const byType: FieldPatchMeta = { strategy: 'merge', mergeKey: 'type' };
const obj = (elem: PatchSchema): FieldPatchMeta => ({ elem });

// metav1.ObjectMeta
export const objectMetaSchema: PatchSchema = {
  finalizers: { strategy: 'merge' },
  ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
};
const metadata = obj(objectMetaSchema);

// core/v1 Container (also EphemeralContainer, which shares its fields)
const containerSchema: PatchSchema = {
  ports: { strategy: 'merge', mergeKey: 'containerPort' },
  env: byName(),
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
};

export const podSpecSchema: PatchSchema = {
  volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  initContainers: byName(containerSchema),
  containers: byName(containerSchema),
  ephemeralContainers: byName(containerSchema),
  imagePullSecrets: byName(),
  hostAliases: { strategy: 'merge', mergeKey: 'ip' },
  topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
  schedulingGates: byName(),
  resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
};

const podStatusSchema: PatchSchema = {
  conditions: byType,
  podIPs: { strategy: 'merge', mergeKey: 'ip' },
  hostIPs: { strategy: 'merge', mergeKey: 'ip' },
  resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name' },
};

export const podTemplateSpecSchema: PatchSchema = { metadata, spec: obj(podSpecSchema) };
const template = obj(podTemplateSpecSchema);
const conditionsStatus = obj({ conditions: byType });

const podSchema: PatchSchema = { metadata, spec: obj(podSpecSchema), status: obj(podStatusSchema) };
const metaOnly: PatchSchema = { metadata };

const workload = (spec: PatchSchema): PatchSchema => ({ metadata, spec: obj(spec), status: conditionsStatus });

const jobSpecSchema: PatchSchema = { template };
const jobSchema = workload(jobSpecSchema);

const schemas: Record<string, PatchSchema> = {
  // core/v1
  'v1/Pod': podSchema,
  'v1/PodTemplate': { metadata, template },
  'v1/ReplicationController': workload({ template }),
  'v1/Service': { metadata, spec: obj({ ports: { strategy: 'merge', mergeKey: 'port' } }), status: conditionsStatus },
  'v1/Endpoints': metaOnly,
  'v1/Node': {
    metadata,
    spec: obj({ podCIDRs: { strategy: 'merge' } }),
    status: obj({ conditions: byType, addresses: byType }),
  },
  'v1/ConfigMap': metaOnly,
  'v1/Secret': metaOnly,
  'v1/Namespace': { metadata, status: conditionsStatus },
  'v1/ServiceAccount': { metadata, secrets: byName() },
  'v1/PersistentVolumeClaim': { metadata, status: conditionsStatus },
  'v1/PersistentVolume': metaOnly,
  'v1/Event': metaOnly,
  'v1/ResourceQuota': metaOnly,
  'v1/LimitRange': metaOnly,
  // apps/v1
  'apps/v1/Deployment': workload({ template, strategy: { strategy: 'retainKeys' } }),
  'apps/v1/ReplicaSet': workload({ template }),
  'apps/v1/DaemonSet': workload({ template }),
  'apps/v1/StatefulSet': workload({ template }),
  'apps/v1/ControllerRevision': metaOnly,
  // batch/v1
  'batch/v1/Job': jobSchema,
  'batch/v1/CronJob': { metadata, spec: obj({ jobTemplate: obj({ metadata, spec: obj(jobSpecSchema) }) }) },
  // autoscaling
  'autoscaling/v1/HorizontalPodAutoscaler': metaOnly,
  'autoscaling/v2/HorizontalPodAutoscaler': { metadata, status: conditionsStatus },
  'autoscaling/v1/Scale': metaOnly,
};

/**
 * Patch metadata for a kind. A kind not listed gets ObjectMeta's metadata
 * only: its other lists are atomic and its objects merge recursively.
 */
export function patchSchemaFor(apiVersion: string, kind: string): PatchSchema {
  return schemas[`${apiVersion}/${kind}`] ?? metaOnly;
}
