// Where a pod's log/exec/attach/portforward request goes: the pod's
// container (named, or the only one — with Kubernetes' wording when that is
// ambiguous or wrong), its node, and the node agent's address and port
// (status.addresses InternalIP first; status.daemonEndpoints.kubeletEndpoint).

import * as errors from '../../api/errors.ts';
import type { FieldError } from '../../api/validation/field.ts';
import type { ResourceREST } from '../rest/resource.ts';

export type StreamSubresource = 'log' | 'exec' | 'attach' | 'portforward';

/** How the API server dials agents: the cluster CA (to check them) and its client certificate. */
export interface KubeletClientConfig {
  ca: string;
  cert: string;
  key: string;
}

export interface AgentLocation {
  host: string;
  port: number;
  /** Path and query on the agent. */
  path: string;
  node: string;
}

export const DEFAULT_KUBELET_PORT = 10250;
const ADDRESS_PREFERENCE = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];

interface PodLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
}

export interface NodeLike {
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

export async function locatePodStream(pods: ResourceREST, nodes: ResourceREST | undefined, ns: string, name: string, sub: StreamSubresource, query: URLSearchParams): Promise<AgentLocation> {
  const pod = (await pods.get(ns, name)) as PodLike;
  const params = new URLSearchParams();
  let path: string;
  const seg = encodeURIComponent;
  if (sub === 'portforward') {
    for (const p of query.getAll('ports')) params.append('ports', p);
    path = `/portForward/${seg(ns)}/${seg(name)}`;
  } else {
    const container = pickContainer(pod, name, query.get('container') ?? '');
    if (sub === 'log') {
      validateLogQuery(name, query);
      for (const k of ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
        const v = query.get(k);
        if (v !== null && v !== '' && v !== 'false') params.set(k, v);
      }
      path = `/containerLogs/${seg(ns)}/${seg(name)}/${seg(container)}`;
    } else {
      for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (['1', 'true'].includes(query.get(k) ?? '')) params.set(k, '1');
      if (sub === 'exec') for (const c of query.getAll('command')) params.append('command', c);
      path = `/${sub}/${seg(ns)}/${seg(name)}/${seg(container)}`;
    }
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  if (!nodes) throw errors.serviceUnavailable(`nodes are not served: cannot reach the agent of node "${nodeName}"`);
  const { host, port } = agentAddress((await nodes.get('', nodeName)) as NodeLike);
  const qs = params.toString();
  return { host, port, path: qs ? `${path}?${qs}` : path, node: nodeName };
}

/** Where a node's agent listens: its preferred address and kubelet endpoint port (also what metrics.k8s.io scrapes). */
export function agentAddress(node: NodeLike): { host: string; port: number } {
  const addrs = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const t of ADDRESS_PREFERENCE) {
    host = addrs.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) throw errors.badRequest(`no preferred addresses found; known addresses: [${addrs.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT };
}

/** The container a request means, in the API server's wording when it cannot tell. */
export function pickContainer(pod: PodLike, name: string, container: string): string {
  const spec = pod.spec ?? {};
  const names = (l?: { name: string }[]) => (l ?? []).map((c) => c.name);
  if (!container) {
    const cs = names(spec.containers);
    if (cs.length === 1) return cs[0]!;
    if (cs.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${cs.join(' ')}]`;
    if (spec.initContainers?.length) msg += ` or one of the init containers: [${names(spec.initContainers).join(' ')}]`;
    if (spec.ephemeralContainers?.length) msg += ` or one of the ephemeral containers: [${names(spec.ephemeralContainers).join(' ')}]`;
    throw errors.badRequest(msg);
  }
  const all = [...names(spec.containers), ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
  if (!all.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** PodLogOptions validation, as Kubernetes words it. */
function validateLogQuery(name: string, q: URLSearchParams): void {
  const errs: FieldError[] = [];
  const int = (k: string): number | undefined => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw errors.badRequest(`${k}: invalid value ${JSON.stringify(v)}: must be an integer`);
    return Number(v);
  };
  const tail = int('tailLines');
  if (tail !== undefined && tail < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', badValue: tail, detail: 'must be greater than or equal to 0' });
  const limit = int('limitBytes');
  if (limit !== undefined && limit < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', badValue: limit, detail: 'must be greater than 0' });
  const since = int('sinceSeconds');
  if (since !== undefined && since < 1) errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', badValue: since, detail: 'must be greater than 0' });
  const sinceTime = q.get('sinceTime');
  if (since !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw errors.badRequest(`sinceTime: invalid value ${JSON.stringify(sinceTime)}: must be an RFC3339 time`);
  if (errs.length) throw errors.invalid('', 'PodLogOptions', name, errs);
}
