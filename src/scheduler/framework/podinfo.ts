// What the scheduler knows of a pod, computed once per pod version: its
// requests (Kubernetes' PodRequests rule for init containers, sidecars and
// overhead), the non-zero requests scoring uses, host ports, and its parsed
// affinity terms. A selector that does not parse is kept as `invalid` so the
// pod fails with a reason instead of failing the scheduler.

import type { Container, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, type Selector } from '../../api/labels.ts';
import { addResourceList, addResources, emptyResources, maxResources, milliValue, unitValue, type Resources } from './resources.ts';

/** Kubernetes' defaults for scoring a container that requests nothing: 100m cpu, 200 MiB memory. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface AffinityTerm {
  selector: Selector;
  /** Explicit namespaces; with no namespaceSelector and none listed, the pod's own. */
  namespaces: Set<string>;
  namespaceSelector: Selector | undefined;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  pod: Pod;
  /** namespace/name */
  key: string;
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resources;
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** Why the pod's own spec cannot be evaluated (an affinity selector that does not parse). */
  invalid?: string;
}

function containerRequests(c: Container): Resources {
  const r = emptyResources();
  const req = c.resources?.requests as Record<string, string> | undefined;
  const lim = c.resources?.limits as Record<string, string> | undefined;
  addResourceList(r, req);
  // API defaulting copies limits into unset requests; objects written around it still count the same.
  if (lim) for (const name in lim) if (!req || !(name in req)) addResourceList(r, { [name]: lim[name]! });
  return r;
}

/** Kubernetes' PodRequests: containers plus sidecars, at least the largest init step, plus overhead. */
export function podRequests(pod: Pod): Resources {
  const spec = pod.spec;
  const total = emptyResources();
  for (const c of spec?.containers ?? []) addResources(total, containerRequests(c));
  const sidecars = emptyResources();
  const maxInit = emptyResources();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running: it adds to everything started after it.
      addResources(sidecars, r);
      maxResources(maxInit, sidecars);
    } else {
      const step = emptyResources();
      addResources(step, r);
      addResources(step, sidecars);
      maxResources(maxInit, step);
    }
  }
  addResources(total, sidecars);
  maxResources(total, maxInit);
  addResourceList(total, spec?.overhead as Record<string, string> | undefined);
  total.pods = 0;
  return total;
}

function nonZero(pod: Pod): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  const one = (c: Container) => {
    const req = (c.resources?.requests ?? c.resources?.limits) as Record<string, string> | undefined;
    return { cpu: req?.cpu !== undefined ? milliValue(req.cpu) : DEFAULT_MILLI_CPU_REQUEST, mem: req?.memory !== undefined ? unitValue(req.memory) : DEFAULT_MEMORY_REQUEST };
  };
  for (const c of pod.spec?.containers ?? []) {
    const r = one(c);
    cpu += r.cpu;
    mem += r.mem;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = one(c);
    if (c.restartPolicy === 'Always') {
      cpu += r.cpu;
      mem += r.mem;
    } else {
      cpu = Math.max(cpu, r.cpu);
      mem = Math.max(mem, r.mem);
    }
  }
  const oh = pod.spec?.overhead as Record<string, string> | undefined;
  if (oh?.cpu) cpu += milliValue(oh.cpu);
  if (oh?.memory) mem += unitValue(oh.memory);
  return { cpu, mem };
}

function parseTerm(t: PodAffinityTerm, ownNamespace: string): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? selectorFromLabelSelector(t.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(ownNamespace);
  // A nil labelSelector matches no pods (Kubernetes' LabelSelectorAsSelector of nil is Nothing).
  return { selector: selectorFromLabelSelector(t.labelSelector ?? null), namespaces, namespaceSelector, topologyKey: t.topologyKey };
}

const parseWeighted = (t: WeightedPodAffinityTerm, ns: string): WeightedAffinityTerm => ({ ...parseTerm(t.podAffinityTerm, ns), weight: t.weight });

export function newPodInfo(pod: Pod): PodInfo {
  const m = pod.metadata ?? {};
  const namespace = m.namespace ?? '';
  const nz = nonZero(pod);
  const info: PodInfo = {
    pod,
    key: `${namespace}/${m.name ?? ''}`,
    uid: m.uid ?? '',
    namespace,
    name: m.name ?? '',
    labels: m.labels ?? {},
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroMilliCPU: nz.cpu,
    nonZeroMemory: nz.mem,
    hostPorts: [],
    requiredAffinity: [],
    requiredAntiAffinity: [],
    preferredAffinity: [],
    preferredAntiAffinity: [],
  };
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort) info.hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
  }
  const a = pod.spec?.affinity;
  try {
    info.requiredAffinity = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(t, namespace));
    info.requiredAntiAffinity = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(t, namespace));
    info.preferredAffinity = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseWeighted(t, namespace));
    info.preferredAntiAffinity = (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseWeighted(t, namespace));
  } catch (e) {
    info.invalid = `invalid pod affinity: ${(e as Error).message}`;
    info.requiredAffinity = info.requiredAntiAffinity = info.preferredAffinity = info.preferredAntiAffinity = [];
  }
  return info;
}

export const hasAffinity = (p: PodInfo) => p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
export const hasRequiredAntiAffinity = (p: PodInfo) => p.requiredAntiAffinity.length > 0;

/** Whether a term selects `pod`: its namespace is in the term's scope and its labels match. */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector || !term.namespaceSelector.matches(nsLabels(pod.namespace) ?? {})) return false;
  }
  return term.selector.matches(pod.labels);
}
