// ResourceQuota accounting, pure: what one object uses of a quota's
// resources (Kubernetes' quota evaluators for pods, services, claims and
// object counts), adding and comparing resource lists, and printing them as
// the "exceeded quota" message does. Shared by the ResourceQuota admission
// plugin and the controller that recomputes status.used.

import { Quantity } from '../quantity.ts';

export type ResourceList = Record<string, string>;

interface ContainerLike {
  name?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}
interface PodLike {
  metadata?: { deletionTimestamp?: string };
  spec?: { containers?: ContainerLike[]; initContainers?: ContainerLike[]; overhead?: ResourceList };
  status?: { phase?: string };
}

/** The group-qualified name count/<resource>[.<group>] of an object kind. */
export function countName(resource: string, group: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The legacy names core resources are also counted under. */
const LEGACY_COUNT: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const q = (s: string | undefined) => Quantity.parse(s ?? '0');

function sumInto(out: Map<string, Quantity>, list: ResourceList | undefined): void {
  for (const [k, v] of Object.entries(list ?? {})) out.set(k, (out.get(k) ?? q('0')).add(q(v)));
}

/** A pod's effective requests or limits: containers summed, at least the largest init container, plus overhead. */
export function podResources(pod: PodLike, which: 'requests' | 'limits'): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec?.containers ?? []) sumInto(sum, c.resources?.[which]);
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
      const cur = sum.get(k);
      if (!cur || q(v).cmp(cur) > 0) sum.set(k, q(v));
    }
  }
  sumInto(sum, pod.spec?.overhead);
  return sum;
}

/** Pods that have finished hold no quota. */
export function podIsTerminal(pod: PodLike): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** What one object of `resource` in `group` uses. */
export function usageOf(resource: string, group: string, obj: unknown): ResourceList {
  const out: Record<string, Quantity> = {};
  out[countName(resource, group)] = q('1');
  if (!group && LEGACY_COUNT[resource]) out[LEGACY_COUNT[resource]] = q('1');
  if (!group && resource === 'pods') {
    const pod = obj as PodLike;
    if (podIsTerminal(pod)) return {};
    const req = podResources(pod, 'requests');
    const lim = podResources(pod, 'limits');
    for (const [k, v] of req) {
      out[`requests.${k}`] = v;
      if (COMPUTE.includes(k)) out[k] = v;
    }
    for (const [k, v] of lim) out[`limits.${k}`] = v;
  }
  if (!group && resource === 'services') {
    const spec = (obj as { spec?: { type?: string; ports?: { nodePort?: number }[] } }).spec ?? {};
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') out['services.nodeports'] = q(String((spec.ports ?? []).length));
    if (spec.type === 'LoadBalancer') out['services.loadbalancers'] = q('1');
  }
  if (!group && resource === 'persistentvolumeclaims') {
    const spec = (obj as { spec?: { storageClassName?: string; resources?: { requests?: ResourceList } } }).spec ?? {};
    const storage = spec.resources?.requests?.storage;
    if (storage) {
      out['requests.storage'] = q(storage);
      if (spec.storageClassName) {
        out[`${spec.storageClassName}.storageclass.storage.k8s.io/requests.storage`] = q(storage);
        out[`${spec.storageClassName}.storageclass.storage.k8s.io/persistentvolumeclaims`] = q('1');
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.canonical()]));
}

/** The quota resources a pod must declare: "must specify" when a quota limits them and a container does not set them. */
export function missingPodResources(pod: PodLike, hard: ResourceList): { resource: string; containers: string[] }[] {
  const out: { resource: string; containers: string[] }[] = [];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const r of Object.keys(hard).sort()) {
    let which: 'requests' | 'limits';
    let name: string;
    if (r.startsWith('requests.')) [which, name] = ['requests', r.slice(9)];
    else if (r.startsWith('limits.')) [which, name] = ['limits', r.slice(7)];
    else if (COMPUTE.includes(r)) [which, name] = ['requests', r];
    else continue;
    if (!COMPUTE.includes(name)) continue;
    const missing = containers.filter((c) => c.resources?.[which]?.[name] === undefined).map((c) => c.name ?? '');
    if (missing.length) out.push({ resource: r, containers: missing });
  }
  return out;
}

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] !== undefined ? q(out[k]).add(q(v)) : q(v)).canonical();
  return out;
}

/** The resources of `requested` over their limit in `hard`, given `used`. */
export function exceeded(used: ResourceList, requested: ResourceList, hard: ResourceList): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(requested)) {
    if (hard[k] === undefined) continue;
    if (q(used[k]).add(q(v)).cmp(q(hard[k])) > 0) out.push(k);
  }
  return out.sort();
}

/** Kubernetes' prettyPrint of a resource list: sorted "k=v" joined by ",". */
export function prettyPrint(list: ResourceList, keys: string[] = Object.keys(list)): string {
  return [...keys].sort().map((k) => `${k}=${list[k] ?? '0'}`).join(',');
}

/** A quota's usage of the resources it limits, summed over objects. */
export function sumUsage(hard: ResourceList, usages: ResourceList[]): ResourceList {
  const used: Record<string, Quantity> = {};
  for (const k of Object.keys(hard)) used[k] = q('0');
  for (const u of usages) for (const [k, v] of Object.entries(u)) if (k in used) used[k] = used[k]!.add(q(v));
  return Object.fromEntries(Object.entries(used).map(([k, v]) => [k, v.canonical()]));
}
