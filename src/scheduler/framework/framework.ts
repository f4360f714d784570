// The framework runs the configured plugins at each extension point, in
// Kubernetes' order: PreFilter (a rejection fails the pod everywhere, Skip
// drops that plugin's Filter), Filter (the first failing plugin's status is
// the node's), PostFilter, PreScore, Score with NormalizeScore and weights.

import type { NodeInfo } from './nodeinfo.ts';
import type { PodInfo } from './podinfo.ts';
import {
  ALL_EVENTS,
  isFilter,
  isPostFilter,
  isPreFilter,
  isPreScore,
  isScore,
  Status,
  unresolvable,
  type ClusterEvent,
  type CycleState,
  type FilterPlugin,
  type Plugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from './types.ts';

export interface PluginConfig {
  plugin: Plugin;
  /** Score weight (default 1). */
  weight?: number;
}

export class Framework {
  readonly preFilters: PreFilterPlugin[];
  readonly filters: FilterPlugin[];
  readonly postFilters: PostFilterPlugin[];
  readonly preScores: PreScorePlugin[];
  readonly scores: { plugin: ScorePlugin; weight: number }[];
  private readonly eventsByPlugin = new Map<string, readonly ClusterEvent[]>();

  constructor(plugins: readonly PluginConfig[]) {
    const ps = plugins.map((p) => p.plugin);
    this.preFilters = ps.filter(isPreFilter);
    this.filters = ps.filter(isFilter);
    this.postFilters = ps.filter(isPostFilter);
    this.preScores = ps.filter(isPreScore);
    this.scores = plugins.filter((p) => isScore(p.plugin)).map((p) => ({ plugin: p.plugin as ScorePlugin, weight: p.weight ?? 1 }));
    for (const p of ps) this.eventsByPlugin.set(p.name, p.events ?? ALL_EVENTS);
  }

  /** Whether an event can help a pod that these plugins rejected (no plugin named: any event can). */
  eventCanHelp(event: ClusterEvent, rejectedBy: ReadonlySet<string>): boolean {
    if (rejectedBy.size === 0) return true;
    for (const name of rejectedBy) if ((this.eventsByPlugin.get(name) ?? ALL_EVENTS).includes(event)) return true;
    return false;
  }

  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status | null; nodeNames?: Set<string> } {
    if (pod.invalid) return { status: unresolvable(pod.invalid).withPlugin('PreFilter') };
    let nodeNames: Set<string> | undefined;
    for (const pl of this.preFilters) {
      const { status, result } = pl.preFilter(state, pod, nodes);
      if (status?.code === 'Skip') {
        state.skipFilter.add(pl.name);
        continue;
      }
      if (status) return { status: status.withPlugin(pl.name) };
      if (result?.nodeNames) nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => result.nodeNames!.has(n))) : result.nodeNames;
    }
    return { status: null, nodeNames };
  }

  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    for (const pl of this.filters) {
      if (state.skipFilter.size > 0 && state.skipFilter.has(pl.name)) continue;
      const s = pl.filter(state, pod, node);
      if (s) return s.withPlugin(pl.name);
    }
    return null;
  }

  /**
   * Filters with other pods counted on the node as if placed (nominated pods
   * of at least the pod's priority), telling PreFilter state of them too.
   */
  runFilterWith(state: CycleState, pod: PodInfo, node: NodeInfo, extra: readonly PodInfo[]): Status | null {
    if (extra.length === 0) return this.runFilter(state, pod, node);
    const copy = node.clone();
    for (const p of extra) {
      copy.addPod(p);
      for (const pl of this.preFilters) if (!state.skipFilter.has(pl.name)) pl.addPod?.(state, pod, p, copy);
    }
    try {
      return this.runFilter(state, pod, copy);
    } finally {
      for (const p of extra) for (const pl of this.preFilters) if (!state.skipFilter.has(pl.name)) pl.removePod?.(state, pod, p, copy);
    }
  }

  async runPostFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ result?: PostFilterResult; status: Status | null }> {
    const reasons: string[] = [];
    let result: PostFilterResult | undefined;
    for (const pl of this.postFilters) {
      const r = await pl.postFilter(state, pod, statuses);
      if (!r.status) return r;
      if (!r.status.isRejected) return { status: r.status.withPlugin(pl.name) };
      if (r.result) result = r.result;
      reasons.push(...r.status.reasons);
    }
    return { result, status: new Status('Unschedulable', reasons) };
  }

  /** Weighted, normalized total per node (in `nodes` order). */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    for (const pl of this.preScores) {
      const s = pl.preScore(state, pod, nodes);
      if (s?.code === 'Skip') state.skipScore.add(pl.name);
      else if (s) throw new Error(`${pl.name} PreScore: ${s.message}`);
    }
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * weight;
    }
    return totals;
  }
}
