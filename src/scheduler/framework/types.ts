// The scheduling framework's vocabulary: statuses with Kubernetes' codes,
// the per-cycle state plugins share, the extension points a plugin may
// implement, and the cluster events that can make a rejected pod fit.

import type { NodeInfo } from './nodeinfo.ts';
import type { PodInfo } from './podinfo.ts';

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

/** A plugin's verdict; `null` stands for Success on the hot path. */
export class Status {
  plugin = '';
  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
  ) {}

  get message(): string {
    return this.reasons.join(', ');
  }

  /** Unschedulable or UnschedulableAndUnresolvable. */
  get isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  withPlugin(name: string): this {
    this.plugin = name;
    return this;
  }
}

export const unschedulable = (...reasons: string[]) => new Status('Unschedulable', reasons);
export const unresolvable = (...reasons: string[]) => new Status('UnschedulableAndUnresolvable', reasons);
export const errorStatus = (message: string) => new Status('Error', [message]);
export const SKIP = new Status('Skip');

/** Scores are 0..MAX_NODE_SCORE after normalization. */
export const MAX_NODE_SCORE = 100;

/** Data one scheduling cycle computes once (in PreFilter/PreScore) and reads per node. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter answered Skip: their Filter does not run this cycle. */
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, v: unknown): void {
    this.data.set(key, v);
  }
}

/** What a PreFilter may narrow the candidate nodes to (NodeName, NodeAffinity on metadata.name). */
export interface PreFilterResult {
  nodeNames?: Set<string>;
}

export interface Plugin {
  readonly name: string;
  /** The cluster events that can turn this plugin's rejection into a fit. */
  readonly events?: readonly ClusterEvent[];
}

export interface PreFilterPlugin extends Plugin {
  /** null: go on; Skip: this plugin's Filter has nothing to check; a rejection fails the pod on every node. */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status | null; result?: PreFilterResult };
  /** Preemption: the pod's pre-computed state with a pod added to/removed from a node. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}

export interface PostFilterResult {
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: Map<string, Status>): Promise<{ result?: PostFilterResult; status: Status | null }>;
}

export interface PreScorePlugin extends Plugin {
  /** Skip: this plugin's Score does not run this cycle. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Maps raw scores (in node order) to 0..MAX_NODE_SCORE in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[]): void;
}

/** What changed in the cluster (Kubernetes' ClusterEvent, resource + action). */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'NodeDelete' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete' | 'UnscheduledPodUpdate';

export const ALL_EVENTS: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'NodeDelete', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'UnscheduledPodUpdate'];

export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as PreFilterPlugin).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as FilterPlugin).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as PostFilterPlugin).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as PreScorePlugin).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as ScorePlugin).score === 'function';
