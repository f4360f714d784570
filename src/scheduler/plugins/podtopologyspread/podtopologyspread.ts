// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain
// would exceed maxSkew (skew = pods matching in the domain + 1 if the pod
// matches itself - the minimum over eligible domains); ScheduleAnyway
// constraints (or the system defaults) score nodes with fewer matching pods
// higher. Counts follow Kubernetes' preFilter/preScore state.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type ClusterEvent, type CycleState, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';
import { requiredNodeAffinityMatches } from '../nodeaffinity/match.ts';
import { firstUntolerated } from '../tainttoleration/tolerations.ts';
import { constraintsFor, countMatching, hasAllKeys, LABEL_HOSTNAME, type Constraint, type DefaultSelectorSource } from './constraints.ts';

export const NAME = 'PodTopologySpread';
export const REASON = "node(s) didn't match pod topology spread constraints";
export const REASON_MISSING_LABEL = `${REASON} (missing required label)`;

interface FilterState {
  constraints: Constraint[];
  /** per constraint: topology value -> matching pods */
  counts: Map<string, number>[];
  /** per constraint: the smallest count over its domains */
  minMatch: number[];
}

interface ScoreState {
  constraints: Constraint[];
  counts: Map<string, number>[];
  weights: number[];
  ignored: Set<string>;
}

function includesNode(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !requiredNodeAffinityMatches(pod.pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && firstUntolerated(node.taints, pod.pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'NodeDelete', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'];

  constructor(
    private readonly allNodes: () => readonly NodeInfo[],
    private readonly defaults?: DefaultSelectorSource,
  ) {}

  preFilter(state: CycleState, pod: PodInfo) {
    const constraints = constraintsFor(pod, 'DoNotSchedule', undefined);
    if (constraints.length === 0) return { status: SKIP };
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of this.allNodes()) {
      if (!hasAllKeys(node.labels, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!includesNode(c, pod, node)) return;
        const v = node.labels[c.topologyKey]!;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countMatching(node.pods.values(), c.selector, pod.namespace));
      });
    }
    const minMatch = constraints.map((c, i) => {
      const m = counts[i]!;
      if (m.size < c.minDomains) return 0;
      let min = Infinity;
      for (const n of m.values()) if (n < min) min = n;
      return min === Infinity ? 0 : min;
    });
    state.write(NAME, { constraints, counts, minMatch } satisfies FilterState);
    return { status: null };
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, added, node, 1);
  }
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, removed, node, -1);
  }

  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    const s = state.read<FilterState>(NAME);
    if (!s || other.namespace !== pod.namespace || !hasAllKeys(node.labels, s.constraints)) return;
    s.constraints.forEach((c, i) => {
      if (!includesNode(c, pod, node) || !c.selector.matches(other.labels)) return;
      const v = node.labels[c.topologyKey]!;
      s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + delta);
      let min = Infinity;
      for (const n of s.counts[i]!.values()) if (n < min) min = n;
      s.minMatch[i] = s.counts[i]!.size < c.minDomains || min === Infinity ? 0 : min;
    });
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(NAME);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(REASON_MISSING_LABEL);
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(v) ?? 0) + self - s.minMatch[i]!;
      if (skew > c.maxSkew) return unschedulable(REASON);
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, filtered: readonly NodeInfo[]): Status | null {
    const own = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const constraints = constraintsFor(pod, 'ScheduleAnyway', this.defaults);
    if (constraints.length === 0 || filtered.length === 0) return SKIP;
    // The system defaults do not require every key: a node without a zone still spreads by hostname.
    const requireAll = own;
    const counts = constraints.map(() => new Map<string, number>());
    const ignored = new Set<string>();
    for (const node of filtered) {
      if (requireAll && !hasAllKeys(node.labels, constraints)) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const v = node.labels[c.topologyKey];
        if (v !== undefined && !counts[i]!.has(v)) counts[i]!.set(v, 0);
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignored.size : counts[i]!.size) + 2));
    if (constraints.some((c) => c.topologyKey !== LABEL_HOSTNAME)) {
      for (const node of this.allNodes()) {
        if (requireAll && !hasAllKeys(node.labels, constraints)) continue;
        constraints.forEach((c, i) => {
          if (c.topologyKey === LABEL_HOSTNAME || !includesNode(c, pod, node)) return;
          const v = node.labels[c.topologyKey];
          if (v === undefined || !counts[i]!.has(v)) return;
          counts[i]!.set(v, counts[i]!.get(v)! + countMatching(node.pods.values(), c.selector, pod.namespace));
        });
      }
    }
    state.write(`${NAME}/score`, { constraints, counts, weights, ignored } satisfies ScoreState);
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(`${NAME}/score`)!;
    if (s.ignored.has(node.name)) return -1;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatching(node.pods.values(), c.selector, pod.namespace) : (s.counts[i]!.get(v) ?? 0);
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: number[]): void {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue; // ignored nodes
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  }
}
