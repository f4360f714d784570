// One scheduling decision (Kubernetes' schedulePod): PreFilter, then Filter
// over the nodes starting where the last cycle stopped, until enough feasible
// nodes are found (percentageOfNodesToScore, adaptive by default: 50% minus
// 1% per 125 nodes, at least 5% and at least 100 nodes), then Score and pick
// the best (ties broken at random). Synchronous: the cache cannot change
// under it. Throws FitError when no node fits.

import type { SchedulerCache } from './cache/cache.ts';
import { FitError } from './framework/fiterror.ts';
import type { Framework } from './framework/framework.ts';
import type { NodeInfo } from './framework/nodeinfo.ts';
import type { PodInfo } from './framework/podinfo.ts';
import type { CycleState, Status } from './framework/types.ts';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** Kubernetes' numFeasibleNodesToFind; percentage 0 means adaptive. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let p = percentage;
  if (p <= 0) {
    p = 50 - Math.trunc(numAllNodes / 125);
    if (p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * p) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export class NoNodesError extends Error {
  constructor() {
    super('no nodes available to schedule pods');
  }
}

export interface ScheduleResult {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export interface AlgorithmOptions {
  /** 0 (default): adaptive. */
  percentageOfNodesToScore?: number;
  random?: () => number;
  /** Pods nominated to a node that count there for a pod of at most their priority. */
  nominatedPods?: (node: string, pod: PodInfo) => readonly PodInfo[] | undefined;
}

export class Algorithm {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly fw: Framework,
    private readonly cache: SchedulerCache,
    private readonly opts: AlgorithmOptions = {},
  ) {}

  schedule(state: CycleState, pod: PodInfo): ScheduleResult {
    const all = this.cache.nodeList();
    if (all.length === 0) throw new NoNodesError();
    const pre = this.fw.runPreFilter(state, pod, all);
    if (pre.status) {
      if (!pre.status.isRejected) throw new Error(`running PreFilter plugin "${pre.status.plugin}": ${pre.status.message}`);
      const statuses = new Map<string, Status>();
      for (const n of all) statuses.set(n.name, pre.status);
      throw new FitError(all.length, statuses, pre.status.message);
    }
    const nodes = pre.nodeNames ? all.filter((n) => pre.nodeNames!.has(n.name)) : all;
    const { feasible, statuses } = this.findFeasible(state, pod, nodes);
    if (feasible.length === 0) throw new FitError(all.length, statuses);
    if (feasible.length === 1) return { node: feasible[0]!.name, evaluatedNodes: statuses.size + 1, feasibleNodes: 1 };
    const totals = this.fw.runScore(state, pod, feasible);
    return { node: this.selectHost(feasible, totals), evaluatedNodes: statuses.size + feasible.length, feasibleNodes: feasible.length };
  }

  private findFeasible(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]) {
    const want = numFeasibleNodesToFind(this.opts.percentageOfNodesToScore ?? 0, nodes.length);
    const feasible: NodeInfo[] = [];
    const statuses = new Map<string, Status>();
    const n = nodes.length;
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = nodes[(start + i) % n]!;
      processed++;
      const extra = this.opts.nominatedPods?.(node.name, pod);
      const s = extra && extra.length > 0 ? this.fw.runFilterWith(state, pod, node, extra) : this.fw.runFilter(state, pod, node);
      if (!s) feasible.push(node);
      else if (s.code === 'Error') throw new Error(`running Filter plugin "${s.plugin}" on node ${node.name}: ${s.message}`);
      else statuses.set(node.name, s);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    return { feasible, statuses };
  }

  /** The highest total; among equals each is equally likely (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): string {
    const rand = this.opts.random ?? Math.random;
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (rand() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
