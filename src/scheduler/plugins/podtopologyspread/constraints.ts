// The spread constraints a pod is scheduled with: its own (with matchLabelKeys
// folded into the selector), or for soft spreading Kubernetes' system
// defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) over the
// pods selected by the Services, ReplicaSets, ReplicationControllers and
// StatefulSets that select the pod.

import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { newRequirement, Selector, selectorFromLabelSelector } from '../../../api/labels.ts';
import type { PodInfo } from '../../framework/podinfo.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
] as const;

/** The selectors of the workloads and services that select a pod (Kubernetes' DefaultSelector inputs). */
export type DefaultSelectorSource = (pod: PodInfo) => Selector[];

function fromSpec(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  let selector = selectorFromLabelSelector(c.labelSelector ?? null);
  const extra = (c.matchLabelKeys ?? []).filter((k) => k in pod.labels).map((k) => newRequirement(k, 'in', [pod.labels[k]!]));
  if (extra.length > 0) selector = new Selector([...selector.requirements, ...extra]);
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: (c.nodeAffinityPolicy as 'Honor' | 'Ignore' | undefined) ?? 'Honor',
    nodeTaintsPolicy: (c.nodeTaintsPolicy as 'Honor' | 'Ignore' | undefined) ?? 'Ignore',
  };
}

export function constraintsFor(pod: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway', defaults: DefaultSelectorSource | undefined): Constraint[] {
  const own = pod.pod.spec?.topologySpreadConstraints ?? [];
  if (own.length > 0) return own.filter((c) => c.whenUnsatisfiable === action).map((c) => fromSpec(c, pod));
  if (action !== 'ScheduleAnyway' || !defaults) return [];
  const sels = defaults(pod);
  if (sels.length === 0) return [];
  // One selector requiring everything the selecting objects require (Kubernetes merges their label sets).
  const selector = new Selector(sels.flatMap((s) => [...s.requirements]));
  if (selector.isEmpty()) return [];
  return SYSTEM_DEFAULT_CONSTRAINTS.map((d) => ({ ...d, selector, minDomains: 1, nodeAffinityPolicy: 'Honor' as const, nodeTaintsPolicy: 'Ignore' as const }));
}

/** Pods in `namespace`, not terminating, that the selector matches. */
export function countMatching(pods: Iterable<PodInfo>, selector: Selector, namespace: string): number {
  let n = 0;
  for (const p of pods) if (p.namespace === namespace && !p.pod.metadata?.deletionTimestamp && selector.matches(p.labels)) n++;
  return n;
}

export const hasAllKeys = (labels: Record<string, string>, cs: readonly Constraint[]) => cs.every((c) => c.topologyKey in labels);
