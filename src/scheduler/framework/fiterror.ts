// Why a pod fits nowhere, in the words kube-scheduler uses in events and the
// PodScheduled condition: "0/3 nodes are available: 1 node(s) had untolerated
// taint {dedicated: gpu}, 2 Insufficient cpu. preemption: ..." (one entry
// per distinct reason with the number of nodes giving it, sorted as strings).

import type { Status } from './types.ts';

export class FitError extends Error {
  /** What PostFilter (preemption) answered, added to the message. */
  private postFilterMsg = '';

  constructor(
    readonly numAllNodes: number,
    /** node name -> why it was rejected */
    readonly statuses: Map<string, Status>,
    /** Set when PreFilter rejected the pod: the reason stands for every node. */
    readonly preFilterMsg = '',
  ) {
    super(fitErrorMessage(numAllNodes, statuses, preFilterMsg, ''));
    this.name = 'FitError';
  }

  setPostFilterMsg(msg: string): void {
    this.postFilterMsg = msg;
    this.message = fitErrorMessage(this.numAllNodes, this.statuses, this.preFilterMsg, msg);
  }

  /** Plugins that rejected the pod somewhere: the queue moves it when events relevant to them happen. */
  get unschedulablePlugins(): Set<string> {
    const out = new Set<string>();
    for (const s of this.statuses.values()) if (s.plugin) out.add(s.plugin);
    return out;
  }

}

export function reasonHistogram(statuses: Iterable<Status>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Go's sort.Strings over "count reason": byte order, so "10 x" sorts before "2 y".
  return [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(', ');
}

export function fitErrorMessage(numAllNodes: number, statuses: Map<string, Status>, preFilterMsg: string, postFilterMsg: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const h = reasonHistogram(statuses.values());
    if (h) msg += ` ${h}.`;
  }
  // The PostFilter message is itself a sentence ("preemption: 0/3 nodes are available: ...."): one period ends both.
  if (postFilterMsg) msg += ` ${postFilterMsg.replace(/\.$/, '')}.`;
  return msg;
}
