// What the service proxy programs, independent of nftables: one entry per
// Service port with the addresses it answers on and the endpoints it spreads
// over. Built from Services and EndpointSlices (pure).

import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface ProxyEndpoint {
  ip: string;
  port: number;
}

export interface ServicePortModel {
  /** `namespace/name:portName/proto`, the identity of the entry. */
  id: string;
  /** Addresses the port answers on inside the cluster: ClusterIPs. */
  clusterIPs: string[];
  /** Addresses from outside: externalIPs and LoadBalancer ingress IPs. */
  externalIPs: string[];
  port: number;
  protocol: Proto;
  nodePort?: number;
  /** Seconds a client keeps its endpoint (sessionAffinity ClientIP); absent = none. */
  affinitySeconds?: number;
  /** Where traffic goes: ready endpoints, or serving terminating ones when none is ready (Kubernetes' fallback). */
  endpoints: ProxyEndpoint[];
}

const PROTOS: Record<string, Proto> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

function isIPv4(ip: string | undefined): ip is string {
  return !!ip && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);
}

export function buildModel(services: Service[], slices: EndpointSlice[]): ServicePortModel[] {
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc || s.addressType !== 'IPv4') continue;
    const k = `${s.metadata?.namespace}/${svc}`;
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), s]);
  }
  const out: ServicePortModel[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(isIPv4);
    if (clusterIPs.length === 0) continue; // headless or not yet allocated: nothing to proxy
    const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4);
    const external = [...new Set([...(spec.externalIPs ?? []).filter(isIPv4), ...(spec.type === 'LoadBalancer' ? lbIPs : [])])];
    const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    for (const sp of spec.ports ?? []) {
      const protocol = PROTOS[sp.protocol ?? 'TCP'] ?? 'tcp';
      const ready: ProxyEndpoint[] = [];
      const fallback: ProxyEndpoint[] = [];
      const seen = new Set<string>();
      for (const slice of slicesBySvc.get(key) ?? []) {
        const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
        if (!port?.port) continue;
        for (const ep of slice.endpoints ?? []) {
          const ip = ep.addresses[0];
          if (!isIPv4(ip) || seen.has(`${ip}:${port.port}`)) continue;
          seen.add(`${ip}:${port.port}`);
          const c = ep.conditions ?? {};
          // A missing condition means "ready" to Kubernetes' consumers.
          if (c.ready !== false) ready.push({ ip, port: port.port });
          else if (c.serving && c.terminating) fallback.push({ ip, port: port.port });
        }
      }
      const endpoints = (ready.length > 0 ? ready : fallback).sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
      out.push({
        id: `${key}:${sp.name ?? ''}/${protocol}`,
        clusterIPs,
        externalIPs: external,
        port: sp.port,
        protocol,
        ...(sp.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? { nodePort: sp.nodePort } : {}),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
        endpoints,
      });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}
