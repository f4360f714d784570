// The Endpoints controller: for every Service with a selector, an Endpoints
// object of the same name lists the selected pods' IPs, ready ones under
// `addresses` and the rest under `notReadyAddresses`, grouped into subsets by
// the ports they resolve. Services without a selector are left to the user.

import type { EndpointAddress, EndpointPort as CoreEndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { Client, isConflict, isNotFound, isAlreadyExists, type KubeObject } from '../../client/rest.ts';
import { splitKey } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { semanticEqual } from '../../api/equality.ts';
import { endpointPorts, isHeadless, managedService, podHasAddress, podHostname, podReady, portsKey, selects } from './pods.ts';
import { servicePodInformers, type ServicePodInformers } from './watch.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The subsets of an Endpoints object for a Service and the pods of its namespace (pure). */
export function computeSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const groups = new Map<string, { ports: CoreEndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (!selects(svc, pod) || !podHasAddress(pod)) continue;
    // Terminating pods leave Endpoints (they stay in EndpointSlices as terminating).
    if (pod.metadata?.deletionTimestamp && !publishNotReady) continue;
    const ports = endpointPorts(svc, pod);
    if (ports.length === 0 && (svc.spec?.ports?.length ?? 0) > 0) continue;
    const addr: EndpointAddress = {
      ip: pod.status!.podIP!,
      ...(podHostname(svc, pod) ? { hostname: podHostname(svc, pod) } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    };
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: ports.map((p) => ({ ...p })), ready: [], notReady: [] }));
    (podReady(pod) || publishNotReady ? g.ready : g.notReady).push(addr);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIP) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIP) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

export class EndpointsController {
  private readonly inf: ServicePodInformers;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'endpoint' });
  private readonly endpoints;
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (line: string) => void; workers?: number; informers?: InformerFactory } = {},
  ) {
    this.endpoints = client.resource<Endpoints & KubeObject>('v1', 'endpoints');
    this.informers = new ControllerInformers(client, opts.informers, (e) => opts.log?.(`endpoints controller: ${(e as Error).message}`));
    this.inf = servicePodInformers(this.informers, (k) => this.queue.add(k));
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (k) => this.sync(k), { onError: (k, e) => this.opts.log?.(`endpoints controller: ${k}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    void this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.inf.services.get(key);
    if (!svc) {
      // The Service is gone: so is its Endpoints (if we made it; a selector-less one is the user's, and goes by GC of nothing — Kubernetes deletes it too).
      await this.endpoints.delete(namespace, name).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
      return;
    }
    if (!managedService(svc)) return;
    const subsets = computeSubsets(svc, this.inf.pods.byIndex('namespace', namespace));
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
    let current: (Endpoints & KubeObject) | undefined;
    try {
      current = await this.endpoints.get(namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!current) {
      try {
        await this.endpoints.create(namespace, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets } as Endpoints & KubeObject);
      } catch (e) {
        if (isAlreadyExists(e)) this.queue.add(key);
        else throw e;
      }
      return;
    }
    if (semanticEqual(current.subsets ?? [], subsets) && semanticEqual(current.metadata?.labels ?? {}, labels)) return;
    try {
      await this.endpoints.update(namespace, { ...current, metadata: { ...current.metadata, labels }, subsets });
    } catch (e) {
      if (isConflict(e)) this.queue.add(key);
      else throw e;
    }
  }
}
