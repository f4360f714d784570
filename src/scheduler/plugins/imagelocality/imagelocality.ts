// ImageLocality: prefers nodes that already hold the pod's images, weighted
// by image size and scaled down for images present on many nodes (so the
// pods do not all pile onto the nodes that pulled first).

import type { NodeInfo } from '../../framework/nodeinfo.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { MAX_NODE_SCORE, type ClusterEvent, type CycleState, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.ts';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** What the cache knows about images across nodes. */
export interface ImageStates {
  /** size and how many nodes hold the image, by normalized name */
  image(name: string): { size: number; numNodes: number } | undefined;
  /** images a node holds, by normalized name */
  nodeHas(node: string, name: string): boolean;
  numNodes(): number;
}

/** Kubernetes' normalizedImageName: an image without a tag or digest means :latest. */
export function normalizedImageName(name: string): string {
  if (name.includes('@')) return name;
  const lastSlash = name.lastIndexOf('/');
  return name.slice(lastSlash + 1).includes(':') ? name : `${name}:latest`;
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly events: readonly ClusterEvent[] = [];

  constructor(private readonly images: ImageStates) {}

  /** The pod's images, normalized once per cycle rather than once per node. */
  preScore(state: CycleState, pod: PodInfo): Status | null {
    const containers = [...(pod.pod.spec?.initContainers ?? []), ...(pod.pod.spec?.containers ?? [])];
    state.write(NAME, { images: containers.filter((c) => c.image).map((c) => normalizedImageName(c.image!)), count: containers.length });
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const { images, count } = state.read<{ images: string[]; count: number }>(NAME)!;
    const total = this.images.numNodes();
    let sum = 0;
    for (const name of images) {
      if (!this.images.nodeHas(node.name, name)) continue;
      const st = this.images.image(name);
      if (st && total > 0) sum += Math.trunc(st.size * (st.numNodes / total));
    }
    const max = MAX_CONTAINER_THRESHOLD * count;
    if (max <= MIN_THRESHOLD) return 0;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  }
}
