// NodePorts: a pod's host ports must be free on the node.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { SKIP, unschedulable, type ClusterEvent, type CycleState, type FilterPlugin, type PreFilterPlugin, type Status } from '../../framework/types.ts';

export const NAME = 'NodePorts';
export const REASON = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'AssignedPodDelete'];

  preFilter(_s: CycleState, pod: PodInfo) {
    return { status: pod.hostPorts.length === 0 ? SKIP : null };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const hp of pod.hostPorts) if (node.portInUse(hp.ip, hp.protocol, hp.port)) return unschedulable(REASON);
    return null;
  }
}
