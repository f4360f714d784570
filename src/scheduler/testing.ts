// Builders for the scheduler's pure tests: nodes and pods as the informers
// would hand them over, and NodeInfos with pods placed.

import type { Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './framework/nodeinfo.ts';
import { newPodInfo, type PodInfo } from './framework/podinfo.ts';

let uid = 0;

export function makeNode(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; extra?: Record<string, string>; images?: { names: string[]; sizeBytes: number }[] } = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: alloc, capacity: alloc, images: o.images },
  };
}

export function makePod(name: string, spec: Partial<PodSpec> = {}, o: { labels?: Record<string, string>; namespace?: string; nodeName?: string; priority?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}-${++uid}`, labels: o.labels, creationTimestamp: new Date(1_700_000_000_000 + uid * 1000).toISOString() },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: o.nodeName, priority: o.priority, ...spec },
  };
}

export const withRequests = (cpu?: string, memory?: string, extra: Record<string, string> = {}): Partial<PodSpec> => ({
  containers: [{ name: 'c', image: 'busybox', resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), ...extra } } }],
});

export function nodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const n = new NodeInfo(node.metadata!.name!, node);
  for (const p of pods) n.addPod(newPodInfo(p));
  return n;
}

export const info = (p: Pod): PodInfo => newPodInfo(p);
