// The scheduler's cache of node infos, updated incrementally from the node
// and pod informers. A pod the scheduler has placed is "assumed" at once, so
// the next cycle counts it before the binding round-trips; the informer's
// view of the bound pod confirms it. An assumed pod whose binding finished
// but never showed up expires after `assumedTTLMs` (Kubernetes: 15 min).
//
// A scheduling cycle runs synchronously on the event loop, so the cache is
// its own consistent snapshot: nothing changes under a cycle. nodeList is the
// node order the cycle walks (rebuilt only when nodes come or go).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from '../framework/nodeinfo.ts';
import { hasAffinity, hasRequiredAntiAffinity, newPodInfo, type PodInfo } from '../framework/podinfo.ts';
import { normalizedImageName, type ImageStates } from '../plugins/imagelocality/imagelocality.ts';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  bindingFinished: boolean;
  deadline?: number;
}

export interface CacheOptions {
  assumedTTLMs?: number;
  now?: () => number;
}

export class SchedulerCache implements ImageStates {
  private readonly nodes = new Map<string, NodeInfo>();
  private list: NodeInfo[] | undefined;
  private readonly pods = new Map<string, PodState>();
  /** normalized image name -> size and the nodes that hold it */
  private readonly images = new Map<string, { size: number; nodes: Set<string> }>();
  private readonly nodeImages = new Map<string, Set<string>>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: CacheOptions = {}) {
    this.ttl = opts.assumedTTLMs ?? 15 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Nodes with a Node object, in a stable order. */
  nodeList(): readonly NodeInfo[] {
    if (!this.list) this.list = [...this.nodes.values()].filter((n) => n.node);
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  get nodeCount(): number {
    return this.nodeList().length;
  }

  // --- nodes -----------------------------------------------------------------

  addNode(node: Node): void {
    const name = node.metadata!.name!;
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = new NodeInfo(name)));
    if (!n.node) this.list = undefined;
    n.setNode(node);
    this.setImages(name, node);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    this.setImages(name, undefined);
    // Pods still on it keep a node-less entry until they are deleted too.
    if (n.pods.size > 0) n.node = undefined;
    else this.nodes.delete(name);
    this.list = undefined;
  }

  private setImages(nodeName: string, node: Node | undefined): void {
    for (const img of this.nodeImages.get(nodeName) ?? []) {
      const st = this.images.get(img);
      st?.nodes.delete(nodeName);
      if (st?.nodes.size === 0) this.images.delete(img);
    }
    this.nodeImages.delete(nodeName);
    const imgs = node?.status?.images;
    if (!imgs?.length) return;
    const mine = new Set<string>();
    for (const i of imgs) {
      for (const raw of i.names ?? []) {
        const name = normalizedImageName(raw);
        mine.add(name);
        let st = this.images.get(name);
        if (!st) this.images.set(name, (st = { size: i.sizeBytes ?? 0, nodes: new Set() }));
        st.nodes.add(nodeName);
      }
    }
    this.nodeImages.set(nodeName, mine);
  }

  image(name: string) {
    const st = this.images.get(name);
    return st && { size: st.size, numNodes: st.nodes.size };
  }
  nodeHas(node: string, name: string): boolean {
    return this.nodeImages.get(node)?.has(name) ?? false;
  }
  numNodes(): number {
    return this.nodeCount;
  }

  // --- pods --------------------------------------------------------------------

  private place(info: PodInfo, nodeName: string): void {
    let n = this.nodes.get(nodeName);
    if (!n) this.nodes.set(nodeName, (n = new NodeInfo(nodeName)));
    n.addPod(info);
    if (hasAffinity(info)) this.podsWithAffinity++;
    if (hasRequiredAntiAffinity(info)) this.podsWithRequiredAntiAffinity++;
  }

  private unplace(st: PodState): void {
    const n = this.nodes.get(st.node);
    if (!n) return;
    if (n.removePod(st.info.uid)) {
      if (hasAffinity(st.info)) this.podsWithAffinity--;
      if (hasRequiredAntiAffinity(st.info)) this.podsWithRequiredAntiAffinity--;
    }
    if (!n.node && n.pods.size === 0) this.nodes.delete(st.node);
  }

  /** Counts a pod on `nodeName` before its binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.uid)) throw new Error(`pod ${info.key} is already in the scheduler cache`);
    const st: PodState = { info, node: nodeName, assumed: true, bindingFinished: false };
    this.pods.set(info.uid, st);
    this.place(info, nodeName);
  }

  /** The binding call returned: the assumption now expires if the bound pod never shows up. */
  finishBinding(uid: string): void {
    const st = this.pods.get(uid);
    if (st?.assumed) {
      st.bindingFinished = true;
      st.deadline = this.now() + this.ttl;
    }
  }

  /** The binding failed: drop the assumption. */
  forgetPod(uid: string): void {
    const st = this.pods.get(uid);
    if (!st?.assumed) return;
    this.unplace(st);
    this.pods.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed ?? false;
  }

  /** A pod the informer shows bound to a node: confirms an assumption or adds it. */
  addPod(pod: Pod): void {
    const uid = pod.metadata!.uid!;
    const nodeName = pod.spec!.nodeName!;
    const st = this.pods.get(uid);
    if (st) {
      // Confirmed (or bound elsewhere than assumed): count the pod as it really is.
      this.unplace(st);
      this.pods.delete(uid);
    }
    const info = newPodInfo(pod);
    this.pods.set(uid, { info, node: nodeName, assumed: false, bindingFinished: true });
    this.place(info, nodeName);
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const uid = pod.metadata!.uid!;
    const st = this.pods.get(uid);
    if (!st) return;
    this.unplace(st);
    this.pods.delete(uid);
  }

  /** Drops assumed pods whose binding finished long ago and never showed up. */
  cleanupExpired(): number {
    const now = this.now();
    let n = 0;
    for (const st of this.pods.values()) {
      if (st.assumed && st.bindingFinished && st.deadline !== undefined && st.deadline <= now) {
        this.unplace(st);
        this.pods.delete(st.info.uid);
        n++;
      }
    }
    return n;
  }

  get podCount(): number {
    return this.pods.size;
  }

  podInfo(uid: string): PodInfo | undefined {
    return this.pods.get(uid)?.info;
  }
}
