// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would
// be used in the same proportion after placing the pod (score = (1 - the
// standard deviation of the used fractions) * 100). Pods that request
// nothing are skipped, as in Kubernetes.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { MAX_NODE_SCORE, SKIP, type ClusterEvent, type CycleState, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';

export const NAME = 'NodeResourcesBalancedAllocation';

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete', 'AssignedPodUpdate'];

  preScore(_s: CycleState, pod: PodInfo): Status | null {
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? SKIP : null;
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const a = node.allocatable;
    if (a.milliCPU === 0 || a.memory === 0) return 0;
    const cpu = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
    const mem = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
    // With two resources the standard deviation is half their difference.
    const std = Math.abs(cpu - mem) / 2;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
