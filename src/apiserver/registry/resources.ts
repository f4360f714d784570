// The resources this API server serves: one table, from which discovery,
// OpenAPI, routing and storage keys are all derived. Names, short names,
// categories, scopes and subresources are Kubernetes' own.

export interface SubresourceInfo {
  name: string;
  /** The kind the subresource speaks (Scale for scale, Binding for binding...). */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: "deployments". */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
  /** Whether metadata.generation counts spec changes for this kind. */
  tracksGeneration: boolean;
  /** The storage identity: versions of one resource share it ("horizontalpodautoscalers.autoscaling"). */
  groupResource: string;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Def {
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  all?: boolean;
  generation?: boolean;
  verbs?: string[];
  sub?: [name: string, kind: string, verbs: string[], group?: string, version?: string][];
}

const STATUS = (kind: string): [string, string, string[]] => ['status', kind, ['get', 'patch', 'update']];
const SCALE: [string, string, string[], string, string] = ['scale', 'Scale', ['get', 'patch', 'update'], 'autoscaling', 'v1'];

const groups: { group: string; version: string; defs: Def[] }[] = [
  {
    group: '',
    version: 'v1',
    defs: [
      { resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], sub: [STATUS('Namespace'), ['finalize', 'Namespace', ['update']]] },
      { resource: 'pods', kind: 'Pod', shortNames: ['po'], all: true, sub: [STATUS('Pod'), ['binding', 'Binding', ['create']], ['eviction', 'Eviction', ['create'], 'policy', 'v1'], ['log', 'Pod', ['get']], ['exec', 'PodExecOptions', ['create', 'get']], ['attach', 'PodAttachOptions', ['create', 'get']], ['portforward', 'PodPortForwardOptions', ['create', 'get']]] },
      { resource: 'services', kind: 'Service', shortNames: ['svc'], all: true, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], sub: [STATUS('Service')] },
      { resource: 'endpoints', kind: 'Endpoints', shortNames: ['ep'] },
      { resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], sub: [STATUS('Node')] },
      { resource: 'events', kind: 'Event', shortNames: ['ev'] },
      { resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
      { resource: 'secrets', kind: 'Secret' },
      { resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] },
      { resource: 'persistentvolumes', kind: 'PersistentVolume', shortNames: ['pv'], namespaced: false, sub: [STATUS('PersistentVolume')] },
      { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], sub: [STATUS('PersistentVolumeClaim')] },
      { resource: 'replicationcontrollers', kind: 'ReplicationController', shortNames: ['rc'], all: true, generation: true, sub: [STATUS('ReplicationController'), SCALE] },
      { resource: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], sub: [STATUS('ResourceQuota')] },
      { resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'] },
      { resource: 'bindings', kind: 'Binding', verbs: ['create'] },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    defs: [
      { resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], all: true, generation: true, sub: [STATUS('Deployment'), SCALE] },
      { resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], all: true, generation: true, sub: [STATUS('ReplicaSet'), SCALE] },
      { resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], all: true, generation: true, sub: [STATUS('DaemonSet')] },
      { resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], all: true, generation: true, sub: [STATUS('StatefulSet'), SCALE] },
      { resource: 'controllerrevisions', kind: 'ControllerRevision' },
    ],
  },
  {
    group: 'batch',
    version: 'v1',
    defs: [
      { resource: 'jobs', kind: 'Job', all: true, generation: true, sub: [STATUS('Job')] },
      { resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], all: true, generation: true, sub: [STATUS('CronJob')] },
    ],
  },
  // autoscaling/v2 is listed first: the first version of a group is the preferred one.
  { group: 'autoscaling', version: 'v2', defs: [{ resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], all: true, generation: true, sub: [STATUS('HorizontalPodAutoscaler')] }] },
  { group: 'autoscaling', version: 'v1', defs: [{ resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], all: true, generation: true, sub: [STATUS('HorizontalPodAutoscaler')] }] },
  { group: 'coordination.k8s.io', version: 'v1', defs: [{ resource: 'leases', kind: 'Lease' }] },
  { group: 'discovery.k8s.io', version: 'v1', defs: [{ resource: 'endpointslices', kind: 'EndpointSlice' }] },
  { group: 'events.k8s.io', version: 'v1', defs: [{ resource: 'events', kind: 'Event', shortNames: ['ev'] }] },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    defs: [
      { resource: 'roles', kind: 'Role' },
      { resource: 'rolebindings', kind: 'RoleBinding' },
      { resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
      { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
    ],
  },
  { group: 'scheduling.k8s.io', version: 'v1', defs: [{ resource: 'priorityclasses', kind: 'PriorityClass', shortNames: ['pc'], namespaced: false }] },
  { group: 'storage.k8s.io', version: 'v1', defs: [{ resource: 'storageclasses', kind: 'StorageClass', shortNames: ['sc'], namespaced: false }] },
  { group: 'policy', version: 'v1', defs: [{ resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], generation: true, sub: [STATUS('PodDisruptionBudget')] }] },
];

function build(table: { group: string; version: string; defs: Def[] }[]): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const g of table) {
    for (const d of g.defs) {
      out.push({
        group: g.group,
        version: g.version,
        resource: d.resource,
        kind: d.kind,
        singular: d.kind.toLowerCase(),
        namespaced: d.namespaced ?? true,
        shortNames: d.shortNames ?? [],
        categories: d.all ? ['all'] : [],
        verbs: d.verbs ?? RW,
        subresources: (d.sub ?? []).map(([name, kind, verbs, group, version]) => ({ name, kind, verbs, group: group ?? g.group, version: version ?? g.version })),
        tracksGeneration: d.generation ?? false,
        groupResource: g.group ? `${d.resource}.${g.group}` : d.resource,
      });
    }
  }
  return out;
}

export const RESOURCES: readonly ResourceInfo[] = build(groups);

/**
 * Served but not stored: metrics.k8s.io (an aggregated API in Kubernetes,
 * answered here by src/metrics through a route). Only discovery lists them;
 * watch caches, OpenAPI, routing to ResourceREST and the controllers' walks
 * see RESOURCES alone.
 */
export const VIRTUAL_RESOURCES: readonly ResourceInfo[] = build([
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    defs: [
      { resource: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
      { resource: 'pods', kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  },
]);

/** The API group versions in discovery order, each with its resources; `virtual` adds the unstored groups at the end. */
export function groupVersions(o: { virtual?: boolean } = {}): { group: string; version: string; resources: ResourceInfo[] }[] {
  const seen = new Map<string, { group: string; version: string; resources: ResourceInfo[] }>();
  for (const r of o.virtual ? [...RESOURCES, ...VIRTUAL_RESOURCES] : RESOURCES) {
    const k = `${r.group}/${r.version}`;
    if (!seen.has(k)) seen.set(k, { group: r.group, version: r.version, resources: [] });
    seen.get(k)!.resources.push(r);
  }
  return [...seen.values()];
}

/**
 * Each stored resource once, in its preferred (first-listed) served version,
 * among those `keep` accepts: what a controller watching "everything" walks.
 */
export function servedOnce(keep: (r: ResourceInfo) => boolean): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  for (const r of RESOURCES) {
    if (seen.has(r.groupResource) || !keep(r)) continue;
    seen.add(r.groupResource);
    out.push(r);
  }
  return out;
}

const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.kind}`, r]));

export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** The resource for an apiVersion ("apps/v1", "v1") and kind. */
export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return byKind.get(`${group}/${version}/${kind}`);
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}
