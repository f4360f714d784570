// Node taints that follow node conditions (Kubernetes' TaintNodesByCondition
// and taint-based eviction), and the toleration math the taint eviction
// controller uses. Pure functions.

import type { Node, NodeCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Every taint this controller owns: it adds and removes these, and leaves all others alone. */
const MANAGED = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_PID_PRESSURE, TAINT_NETWORK_UNAVAILABLE]);

export function condition(node: Node, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

/** The condition taints the node should carry (key and effect; no time). */
export function desiredConditionTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  const ready = condition(node, 'Ready')?.status;
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' }, { key: TAINT_NOT_READY, effect: 'NoSchedule' });
  else if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' }, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' });
  if (condition(node, 'MemoryPressure')?.status === 'True') out.push({ key: TAINT_MEMORY_PRESSURE, effect: 'NoSchedule' });
  if (condition(node, 'DiskPressure')?.status === 'True') out.push({ key: TAINT_DISK_PRESSURE, effect: 'NoSchedule' });
  if (condition(node, 'PIDPressure')?.status === 'True') out.push({ key: TAINT_PID_PRESSURE, effect: 'NoSchedule' });
  if (condition(node, 'NetworkUnavailable')?.status === 'True') out.push({ key: TAINT_NETWORK_UNAVAILABLE, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/**
 * The node's taints with the managed ones made equal to `desired`: others
 * are kept as they are, a managed taint that stays keeps its timeAdded, a
 * new NoExecute taint gets `now`. Undefined when nothing changes.
 */
export function reconcileTaints(node: Node, desired: Taint[], now: string): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !MANAGED.has(t.key) || desired.some((d) => same(d, t)));
  const added = desired.filter((d) => !current.some((t) => same(d, t))).map((d) => (d.effect === 'NoExecute' ? { ...d, timeAdded: now } : d));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * When a pod on a node with these NoExecute taints must go: now (a taint it
 * does not tolerate), never (tolerated without a time limit), or at the
 * earliest time a tolerationSeconds runs out, counted from the taint's
 * timeAdded (or `since` when the taint has none).
 */
export function evictionTime(tolerations: Toleration[] | undefined, taints: Taint[], since: number): number {
  let at = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return -Infinity;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : since;
    for (const t of matching) {
      if (t.tolerationSeconds == null) continue;
      at = Math.min(at, added + Math.max(0, t.tolerationSeconds) * 1000);
    }
  }
  return at;
}
