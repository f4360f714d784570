// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods
// that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { unresolvable, type ClusterEvent, type CycleState, type FilterPlugin, type Status } from '../../framework/types.ts';
import { toleratedBy } from '../tainttoleration/tolerations.ts';

export const NAME = 'NodeUnschedulable';
export const REASON = 'node(s) were unschedulable';
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate'];

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.node?.spec?.unschedulable) return null;
    return toleratedBy(pod.pod.spec?.tolerations, TAINT) ? null : unresolvable(REASON);
  }
}
