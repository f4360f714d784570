// The `kubernetes` Service's Endpoints and EndpointSlices: every live API
// server of the cluster, after Kubernetes' lease endpoint reconciler. Each
// server holds a Lease in kube-system naming its advertised address and
// port, renewed every 10 s for 15 s; each server, on the same beat, writes
// the addresses of the unexpired Leases into the Endpoints (one subset per
// port) and one EndpointSlice per port, and deletes Leases long expired. A
// server that stops removes its own Lease and itself at once; one that dies
// drops out when its Lease lapses. With one server this is that server.

import * as errors from '../../api/errors.ts';
import type { ResourceREST } from '../rest/resource.ts';
import { ensure, type Obj, type RestFor } from './ensure.ts';


export const ENDPOINT_LEASE_LABEL = 'skiff.dev/apiserver-endpoint';
const NAMESPACE = 'kube-system';

interface LeaseLike {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** Kubernetes' MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface EndpointsReconcilerOptions {
  address: string;
  port: number;
  /** How often the Lease is renewed and the endpoints rewritten (default 10 s). */
  intervalMs?: number;
  /** How long a Lease lives without renewal (default 15 s). */
  leaseSeconds?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export class KubernetesEndpointsReconciler {
  private timer?: NodeJS.Timeout;
  private readonly leaseName: string;
  private running?: Promise<void>;

  constructor(
    private readonly restFor: RestFor,
    private readonly o: EndpointsReconcilerOptions,
  ) {
    this.leaseName = `apiserver-endpoint-${o.address.replace(/[.:]/g, '-')}-${o.port}`;
  }

  async start(): Promise<void> {
    await this.reconcile(true);
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Drops this server from the endpoints (best effort: the Lease would lapse anyway). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    try {
      await this.restFor('coordination.k8s.io', 'v1', 'leases')?.delete(NAMESPACE, this.leaseName);
    } catch (e) {
      if (!errors.isStatusError(e, 'NotFound')) this.o.log?.(`endpoints: removing this server's lease: ${(e as Error).message}`);
    }
    await this.reconcile(false).catch((e) => this.o.log?.(`endpoints: ${(e as Error).message}`));
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.reconcile(true).then(
      () => undefined,
      (e) => this.o.log?.(`endpoints: ${(e as Error).message}`),
    );
    await this.running;
    this.running = undefined;
  }

  /** Renews this server's Lease (when `self`), then writes the live servers as the endpoints. */
  async reconcile(self: boolean): Promise<Endpoint[]> {
    const leases = this.restFor('coordination.k8s.io', 'v1', 'leases');
    if (!leases) return [];
    const now = (this.o.now ?? Date.now)();
    const seconds = this.o.leaseSeconds ?? 15;
    if (self) await this.renew(leases, now, seconds);
    const live: Endpoint[] = [];
    await leases.cache.waitCurrent();
    for (const e of leases.cache.list({ prefix: leases.prefix(NAMESPACE) }).items) {
      const l = e.object as LeaseLike;
      if (l.metadata?.labels?.[ENDPOINT_LEASE_LABEL] !== 'true') continue;
      const ep = parseEndpoint(l.spec?.holderIdentity);
      const renewed = Date.parse(l.spec?.renewTime ?? '');
      const ttl = (l.spec?.leaseDurationSeconds ?? seconds) * 1000;
      if (!ep || !Number.isFinite(renewed)) continue;
      if (renewed + ttl > now) {
        if (self || l.metadata?.name !== this.leaseName) live.push(ep);
      } else if (renewed + 10 * ttl < now) {
        // Long dead: tidy away (any server may).
        await leases.delete(NAMESPACE, l.metadata!.name!).catch(() => undefined);
      }
    }
    live.sort((a, b) => a.port - b.port || a.ip.localeCompare(b.ip, 'en', { numeric: true }));
    await this.write(live);
    return live;
  }

  private async renew(leases: ResourceREST, now: number, seconds: number): Promise<void> {
    const spec = { holderIdentity: `${this.o.address.includes(':') ? `[${this.o.address}]` : this.o.address}:${this.o.port}`, leaseDurationSeconds: seconds, renewTime: microTime(now) };
    try {
      await leases.update(NAMESPACE, this.leaseName, (cur) => ({ ...cur, spec: { ...(cur as LeaseLike).spec, ...spec } }) as Obj, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!errors.isStatusError(e, 'NotFound')) throw e;
      await leases
        .create(NAMESPACE, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.leaseName, namespace: NAMESPACE, labels: { [ENDPOINT_LEASE_LABEL]: 'true' } }, spec: { ...spec, acquireTime: microTime(now) } } as Obj, { fieldManager: 'kube-apiserver' })
        .catch((err) => {
          if (!errors.isStatusError(err, 'AlreadyExists')) throw err;
        });
    }
  }

  private async write(live: Endpoint[]): Promise<void> {
    const endpoints = this.restFor('', 'v1', 'endpoints');
    const slices = this.restFor('discovery.k8s.io', 'v1', 'endpointslices');
    const byPort = new Map<number, string[]>();
    for (const e of live) byPort.set(e.port, [...(byPort.get(e.port) ?? []), e.ip]);
    const subsets = [...byPort].map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
    if (endpoints) {
      await ensure(endpoints, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets } as Obj, (cur) =>
        JSON.stringify((cur as { subsets?: unknown }).subsets ?? []) === JSON.stringify(subsets) ? undefined : ({ ...cur, subsets } as Obj),
      );
    }
    if (!slices) return;
    // One slice per port: "kubernetes" for the first, "kubernetes-<port>" for others; stale ones go.
    const names = new Set<string>();
    let first = true;
    for (const [port, ips] of byPort.size ? byPort : new Map([[0, [] as string[]]])) {
      const name = first ? 'kubernetes' : `kubernetes-${port}`;
      first = false;
      names.add(name);
      const body = {
        endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
        ports: port ? [{ name: 'https', port, protocol: 'TCP' }] : [],
      };
      const addressType = ips[0]?.includes(':') ? 'IPv6' : 'IPv4';
      await ensure(slices, 'default', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType, ...body } as unknown as Obj, (cur) => {
        const c = cur as unknown as typeof body;
        return JSON.stringify(c.endpoints ?? []) === JSON.stringify(body.endpoints) && JSON.stringify(c.ports ?? []) === JSON.stringify(body.ports) ? undefined : ({ ...cur, ...body } as unknown as Obj);
      });
    }
    await slices.cache.waitCurrent();
    for (const e of slices.cache.list({ prefix: slices.prefix('default') }).items) {
      const m = (e.object as LeaseLike).metadata;
      if (m?.labels?.['kubernetes.io/service-name'] === 'kubernetes' && m.name?.startsWith('kubernetes-') && !names.has(m.name)) await slices.delete('default', m.name).catch(() => undefined);
    }
  }
}

function parseEndpoint(holder: string | undefined): Endpoint | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(holder ?? '');
  return m ? { ip: m[1]!, port: Number(m[2]) } : undefined;
}
