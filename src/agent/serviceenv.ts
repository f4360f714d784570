// The Docker-link style service environment variables the kubelet gives
// every container (getServiceEnvVarMap + envvars.FromServices): for each
// Service of the pod's namespace with a cluster IP (when enableServiceLinks
// is on) and always the `kubernetes` Service of `default`:
// {SVC}_SERVICE_HOST, {SVC}_SERVICE_PORT, {SVC}_SERVICE_PORT_{NAME} and
// {SVC}_PORT, {SVC}_PORT_{port}_{PROTO}[_PROTO|_PORT|_ADDR], names
// upper-cased with dashes made underscores.

import type { Service } from 'kubernetes-types/core/v1.js';

/** The namespace and names of the API server's own services. */
export const MASTER_SERVICE_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

function envName(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

/** A Service with a cluster IP (not headless, not ExternalName). */
function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The variables of one service, in the kubelet's order. */
export function serviceVariables(s: Service): [string, string][] {
  const ip = s.spec!.clusterIP!;
  const ports = s.spec?.ports ?? [];
  const prefix = envName(s.metadata!.name!);
  const out: [string, string][] = [];
  out.push([`${prefix}_SERVICE_HOST`, ip]);
  if (ports.length === 0) return out;
  out.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const proto = p.protocol || 'TCP';
    const url = `${proto.toLowerCase()}://${hostPort(ip, p.port)}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([pp, url], [`${pp}_PROTO`, proto.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
  });
  return out;
}

/**
 * The service variables of a container in `namespace`: the namespace's
 * services when enableServiceLinks is on, and the master services from
 * `default` (a service of the pod's own namespace with the same name wins).
 * Services are taken in name order, so a later name cannot hide an earlier one's variables.
 */
export function serviceEnv(services: Iterable<Service>, namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const byName = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata!.name!;
    const ns = s.metadata!.namespace;
    if (ns === MASTER_SERVICE_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, s);
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, s);
    }
  }
  const out = new Map<string, string>();
  for (const name of [...byName.keys()].sort()) for (const [k, v] of serviceVariables(byName.get(name)!)) out.set(k, v);
  return out;
}
