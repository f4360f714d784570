// The built-in load balancer (like k3s's ServiceLB): a Service of type
// LoadBalancer gets the InternalIPs of the ready nodes as its ingress, shown
// as EXTERNAL-IP by kubectl; every node's service proxy answers on those
// addresses. A Service that stops being a LoadBalancer loses its ingress.
// Services naming another loadBalancerClass are left to their controller.

import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import { keyOf, splitKey, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { semanticEqual } from '../../api/equality.ts';

type Svc = Service & KubeObject;
type NodeObj = Node & KubeObject;

export function nodeIngressIPs(nodes: Node[]): string[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready || n.spec?.unschedulable) continue;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) ips.add(ip);
  }
  return [...ips].sort();
}

export class ServiceLBController {
  private readonly services: Informer<Svc>;
  private readonly nodes: Informer<NodeObj>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'servicelb' });
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (line: string) => void; informers?: InformerFactory } = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`servicelb: ${(e as Error).message}`);
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.services = this.informers.get<Svc>('v1', 'services');
    // An own node cache keeps only what this controller reads; a shared one has whole Nodes anyway.
    this.nodes = this.informers.get<NodeObj>('v1', 'nodes', { transform: (n: NodeObj) => ({ metadata: n.metadata, spec: { unschedulable: n.spec?.unschedulable }, status: { conditions: n.status?.conditions, addresses: n.status?.addresses } }) });
    const svc = (s: Svc) => this.queue.add(keyOf(s));
    this.services.onAdd(svc).onUpdate((_, s) => svc(s));
    const all = () => {
      for (const s of this.services.list()) if (s.spec?.type === 'LoadBalancer') this.queue.add(keyOf(s));
    };
    this.nodes.onAdd(all).onUpdate(all).onDelete(all);
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, 1, (k) => this.sync(k), { onError: (k, e) => this.opts.log?.(`servicelb: ${k}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    void this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc || (svc.spec?.loadBalancerClass && svc.spec.type === 'LoadBalancer')) return;
    const want = svc.spec?.type === 'LoadBalancer' ? nodeIngressIPs(this.nodes.list()).map((ip) => ({ ip, ipMode: 'VIP' })) : [];
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (semanticEqual(have, want)) return;
    const { namespace, name } = splitKey(key);
    try {
      await this.client.resource('v1', 'services').patch(namespace, name, 'merge', { status: { loadBalancer: { ingress: want.length ? want : null } } }, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
