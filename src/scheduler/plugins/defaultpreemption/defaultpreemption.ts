// DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where
// deleting lower-priority pods would make it fit, pick the node whose victims
// matter least, delete them through the API (with a Preempted event and a
// DisruptionTarget condition, as Kubernetes does) and nominate the node in
// the pod's status. The messages are Kubernetes' ("preemption: 0/3 nodes are
// available: 3 Preemption is not helpful for scheduling.").

import type { Framework } from '../../framework/framework.ts';
import { fitErrorMessage } from '../../framework/fiterror.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { Status, unresolvable, unschedulable, type CycleState, type PostFilterPlugin, type PostFilterResult } from '../../framework/types.ts';
import { selectVictimsOnNode } from './victims.ts';

export const NAME = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface PreemptionHandle {
  framework(): Framework;
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Deletes a victim through the API (and tells its owner why). */
  evict(victim: PodInfo, preemptor: PodInfo, nodeName: string): Promise<void>;
}

export interface Candidate {
  node: string;
  victims: PodInfo[];
}

/** Kubernetes' pickOneNodeForPreemption, without disruption budgets: lowest top victim priority, then lowest sum, then fewest victims. */
export function pickCandidate(cands: readonly Candidate[]): Candidate | undefined {
  const top = (c: Candidate) => Math.max(...c.victims.map((v) => v.priority));
  // Priorities can be negative: offset them as Kubernetes does, so a sum never favours more victims.
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  return [...cands].sort((a, b) => top(a) - top(b) || sum(a) - sum(b) || a.victims.length - b.victims.length)[0];
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;

  constructor(
    private readonly h: PreemptionHandle,
    private readonly opts: { minCandidateNodesPercentage?: number; minCandidateNodesAbsolute?: number; random?: () => number } = {},
  ) {}

  async postFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ result?: PostFilterResult; status: Status | null }> {
    const r = await this.preempt(state, pod, statuses);
    if (r.status?.message) return { result: r.result, status: new Status(r.status.code, [`preemption: ${r.status.message}`]) };
    return r;
  }

  private eligible(pod: PodInfo, statuses: Map<string, Status>): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated && statuses.get(nominated)?.code !== 'UnschedulableAndUnresolvable') {
      const node = this.h.node(nominated);
      for (const p of node?.pods.values() ?? []) {
        if (p.pod.metadata?.deletionTimestamp && p.priority < pod.priority) return 'not eligible due to a terminating pod on the nominated node.';
      }
    }
    return undefined;
  }

  private async preempt(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ result?: PostFilterResult; status: Status | null }> {
    const why = this.eligible(pod, statuses);
    if (why) return { status: unschedulable(why) };
    const all = this.h.nodes();
    const fw = this.h.framework();
    const results = new Map<string, Status>();
    const potential: NodeInfo[] = [];
    for (const n of all) {
      const s = statuses.get(n.name);
      if (s?.code === 'Unschedulable') potential.push(n);
      else results.set(n.name, unresolvable(NOT_HELPFUL));
    }
    const cands: Candidate[] = [];
    if (potential.length > 0) {
      const want = Math.min(potential.length, Math.max(this.opts.minCandidateNodesAbsolute ?? 100, Math.floor((all.length * (this.opts.minCandidateNodesPercentage ?? 10)) / 100)));
      const offset = Math.floor((this.opts.random ?? Math.random)() * potential.length);
      for (let i = 0; i < potential.length && cands.length < want; i++) {
        const n = potential[(offset + i) % potential.length]!;
        const r = selectVictimsOnNode(fw, state, pod, n);
        if ('victims' in r && r.victims.length > 0) cands.push({ node: n.name, victims: r.victims });
        else if ('status' in r) results.set(n.name, r.status);
      }
    }
    const best = pickCandidate(cands);
    if (!best) return { result: { nominatedNodeName: '' }, status: unschedulable(fitErrorMessage(all.length, results, '', '')) };
    await Promise.all(best.victims.map((v) => this.h.evict(v, pod, best.node)));
    return { result: { nominatedNodeName: best.node }, status: null };
  }
}
