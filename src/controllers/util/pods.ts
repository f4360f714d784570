// Pod state as Kubernetes' controllers judge it (pkg/api/v1/pod IsPodReady,
// IsPodAvailable; controller_utils.go IsPodActive, IsPodTerminating): ready,
// available after minReadySeconds, active, terminal, terminating, and the
// oldest-first order. Pure: the clock is an argument. ranking.ts orders pods
// for a scale-down.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Running with Ready True (what StatefulSet waits for under OrderedReady). */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** When a ready pod becomes available: its Ready transition plus minReadySeconds (NaN without a transition time). */
function availableSince(c: PodCondition, minReadySeconds: number): number {
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return since + minReadySeconds * 1000;
}

/**
 * Ready for at least minReadySeconds at `now` (ms since epoch). With
 * minReadySeconds > 0, a Ready condition without a transition time is not
 * available, as in Kubernetes (a zero time is never "before now").
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  return availableSince(c, minReadySeconds) <= now;
}

/** How long until a ready pod becomes available (0 when it is, when it is not ready, or when that is unknown). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || minReadySeconds <= 0) return 0;
  const at = availableSince(c, minReadySeconds);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** Succeeded or Failed: the pod will not run again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Being deleted (deletionTimestamp set), whatever its phase: what DaemonSet and StatefulSet call terminating. */
export function isBeingDeleted(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

/** Being deleted and not yet terminal: still stopping (controller_utils' IsPodTerminating, what Jobs count as terminating). */
export function isPodTerminating(pod: Pod): boolean {
  return isBeingDeleted(pod) && !isPodTerminal(pod);
}

/** Not terminal and not being deleted: a pod that counts toward replicas. */
export function podIsActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isBeingDeleted(pod);
}

export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(podIsActive);
}

/** Oldest first by creation time, then by name: a stable order for "keep the oldest". */
export function byCreation(a: Pod, b: Pod): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
