// Choosing victims on one node (Kubernetes' SelectVictimsOnNode): remove
// every lower-priority pod; if the preemptor still does not fit, the node
// cannot help. Otherwise give back pods, most important first, as long as
// the preemptor keeps fitting; the rest are the victims.

import type { Framework } from '../../framework/framework.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { unresolvable, type CycleState, type Status } from '../../framework/types.ts';

export const NO_VICTIMS = 'No preemption victims found for incoming pod';

const startTime = (p: PodInfo) => Date.parse(p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp ?? '') || 0;

/** More important first: higher priority, then started earlier. */
export function byImportance(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

export function selectVictimsOnNode(fw: Framework, state: CycleState, pod: PodInfo, node: NodeInfo): { victims: PodInfo[] } | { status: Status } {
  const potential = [...node.pods.values()].filter((p) => p.priority < pod.priority).sort(byImportance);
  if (potential.length === 0) return { status: unresolvable(NO_VICTIMS) };
  const copy = node.clone();
  const hooks = fw.preFilters.filter((pl) => !state.skipFilter.has(pl.name));
  const remove = (p: PodInfo) => {
    copy.removePod(p.uid);
    for (const pl of hooks) pl.removePod?.(state, pod, p, copy);
  };
  const add = (p: PodInfo) => {
    copy.addPod(p);
    for (const pl of hooks) pl.addPod?.(state, pod, p, copy);
  };
  for (const p of potential) remove(p);
  const victims: PodInfo[] = [];
  try {
    const s = fw.runFilter(state, pod, copy);
    if (s) {
      victims.push(...potential);
      return { status: s };
    }
    for (const p of potential) {
      add(p);
      if (fw.runFilter(state, pod, copy)) {
        remove(p);
        victims.push(p);
      }
    }
    return { victims };
  } finally {
    // The cycle state is shared across nodes: undo what this node's trial did to it.
    for (const p of victims) for (const pl of hooks) pl.addPod?.(state, pod, p, copy);
  }
}
