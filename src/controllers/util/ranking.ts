// Kubernetes' ActivePods ordering (controller_utils.go ActivePods and
// ActivePodsWithRanks): which pods a scale-down deletes first. Pure.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady, readyCondition } from './pods.ts';

function restarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n = Math.max(n, s.restartCount ?? 0);
  return n;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: Pod): number {
  const v = Number.parseInt(pod.metadata?.annotations?.[DELETION_COST] ?? '', 10);
  return Number.isNaN(v) ? 0 : v;
}

/**
 * Kubernetes' ActivePods ordering, least valuable first: unassigned before
 * assigned, Pending < Unknown < Running, not ready before ready, lower
 * pod-deletion-cost first, (with a rank: more related pods on the same node
 * first), ready for less time before ready for longer, more restarts before
 * fewer, newer before older. Negative means `a` goes before `b`.
 */
export function compareActivePods(a: Pod, b: Pod, rank?: (p: Pod) => number): number {
  const aNode = a.spec?.nodeName ?? '';
  const bNode = b.spec?.nodeName ?? '';
  if ((aNode === '') !== (bNode === '')) return aNode === '' ? -1 : 1;
  const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a);
  const br = isPodReady(b);
  if (ar !== br) return ar ? 1 : -1;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost !== 0) return cost;
  if (rank) {
    const r = rank(b) - rank(a);
    if (r !== 0) return r;
  }
  if (ar && br) {
    // Ready more recently is less valuable (it may still be warming up).
    const at = time(readyCondition(a)?.lastTransitionTime);
    const bt = time(readyCondition(b)?.lastTransitionTime);
    if (at !== bt) return bt - at;
  }
  const rs = restarts(b) - restarts(a);
  if (rs !== 0) return rs;
  // Newer first; a pod without a creation time counts as newest.
  const ac = time(a.metadata?.creationTimestamp);
  const bc = time(b.metadata?.creationTimestamp);
  if (ac !== bc) {
    if (ac === 0) return -1;
    if (bc === 0) return 1;
    return bc - ac;
  }
  return 0;
}

/** The `n` least valuable pods (compareActivePods), the ones a scale-down deletes. */
export function podsToDelete(pods: Pod[], n: number, rank?: (p: Pod) => number): Pod[] {
  if (n <= 0) return [];
  return [...pods].sort((a, b) => compareActivePods(a, b, rank)).slice(0, n);
}

/** Related pods per node, for compareActivePods' rank (Kubernetes' ActivePodsWithRanks). */
export function colocationRank(pods: Pod[]): (p: Pod) => number {
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  return (p) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
}
