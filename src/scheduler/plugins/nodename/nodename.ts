// NodeName: a pod that names its node fits only there.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { unresolvable, type ClusterEvent, type CycleState, type FilterPlugin, type Status } from '../../framework/types.ts';

export const NAME = 'NodeName';
export const REASON = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate'];

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    return !want || want === node.name ? null : unresolvable(REASON);
  }
}
