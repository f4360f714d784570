// NodeAffinity: spec.nodeSelector and required node affinity filter nodes;
// preferred terms add their weights to a node's score.

import type { PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { SKIP, unresolvable, type ClusterEvent, type CycleState, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';
import { defaultNormalizeScore } from '../helpers.ts';
import { requiredNodeAffinityMatches, termMatches } from './match.ts';

export const NAME = 'NodeAffinity';
export const REASON = "node(s) didn't match Pod's node affinity/selector";

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate'];

  preFilter(_s: CycleState, pod: PodInfo) {
    const spec = pod.pod.spec;
    const hasSelector = spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0;
    return { status: !hasSelector && !spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ? SKIP : null };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    return requiredNodeAffinityMatches(pod.pod, node) ? null : unresolvable(REASON);
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (terms.length === 0) return SKIP;
    state.write(NAME, terms);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    for (const t of state.read<PreferredSchedulingTerm[]>(NAME) ?? []) if (t.weight !== 0 && termMatches(t.preference, node.labels, node.name)) sum += t.weight;
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}
