// Makes the cluster DNS reachable at its well-known address: the
// `kube-dns` Service in kube-system (ClusterIP 10.43.0.10, ports 53/UDP and
// 53/TCP, no selector), and one EndpointSlice per node naming that node's
// DNS server, so the service proxy sends pods' queries to it.

import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isAlreadyExists, isConflict, isInvalid, isNotFound, type Client, type KubeObject } from '../../client/rest.ts';

export const DNS_SERVICE_IP = '10.43.0.10';
export const DNS_NAMESPACE = 'kube-system';
export const DNS_SERVICE = 'kube-dns';
const MANAGED_BY = 'skiff-node';

export async function publishDns(client: Client, o: { nodeName: string; ip: string; port: number; serviceIP?: string }): Promise<void> {
  const services = client.resource<Service & KubeObject>('v1', 'services');
  const svc: Service & KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'kubernetes.io/cluster-service': 'true' } },
    spec: {
      clusterIP: o.serviceIP ?? DNS_SERVICE_IP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: o.port },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: o.port },
      ],
    },
  };
  // Asked for by name first: creating it again would fail on its fixed IP before its name.
  const existing = await services.get(DNS_NAMESPACE, DNS_SERVICE).catch((e) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  if (!existing) {
    try {
      await services.create(DNS_NAMESPACE, svc);
    } catch (e) {
      if (!isAlreadyExists(e) && !(isInvalid(e) && /already allocated/.test(e.message))) throw e;
    }
  }
  const slices = client.resource<EndpointSlice & KubeObject>('discovery.k8s.io/v1', 'endpointslices');
  const name = `${DNS_SERVICE}-${o.nodeName}`.slice(0, 63).replace(/[^a-z0-9-]/g, '-').replace(/-+$/, '');
  const slice: EndpointSlice & KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: DNS_NAMESPACE, labels: { 'kubernetes.io/service-name': DNS_SERVICE, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [o.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: o.nodeName }],
    ports: [
      { name: 'dns', port: o.port, protocol: 'UDP' },
      { name: 'dns-tcp', port: o.port, protocol: 'TCP' },
    ],
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const cur = await slices.get(DNS_NAMESPACE, name);
      await slices.update(DNS_NAMESPACE, { ...slice, metadata: { ...slice.metadata, resourceVersion: cur.metadata?.resourceVersion } });
      return;
    } catch (e) {
      if (isNotFound(e)) {
        try {
          await slices.create(DNS_NAMESPACE, slice);
          return;
        } catch (e2) {
          if (!isAlreadyExists(e2)) throw e2;
        }
      } else if (!isConflict(e)) throw e;
    }
  }
}
