// The kubelet's Summary API (stats/v1alpha1) as its JSON reads: what an
// agent serves at /stats/summary (src/agent/server/stats.ts) and what
// metrics.k8s.io scrapes (resource/scrape.ts). Here, below both, so the
// metrics layer needs nothing from the agent.

export interface CPUStats {
  time: string;
  /** A rate over the last sampling interval; absent until there are two samples. */
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes?: number;
}

export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface SummaryPodRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodSummary {
  podRef: SummaryPodRef;
  startTime: string;
  containers: ContainerSummary[];
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CPUStats; memory: MemoryStats };
  pods: PodSummary[];
}
