// One node as the scheduler sees it: the Node object, its allocatable
// amounts, and the pods on it (bound or assumed) with the totals filters and
// scores read: requested resources, non-zero requests, host ports in use,
// pods with affinity terms. Updated incrementally; clone() gives preemption a
// copy to try removals on.

import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { PodInfo } from './podinfo.ts';
import { hasAffinity, hasRequiredAntiAffinity } from './podinfo.ts';
import { addResourceList, addResources, cloneResources, emptyResources, type Resources } from './resources.ts';

export class NodeInfo {
  node: Node | undefined;
  name: string;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  allocatable: Resources = emptyResources();
  requested: Resources = emptyResources();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  /** uid -> pod */
  pods = new Map<string, PodInfo>();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** "ip/protocol/port" of host ports in use */
  usedPorts = new Map<string, number>();
  /** Bumped on every change: lets a copy know it is stale. */
  generation = 0;

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? this.name;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    const a = emptyResources();
    addResourceList(a, node.status?.allocatable as Record<string, string> | undefined);
    this.allocatable = a;
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.uid)) this.removePod(p.uid);
    this.pods.set(p.uid, p);
    this.account(p, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    this.pods.delete(uid);
    this.account(p, -1);
    return p;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, p.requests, sign);
    this.requested.pods += sign;
    this.nonZeroMilliCPU += sign * p.nonZeroMilliCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    if (hasAffinity(p)) this.podsWithAffinity += sign;
    if (hasRequiredAntiAffinity(p)) this.podsWithRequiredAntiAffinity += sign;
    for (const hp of p.hostPorts) {
      const k = `${hp.ip}/${hp.protocol}/${hp.port}`;
      const n = (this.usedPorts.get(k) ?? 0) + sign;
      if (n > 0) this.usedPorts.set(k, n);
      else this.usedPorts.delete(k);
    }
    this.generation++;
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.allocatable = this.allocatable;
    c.requested = cloneResources(this.requested);
    c.nonZeroMilliCPU = this.nonZeroMilliCPU;
    c.nonZeroMemory = this.nonZeroMemory;
    c.pods = new Map(this.pods);
    c.podsWithAffinity = this.podsWithAffinity;
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity;
    c.usedPorts = new Map(this.usedPorts);
    c.generation = this.generation;
    return c;
  }

  /** Whether a host port is taken, with 0.0.0.0 conflicting with every address (Kubernetes' HostPortInfo.CheckConflict). */
  portInUse(ip: string, protocol: string, port: number): boolean {
    if (ip === '0.0.0.0') {
      for (const k of this.usedPorts.keys()) {
        const [, proto, p] = k.split('/');
        if (proto === protocol && Number(p) === port) return true;
      }
      return false;
    }
    return this.usedPorts.has(`${ip}/${protocol}/${port}`) || this.usedPorts.has(`0.0.0.0/${protocol}/${port}`);
  }
}
