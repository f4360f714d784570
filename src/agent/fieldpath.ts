// The downward API: values of a pod's fields (fieldRef) and of a container's
// resources (resourceFieldRef), shared by env and downwardAPI volumes, with
// the kubelet's formatting.

import type { Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/quantity.ts';

export interface PodRuntimeFields {
  hostIP?: string;
  hostIPs?: string[];
  podIPs?: string[];
}

/** Go's %q for the strings labels and annotations hold. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** fieldpath.FormatMap: `k="v"` lines sorted by key. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join('\n');
}

export class FieldPathError extends Error {}

/** The value of a fieldRef path, or throws FieldPathError for an unsupported one. */
export function podFieldValue(pod: Pod, fieldPath: string, rt: PodRuntimeFields): string {
  const m = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.annotations':
      return formatMap(m.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return rt.hostIP ?? '';
    case 'status.hostIPs':
      return (rt.hostIPs ?? []).join(',');
    case 'status.podIP':
      return rt.podIPs?.[0] ?? '';
    case 'status.podIPs':
      return (rt.podIPs ?? []).join(',');
  }
  throw new FieldPathError(`unsupported fieldPath: ${fieldPath}`);
}

/** A resourceFieldRef value; a limit not set is the node's allocatable, as the kubelet does. */
export function resourceFieldValue(pod: Pod, defaultContainer: string, sel: ResourceFieldSelector, allocatable: Record<string, string>): string {
  const name = sel.containerName || defaultContainer;
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new FieldPathError(`container ${name} not found in pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
  const [kind, resource] = sel.resource.split('.', 2) as ['limits' | 'requests', string];
  if (kind !== 'limits' && kind !== 'requests') throw new FieldPathError(`unsupported container resource: ${sel.resource}`);
  let v = c.resources?.[kind]?.[resource];
  if (v === undefined && kind === 'limits') v = allocatable[resource];
  const divisor = parseQuantity(sel.divisor ?? (resource === 'cpu' ? '1' : '1'));
  if (resource === 'cpu') {
    const m = v === undefined ? 0 : parseQuantity(v).milliValue();
    return String(Math.ceil(m / Math.max(1, divisor.milliValue())));
  }
  const b = v === undefined ? 0 : parseQuantity(v).value();
  return String(Math.ceil(b / Math.max(1, divisor.value())));
}
