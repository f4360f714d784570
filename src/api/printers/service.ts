// Printers for Service, Endpoints and EndpointSlice.

import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col, compareStrings, formatLabels, int, listWithMore, type Printer } from './common.ts';
import { DOC } from './descriptions.ts';
import { translateTimestampSince } from './duration.ts';

/**
 * loadBalancerStatusStringer for wide output (the server always renders wide,
 * so the 16-character clipping never applies): the distinct ingress IPs, or
 * hostnames where there is no IP, sorted and comma-joined.
 */
function loadBalancerIngress(svc: Service): string {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort(compareStrings).join(',');
}

/** getServiceExternalIP: EXTERNAL-IP by service type. */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb ? lb : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: "port/PROTO", or "port:nodePort/PROTO" when a node port is allocated. */
export function servicePorts(ports: readonly ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const proto = p.protocol ?? 'TCP';
      return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${proto}` : `${int(p.port)}/${proto}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', DOC.svcType),
    col('Cluster-IP', 'string', DOC.svcClusterIP),
    col('External-IP', 'string', DOC.svcExternalIPs),
    col('Port(s)', 'string', DOC.svcPorts),
    AGE_COLUMN,
    col('Selector', 'string', DOC.svcSelector, 1),
  ],
  cells(obj: Service, now) {
    const clusterIP = obj.spec?.clusterIPs?.[0] || obj.spec?.clusterIP || '<none>';
    const ports = servicePorts(obj.spec?.ports);
    return [
      obj.metadata?.name ?? '',
      obj.spec?.type ?? 'ClusterIP',
      clusterIP,
      serviceExternalIP(obj),
      ports === '' ? '<none>' : ports,
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      formatLabels(obj.spec?.selector),
    ];
  },
};

/** net.JoinHostPort: IPv6 hosts are bracketed. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatEndpoints: up to three "ip:port" entries, then "+ N more...", or "<none>" without subsets. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(addr.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(addr.ip, int(port.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', DOC.epSubsets), AGE_COLUMN],
  cells: (obj: Endpoints, now) => [
    obj.metadata?.name ?? '',
    formatEndpoints(obj),
    translateTimestampSince(obj.metadata?.creationTimestamp, now),
  ],
};

function formatSlicePorts(ports: EndpointSlice['ports']): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of ports ?? []) {
    if (list.length < max) {
      let portNum = '*';
      if (port.port !== undefined && port.port !== null) portNum = String(int(port.port));
      else if (port.name !== undefined && port.name !== null) portNum = port.name;
      list.push(portNum);
    } else if (list.length === max) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, max);
}

function formatSliceEndpoints(endpoints: EndpointSlice['endpoints']): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of endpoints ?? []) {
    for (const address of ep.addresses ?? []) {
      if (list.length < max) list.push(address);
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'string', DOC.epsAddressType),
    col('Ports', 'string', DOC.epsPorts),
    col('Endpoints', 'string', DOC.epsEndpoints),
    AGE_COLUMN,
  ],
  cells: (obj: EndpointSlice, now) => [
    obj.metadata?.name ?? '',
    obj.addressType ?? '',
    formatSlicePorts(obj.ports),
    formatSliceEndpoints(obj.endpoints),
    translateTimestampSince(obj.metadata?.creationTimestamp, now),
  ],
};
