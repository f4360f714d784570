// InterPodAffinity: required pod affinity (the node's domain must hold a pod
// the terms select, or the pod is the first of a set that selects itself),
// required anti-affinity of the pod and of the pods already placed (no pod
// the term selects in the domain), and preferred terms of both sides for
// scoring (plus existing pods' required affinity at weight 1). Counts are
// keyed by "topologyKey=value", as Kubernetes' topologyToMatchedTermCount.

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { termMatches, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../../framework/podinfo.ts';
import { SKIP, unresolvable, unschedulable, type ClusterEvent, type CycleState, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';

export const NAME = 'InterPodAffinity';
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const HARD_POD_AFFINITY_WEIGHT = 1;

export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

interface FilterState {
  existingAnti: Map<string, number>;
  affinity: Map<string, number>;
  anti: Map<string, number>;
}

const pairKey = (k: string, v: string) => `${k}=${v}`;

function bump(m: Map<string, number>, node: NodeInfo, key: string, by: number): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const k = pairKey(key, v);
  const n = (m.get(k) ?? 0) + by;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'];

  constructor(
    private readonly allNodes: () => readonly NodeInfo[],
    private readonly nsLabels: NamespaceLabels = () => undefined,
    /** How many placed pods have required anti-affinity (when 0 their scan is skipped). */
    private readonly podsWithRequiredAntiAffinity: () => number = () => 1,
    private readonly podsWithAffinity: () => number = () => 1,
  ) {}

  private matchesAll(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
    return terms.length > 0 && terms.every((t) => termMatches(t, pod, this.nsLabels));
  }

  preFilter(state: CycleState, pod: PodInfo) {
    const s: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map() };
    const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
    if (!own && this.podsWithRequiredAntiAffinity() === 0) return { status: SKIP };
    for (const node of this.allNodes()) {
      if (node.podsWithRequiredAntiAffinity > 0) {
        for (const ex of node.pods.values()) {
          for (const t of ex.requiredAntiAffinity) if (termMatches(t, pod, this.nsLabels)) bump(s.existingAnti, node, t.topologyKey, 1);
        }
      }
      if (own) for (const ex of node.pods.values()) this.countIncoming(s, pod, ex, node, 1);
    }
    state.write(NAME, s);
    return { status: null };
  }

  private countIncoming(s: FilterState, pod: PodInfo, ex: PodInfo, node: NodeInfo, by: number): void {
    if (this.matchesAll(pod.requiredAffinity, ex)) for (const t of pod.requiredAffinity) bump(s.affinity, node, t.topologyKey, by);
    for (const t of pod.requiredAntiAffinity) if (termMatches(t, ex, this.nsLabels)) bump(s.anti, node, t.topologyKey, by);
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, added, node, 1);
  }
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void {
    this.adjust(state, pod, removed, node, -1);
  }
  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): void {
    const s = state.read<FilterState>(NAME);
    if (!s) return;
    for (const t of other.requiredAntiAffinity) if (termMatches(t, pod, this.nsLabels)) bump(s.existingAnti, node, t.topologyKey, by);
    this.countIncoming(s, pod, other, node, by);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(NAME);
    if (!s) return null;
    if (!this.satisfiesAffinity(s, pod, node)) return unresolvable(REASON_AFFINITY);
    if (s.anti.size > 0) {
      for (const t of pod.requiredAntiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && (s.anti.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return unschedulable(REASON_ANTI_AFFINITY);
      }
    }
    if (s.existingAnti.size > 0) {
      for (const k in node.labels) if ((s.existingAnti.get(pairKey(k, node.labels[k]!)) ?? 0) > 0) return unschedulable(REASON_EXISTING_ANTI_AFFINITY);
    }
    return null;
  }

  private satisfiesAffinity(s: FilterState, pod: PodInfo, node: NodeInfo): boolean {
    let podsExist = true;
    for (const t of pod.requiredAffinity) {
      const v = node.labels[t.topologyKey];
      // Every topology key must be on the node.
      if (v === undefined) return false;
      if ((s.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first of a group of pods with affinity to each other may go anywhere the keys exist.
    return s.affinity.size === 0 && this.matchesAll(pod.requiredAffinity, pod);
  }

  preScore(state: CycleState, pod: PodInfo): Status | null {
    const ownPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    if (!ownPreferred && this.podsWithAffinity() === 0) return SKIP;
    // topologyKey -> value -> score
    const scores = new Map<string, Map<string, number>>();
    const add = (key: string, node: NodeInfo, by: number) => {
      const v = node.labels[key];
      if (v === undefined) return;
      let m = scores.get(key);
      if (!m) scores.set(key, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + by);
    };
    const terms = (ts: readonly WeightedAffinityTerm[], target: PodInfo, node: NodeInfo, sign: number) => {
      for (const t of ts) if (termMatches(t, target, this.nsLabels)) add(t.topologyKey, node, t.weight * sign);
    };
    for (const node of this.allNodes()) {
      if (!ownPreferred && node.podsWithAffinity === 0) continue;
      for (const ex of node.pods.values()) {
        terms(pod.preferredAffinity, ex, node, 1);
        terms(pod.preferredAntiAffinity, ex, node, -1);
        for (const t of ex.requiredAffinity) if (termMatches(t, pod, this.nsLabels)) add(t.topologyKey, node, HARD_POD_AFFINITY_WEIGHT);
        terms(ex.preferredAffinity, pod, node, 1);
        terms(ex.preferredAntiAffinity, pod, node, -1);
      }
    }
    if (scores.size === 0) return SKIP;
    state.write(`${NAME}/score`, scores);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read<Map<string, Map<string, number>>>(`${NAME}/score`)!;
    let sum = 0;
    for (const [key, m] of scores) {
      const v = node.labels[key];
      if (v !== undefined) sum += m.get(v) ?? 0;
    }
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s > max) max = s;
      if (s < min) min = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((100 * (scores[i]! - min)) / diff) : 0;
  }
}
