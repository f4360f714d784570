// What a Service update keeps from the stored Service and what a type
// change drops (Kubernetes' service strategy): allocated values the client
// left out (clusterIP(s), node ports matched by protocol and port) are kept;
// fields only a NodePort or LoadBalancer has are dropped when the type no
// longer needs them and the client did not change them itself.

interface PortLike {
  name?: string;
  protocol?: string;
  port?: number;
  nodePort?: number;
}
interface ServiceSpecLike {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: PortLike[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
}

const typeOf = (s: ServiceSpecLike) => s.type ?? 'ClusterIP';
export const needsClusterIP = (s: ServiceSpecLike) => typeOf(s) !== 'ExternalName';
export const needsNodePorts = (s: ServiceSpecLike) => typeOf(s) === 'NodePort' || typeOf(s) === 'LoadBalancer';

const portKey = (p: PortLike) => `${p.protocol ?? 'TCP'}/${p.port}`;

/** Mutates `next` (the proposed spec) in place, given the stored one. */
export function prepareServiceSpecUpdate(next: ServiceSpecLike, current: ServiceSpecLike): void {
  // Allocated values the client did not send are kept.
  if (needsClusterIP(next) && needsClusterIP(current)) {
    if (!next.clusterIP && current.clusterIP) next.clusterIP = current.clusterIP;
    if ((!next.clusterIPs || next.clusterIPs.length === 0) && current.clusterIPs) next.clusterIPs = [...current.clusterIPs];
  }
  if (needsNodePorts(next) && needsNodePorts(current)) {
    const old = new Map((current.ports ?? []).filter((p) => p.nodePort).map((p) => [portKey(p), p.nodePort!]));
    for (const p of next.ports ?? []) if (!p.nodePort && old.has(portKey(p))) p.nodePort = old.get(portKey(p));
  }
  // Type-dependent fields dropped on a type change, unless the client changed them.
  if (!needsClusterIP(next)) {
    if (next.clusterIP === current.clusterIP) delete next.clusterIP;
    if (JSON.stringify(next.clusterIPs) === JSON.stringify(current.clusterIPs)) delete next.clusterIPs;
  }
  if (!needsNodePorts(next)) {
    const same = JSON.stringify((next.ports ?? []).map((p) => p.nodePort ?? 0)) === JSON.stringify((current.ports ?? []).map((p) => p.nodePort ?? 0));
    if (same) for (const p of next.ports ?? []) delete p.nodePort;
    if (next.externalTrafficPolicy === current.externalTrafficPolicy) delete next.externalTrafficPolicy;
  }
  if (typeOf(next) !== 'LoadBalancer') {
    if (next.healthCheckNodePort === current.healthCheckNodePort) delete next.healthCheckNodePort;
    if (next.allocateLoadBalancerNodePorts === current.allocateLoadBalancerNodePorts) delete next.allocateLoadBalancerNodePorts;
    if (next.loadBalancerClass === current.loadBalancerClass) delete next.loadBalancerClass;
  }
}
