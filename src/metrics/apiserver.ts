// The API server's own metrics, with Kubernetes' names, labels and buckets:
// apiserver_request_total and apiserver_request_duration_seconds per request
// (verb as Kubernetes reports it: LIST, WATCH, APPLY...), and
// apiserver_storage_objects per stored resource, counted in the store.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { parseRequestInfo } from '../apiserver/request.ts';
import { servedOnce } from '../apiserver/registry/resources.ts';
import { resourcePrefix } from '../storage/objects.ts';
import type { Store } from '../storage/store.ts';

/** apiserver_request_duration_seconds buckets (Kubernetes 1.27+). */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

/** How long a storage object count is reused (Kubernetes refreshes it every minute). */
const STORAGE_COUNT_TTL_MS = 5_000;

export class ApiServerMetrics {
  readonly requests: Counter<(typeof LABELS)[number] | 'code'>;
  readonly duration: Histogram<(typeof LABELS)[number]>;
  readonly storageObjects: Gauge<'resource'>;
  private counted?: { at: number; counts: Promise<[string, number][]> };

  constructor(registry: Registry, store?: Store) {
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...LABELS, 'code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: [...LABELS],
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [registry],
    });
    const self = this;
    this.storageObjects = new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers: [registry],
      async collect() {
        if (!store) return;
        for (const [resource, n] of await self.storageCounts(store)) this.set({ resource }, n);
      },
    });
  }

  /** Records one finished request (the API server's response hook). */
  observe(req: IncomingMessage, res: ServerResponse, url: URL, seconds: number): void {
    const labels = requestLabels(req, url);
    this.requests.inc({ ...labels, code: String(res.statusCode) });
    this.duration.observe(labels, seconds);
  }

  private storageCounts(store: Store): Promise<[string, number][]> {
    if (this.counted && Date.now() - this.counted.at < STORAGE_COUNT_TTL_MS) return this.counted.counts;
    const counts = Promise.all(servedOnce(() => true).map(async (r) => [r.groupResource, await store.count(resourcePrefix(r.groupResource)).catch(() => -1)] as [string, number])).then((l) => l.filter(([, n]) => n >= 0));
    this.counted = { at: Date.now(), counts };
    return counts;
  }
}

/** Kubernetes' request labels: verb in capitals with LIST/WATCH/APPLY/CONNECT told apart, scope from the path. */
export function requestLabels(req: IncomingMessage, url: URL): Labels {
  const method = req.method ?? 'GET';
  let info;
  try {
    info = parseRequestInfo(method, url.pathname, url.searchParams);
  } catch {
    info = undefined;
  }
  const dryRun = url.searchParams.getAll('dryRun').sort().join(',');
  if (!info?.isResourceRequest) {
    return { verb: method === 'HEAD' ? 'GET' : method, dry_run: dryRun, group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' };
  }
  const scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
  // Kubernetes' CanonicalVerb and CleanVerb: the HTTP method, GET of a collection as LIST.
  let verb = method === 'HEAD' ? 'GET' : method;
  if (verb === 'GET' && scope !== 'resource') verb = 'LIST';
  if (info.verb === 'watch') verb = 'WATCH';
  if (verb === 'PATCH' && (req.headers['content-type'] ?? '').startsWith('application/apply-patch')) verb = 'APPLY';
  if (['exec', 'attach', 'portforward', 'proxy'].includes(info.subresource)) verb = 'CONNECT';
  return { verb, dry_run: dryRun, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope, component: 'apiserver' };
}
