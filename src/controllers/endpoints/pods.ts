// Which pods back a Service and on which ports: the pure rules the Endpoints
// and EndpointSlice controllers share (Kubernetes' endpoint utilities).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.ts';

/** A Service the controllers manage: one with a selector (others are the user's to fill). */
export function managedService(svc: Service): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
}

export function selects(svc: Service, pod: Pod): boolean {
  return managedService(svc) && (pod.metadata?.namespace ?? '') === (svc.metadata?.namespace ?? '') && selectorFromSet(svc.spec!.selector).matches(pod.metadata?.labels);
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function podTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod that can carry traffic at all: it has an IP and has not finished. */
export function podHasAddress(pod: Pod): boolean {
  return !!pod.status?.podIP && !podTerminal(pod);
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/**
 * The pod's port for a Service port: a numeric targetPort as is (the port
 * itself when unset), a named one looked up in the pod's containers; null
 * when the pod has no port of that name.
 */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | null {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return null;
}

/** The endpoint ports of a pod for a Service: one per Service port the pod resolves. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === null) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** A stable key for a set of ports, to group pods that expose the same ones. */
export function portsKey(ports: EndpointPort[]): string {
  return JSON.stringify([...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol)));
}

/** The hostname a pod publishes under a headless Service (spec.hostname when spec.subdomain names the Service). */
export function podHostname(svc: Service, pod: Pod): string | undefined {
  return pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? pod.spec.hostname : undefined;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}
