// The default profile: Kubernetes' default plugins in its order, with its
// score weights (TaintToleration 3; NodeAffinity, PodTopologySpread,
// InterPodAffinity 2; the rest 1).

import type { SchedulerCache } from './cache/cache.ts';
import { Framework } from './framework/framework.ts';
import { DefaultPreemption, type PreemptionHandle } from './plugins/defaultpreemption/defaultpreemption.ts';
import { ImageLocality } from './plugins/imagelocality/imagelocality.ts';
import { InterPodAffinity, type NamespaceLabels } from './plugins/interpodaffinity/interpodaffinity.ts';
import { NodeAffinity } from './plugins/nodeaffinity/nodeaffinity.ts';
import { NodeName } from './plugins/nodename/nodename.ts';
import { NodePorts } from './plugins/nodeports/nodeports.ts';
import { BalancedAllocation } from './plugins/noderesources/balanced.ts';
import { NodeResourcesFit } from './plugins/noderesources/fit.ts';
import { NodeUnschedulable } from './plugins/nodeunschedulable/nodeunschedulable.ts';
import type { DefaultSelectorSource } from './plugins/podtopologyspread/constraints.ts';
import { PodTopologySpread } from './plugins/podtopologyspread/podtopologyspread.ts';
import { TaintToleration } from './plugins/tainttoleration/tainttoleration.ts';

export interface ProfileDeps {
  cache: SchedulerCache;
  namespaceLabels?: NamespaceLabels;
  defaultSelectors?: DefaultSelectorSource;
  /** Preemption's access to the API; without it there is no PostFilter. */
  preemption?: Omit<PreemptionHandle, 'framework' | 'nodes' | 'node'>;
}

export function defaultFramework(d: ProfileDeps): Framework {
  const nodes = () => d.cache.nodeList();
  let fw: Framework | undefined;
  const preemption = d.preemption && new DefaultPreemption({ ...d.preemption, framework: () => fw!, nodes, node: (n) => d.cache.node(n) });
  fw = new Framework([
    { plugin: new NodeUnschedulable() },
    { plugin: new NodeName() },
    { plugin: new TaintToleration(), weight: 3 },
    { plugin: new NodeAffinity(), weight: 2 },
    { plugin: new NodePorts() },
    { plugin: new NodeResourcesFit(), weight: 1 },
    { plugin: new PodTopologySpread(nodes, d.defaultSelectors), weight: 2 },
    { plugin: new InterPodAffinity(nodes, d.namespaceLabels, () => d.cache.podsWithRequiredAntiAffinity, () => d.cache.podsWithAffinity), weight: 2 },
    ...(preemption ? [{ plugin: preemption }] : []),
    { plugin: new BalancedAllocation(), weight: 1 },
    { plugin: new ImageLocality(d.cache), weight: 1 },
  ]);
  return fw;
}
