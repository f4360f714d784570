// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods
// that do not tolerate them; PreferNoSchedule taints only lower the score.

import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { unresolvable, type ClusterEvent, type CycleState, type FilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';
import { defaultNormalizeScore } from '../helpers.ts';
import { firstUntolerated, toleratedBy } from './tolerations.ts';

export const NAME = 'TaintToleration';
const FILTER_EFFECTS = ['NoSchedule', 'NoExecute'];

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate'];

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (node.taints.length === 0) return null;
    const taint = firstUntolerated(node.taints, pod.pod.spec?.tolerations, FILTER_EFFECTS);
    if (!taint) return null;
    return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    // Tolerations that can matter for PreferNoSchedule taints.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(NAME, tolerations);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    const tolerations = state.read<Toleration[]>(NAME) ?? [];
    let n = 0;
    for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !toleratedBy(tolerations, taint)) n++;
    return n;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}

