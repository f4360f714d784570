// NodeResourcesFit: the pod's requests (cpu, memory, ephemeral storage,
// extended resources, one pod slot) must fit in what the node has left;
// scoring prefers the least allocated node (Kubernetes' default strategy).
// A request larger than the node's whole allocatable is unresolvable:
// preempting pods there cannot help.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { MAX_NODE_SCORE, Status, type ClusterEvent, type CycleState, type FilterPlugin, type ScorePlugin } from '../../framework/types.ts';

export const NAME = 'NodeResourcesFit';

/** Why the pod does not fit, one reason per resource short (Kubernetes' fitsRequest). */
export function insufficient(pod: PodInfo, node: NodeInfo): { reasons: string[]; unresolvable: boolean } | null {
  // Hot path (every pod x every node): no closures, no allocation when the pod fits.
  let reasons: string[] | null = null;
  let unresolvable = false;
  const a = node.allocatable;
  const u = node.requested;
  if (node.pods.size + 1 > a.pods) (reasons ??= []).push('Too many pods');
  const r = pod.requests;
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - u.milliCPU) {
    (reasons ??= []).push('Insufficient cpu');
    if (r.milliCPU > a.milliCPU) unresolvable = true;
  }
  if (r.memory > 0 && r.memory > a.memory - u.memory) {
    (reasons ??= []).push('Insufficient memory');
    if (r.memory > a.memory) unresolvable = true;
  }
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - u.ephemeralStorage) {
    (reasons ??= []).push('Insufficient ephemeral-storage');
    if (r.ephemeralStorage > a.ephemeralStorage) unresolvable = true;
  }
  if (r.scalar) {
    for (const [name, want] of r.scalar) {
      if (want === 0) continue;
      const cap = a.scalar?.get(name) ?? 0;
      if (want > cap - (u.scalar?.get(name) ?? 0)) {
        (reasons ??= []).push(`Insufficient ${name}`);
        if (want > cap) unresolvable = true;
      }
    }
  }
  return reasons ? { reasons, unresolvable } : null;
}

/** Kubernetes' leastRequestedScore for one resource. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete', 'AssignedPodUpdate'];

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const short = insufficient(pod, node);
    if (!short) return null;
    return new Status(short.unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', short.reasons);
  }

  /** LeastAllocated over cpu and memory, weight 1 each, on non-zero requests. */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const cpu = leastRequested(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, node.allocatable.milliCPU);
    const mem = leastRequested(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
    return Math.trunc((cpu + mem) / 2);
  }
}
