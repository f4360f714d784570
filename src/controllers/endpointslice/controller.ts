// The EndpointSlice controller: every Service with a selector gets
// discovery.k8s.io/v1 EndpointSlices (IPv4) naming its pods, up to 100
// endpoints a slice, one group of slices per distinct port set; each endpoint
// carries ready/serving/terminating conditions, so the service proxy can keep
// terminating pods serving until they are gone. A Service with no pods keeps
// one empty placeholder slice, as Kubernetes does.

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import { splitKey, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { semanticEqual } from '../../api/equality.ts';
import { endpointPorts, isHeadless, managedService, podHasAddress, podHostname, podReady, portsKey, selects, type EndpointPort } from '../endpoints/pods.ts';
import { servicePodInformers, type ServicePodInformers } from '../endpoints/watch.ts';
import { HEADLESS_LABEL } from '../endpoints/controller.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

type Slice = EndpointSlice & KubeObject;

export interface DesiredSlice {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** The slices a Service should have (pure): endpoints grouped by port set, sorted by address, chunked. */
export function desiredSlices(svc: Service, pods: Pod[], max = MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, DesiredSlice>();
  for (const pod of pods) {
    if (!selects(svc, pod) || !podHasAddress(pod)) continue;
    const ports = endpointPorts(svc, pod);
    if (ports.length === 0 && (svc.spec?.ports?.length ?? 0) > 0) continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const ready = podReady(pod);
    const ep: Endpoint = {
      addresses: [pod.status!.podIP!],
      conditions: { ready: publishNotReady || (ready && !terminating), serving: publishNotReady || ready, terminating },
      ...(podHostname(svc, pod) ? { hostname: podHostname(svc, pod) } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    };
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  const out: DesiredSlice[] = [];
  for (const [, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    g.endpoints.sort((a, b) => (a.addresses[0]! < b.addresses[0]! ? -1 : 1));
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  return out;
}

export class EndpointSliceController {
  private readonly inf: ServicePodInformers;
  private readonly informers: ControllerInformers;
  private readonly slices: Informer<Slice>;
  private readonly queue = new WorkQueue<string>({ name: 'endpoint_slice' });
  private readonly handle;
  /** Slices this controller created that its informer may not show yet (per service key), so no sync creates them twice. */
  private readonly created = new Map<string, Slice[]>();
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (line: string) => void; workers?: number; maxEndpointsPerSlice?: number; informers?: InformerFactory } = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`endpointslice controller: ${(e as Error).message}`);
    this.handle = client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.inf = servicePodInformers(this.informers, (k) => this.queue.add(k));
    this.slices = this.informers.get<Slice>('discovery.k8s.io/v1', 'endpointslices', { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
    this.slices.addIndex('service', (s) => [`${s.metadata?.namespace}/${s.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`]);
    // A slice changed or removed behind our back is put right.
    const bySlice = (s: Slice) => this.queue.add(`${s.metadata?.namespace}/${s.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`);
    this.slices.onUpdate((_, s) => bySlice(s)).onDelete(bySlice);
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (k) => this.sync(k), { onError: (k, e) => this.opts.log?.(`endpointslice controller: ${k}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    void this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.inf.services.get(key);
    const seen = this.slices.byIndex('service', key);
    const pending = (this.created.get(key) ?? []).filter((c) => !seen.some((s) => s.metadata?.name === c.metadata?.name));
    if (pending.length) this.created.set(key, pending);
    else this.created.delete(key);
    const existing = [...seen, ...pending].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    if (!svc || !managedService(svc)) {
      // Owner references let the garbage collector remove them too; doing it here is quicker.
      for (const s of existing) await this.remove(namespace, s);
      return;
    }
    let want = desiredSlices(svc, this.inf.pods.byIndex('namespace', namespace), this.opts.maxEndpointsPerSlice);
    if (want.length === 0) want = [{ ports: [], endpoints: [] }];
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';

    // Reuse slices with the same port set first, in name order, so endpoints move as little as possible.
    const pool = new Map<string, Slice[]>();
    for (const s of existing) {
      const k = portsKey((s.ports ?? []) as EndpointPort[]);
      pool.set(k, [...(pool.get(k) ?? []), s]);
    }
    const unmatched: DesiredSlice[] = [];
    const writes: Promise<unknown>[] = [];
    for (const d of want) {
      const s = pool.get(portsKey(d.ports))?.shift();
      if (s) writes.push(this.updateIfChanged(s, d, labels));
      else unmatched.push(d);
    }
    const leftovers = [...pool.values()].flat();
    for (const d of unmatched) {
      const s = leftovers.shift();
      if (s) writes.push(this.updateIfChanged(s, d, labels));
      else writes.push(this.create(svc, d, labels));
    }
    for (const s of leftovers) writes.push(this.remove(namespace, s));
    await Promise.all(writes);
  }

  private async create(svc: Service & KubeObject, d: DesiredSlice, labels: Record<string, string>): Promise<void> {
    const slice: Slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${svc.metadata!.name}-`,
        namespace: svc.metadata!.namespace,
        labels,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: d.endpoints,
      ports: d.ports,
    };
    const made = await this.handle.create(svc.metadata!.namespace, slice);
    const key = `${svc.metadata!.namespace}/${svc.metadata!.name}`;
    this.created.set(key, [...(this.created.get(key) ?? []), made]);
  }

  private async updateIfChanged(s: Slice, d: DesiredSlice, labels: Record<string, string>): Promise<void> {
    if (semanticEqual(s.endpoints ?? [], d.endpoints) && semanticEqual(s.ports ?? [], d.ports) && semanticEqual(s.metadata?.labels ?? {}, labels)) return;
    try {
      await this.handle.update(s.metadata!.namespace, { ...s, metadata: { ...s.metadata, labels }, endpoints: d.endpoints, ports: d.ports });
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
      this.queue.add(`${s.metadata!.namespace}/${labels[SERVICE_NAME_LABEL]}`);
    }
  }

  private async remove(namespace: string, s: Slice): Promise<void> {
    for (const [k, list] of this.created) this.created.set(k, list.filter((c) => c.metadata?.name !== s.metadata?.name));
    await this.handle.delete(namespace, s.metadata!.name!).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}

