// The metrics.k8s.io/v1beta1 endpoints, as metrics-server serves them:
// NodeMetrics and PodMetrics lists (labelSelector, fieldSelector on
// metadata.name/namespace) and gets, plus the group's discovery documents.
// An API server route; reads only (watch and writes answer 405).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import * as errors from '../../api/errors.ts';
import { everythingFields, parseFieldSelector, type FieldSelector } from '../../api/fields.ts';
import { everything, parseSelector, type Selector } from '../../api/labels.ts';
import { Quantity } from '../../api/quantity.ts';
import { legacyAPIGroup, legacyAPIResourceList } from '../../apiserver/discovery.ts';
import { writeJSON } from '../../apiserver/http/respond.ts';
import { parseRequestInfo } from '../../apiserver/request.ts';
import { goDuration } from '../duration.ts';
import type { ResourceMetricsProvider } from './provider.ts';
import type { MetricsPoint, NodeUsage, PodUsage, Usage } from './store.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** metav1.Time: RFC 3339 in whole seconds. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** CPU in nanocores ("12345n"), memory in bytes with a binary suffix when exact: metrics-server's quantities. */
export function usageQuantities(u: Usage): { cpu: string; memory: string } {
  return { cpu: Quantity.fromScaled(BigInt(u.cpu), -9).toString(), memory: Quantity.fromScaled(BigInt(u.memoryBytes), 0, 'BinarySI').toString() };
}

const point = (p: MetricsPoint) => ({ timestamp: rfc3339(p.timestamp), window: goDuration(p.windowMs) });

function nodeMetrics(node: Node, u: NodeUsage) {
  const { name, labels } = node.metadata ?? {};
  return { metadata: { name, ...(labels ? { labels } : {}), creationTimestamp: rfc3339(Date.now()) }, ...point(u), usage: usageQuantities(u) };
}

function podMetrics(pod: Pod, u: PodUsage) {
  const { name, namespace, labels } = pod.metadata ?? {};
  return {
    metadata: { name, namespace, ...(labels ? { labels } : {}), creationTimestamp: rfc3339(Date.now()) },
    ...point(u),
    containers: u.containers.map((c) => ({ name: c.name, usage: usageQuantities(c) })),
  };
}

function selectors(query: URLSearchParams): { labels: Selector; fields: FieldSelector } {
  let labels = everything;
  let fields = everythingFields;
  try {
    const ls = query.get('labelSelector');
    if (ls) labels = parseSelector(ls);
    const fs = query.get('fieldSelector');
    if (fs) fields = parseFieldSelector(fs);
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
  for (const r of fields.requirements) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace') throw errors.badRequest(`"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  return { labels, fields };
}

const fieldsOf = (o: Node | Pod) => ({ 'metadata.name': o.metadata?.name ?? '', 'metadata.namespace': o.metadata?.namespace ?? '' });

/** The route for /apis/metrics.k8s.io (register it under that prefix). */
export function metricsAPIRoute(provider: ResourceMetricsProvider): Route {
  return async (req, res, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === `/apis/${METRICS_GROUP}`) return writeJSON(res, 200, legacyAPIGroup(METRICS_GROUP));
    if (path === `/apis/${API_VERSION}`) return writeJSON(res, 200, legacyAPIResourceList(METRICS_GROUP, METRICS_VERSION));
    const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
    const gr = { group: METRICS_GROUP, resource: info.resource };
    const cluster = info.resource === 'nodes' && !info.namespace;
    if (info.version !== METRICS_VERSION || (!cluster && info.resource !== 'pods') || info.subresource) {
      throw new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    }
    if (info.verb !== 'get' && info.verb !== 'list') throw errors.methodNotSupported(gr, info.verb);
    const store = await provider.fresh();
    const sel = selectors(url.searchParams);

    if (cluster) {
      const usageOf = (n: Node) => store.node(n.metadata!.name!);
      if (info.verb === 'get') {
        const n = provider.nodes.get(info.name);
        const u = n && usageOf(n);
        if (!n || !u) throw errors.notFound({ group: METRICS_GROUP, resource: 'nodemetrics' }, info.name);
        return writeJSON(res, 200, { kind: 'NodeMetrics', apiVersion: API_VERSION, ...nodeMetrics(n, u) });
      }
      const items = provider.nodes
        .list()
        .filter((n) => sel.labels.matches(n.metadata?.labels) && sel.fields.matches(fieldsOf(n)))
        .flatMap((n) => {
          const u = usageOf(n);
          return u ? [nodeMetrics(n, u)] : [];
        })
        .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
      return writeJSON(res, 200, { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items });
    }

    if (info.verb === 'get') {
      const pod = provider.pods.get(`${info.namespace}/${info.name}`);
      const u = pod && store.pod(info.namespace, info.name);
      if (!pod || !u) throw errors.notFound({ group: METRICS_GROUP, resource: 'podmetrics' }, info.name);
      return writeJSON(res, 200, { kind: 'PodMetrics', apiVersion: API_VERSION, ...podMetrics(pod, u) });
    }
    const items = provider.pods
      .list()
      .filter((p) => (!info.namespace || p.metadata?.namespace === info.namespace) && sel.fields.matches(fieldsOf(p)) && sel.labels.matches(p.metadata?.labels))
      .flatMap((p) => {
        const u = store.pod(p.metadata!.namespace!, p.metadata!.name!);
        return u ? [podMetrics(p, u)] : [];
      })
      .sort((a, b) => a.metadata.namespace!.localeCompare(b.metadata.namespace!) || a.metadata.name!.localeCompare(b.metadata.name!));
    return writeJSON(res, 200, { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items });
  };
}
