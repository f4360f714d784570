// The node IPAM controller: every Node gets spec.podCIDR (and podCIDRs), a
// /24 of the cluster CIDR (10.42.0.0/16 by default, as k3s), the lowest one
// free. What is taken is read back from the Nodes at start, so a restarted
// controller never hands out a CIDR twice; a deleted Node's CIDR is free again.

import type { Node } from 'kubernetes-types/core/v1.js';
import { Client, isNotFound, type KubeObject } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { capacity, cidrAt, indexOf, newCidrSet, type CidrSet } from './cidrs.ts';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_MASK_SIZE = 24;

type NodeObj = Node & KubeObject;

export class NodeIpamController {
  private readonly informer: Informer<NodeObj>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'nodeipam' });
  private readonly set: CidrSet;
  /** index → node name */
  private readonly used = new Map<number, string>();
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { clusterCIDR?: string; nodeMaskSize?: number; log?: (line: string) => void; informers?: InformerFactory } = {},
  ) {
    this.set = newCidrSet(opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, opts.nodeMaskSize ?? DEFAULT_NODE_MASK_SIZE);
    this.informers = new ControllerInformers(client, opts.informers, (e) => opts.log?.(`nodeipam: ${(e as Error).message}`));
    this.informer = this.informers.get<NodeObj>('v1', 'nodes');
    this.informer
      .onAdd((n) => this.observe(n))
      .onUpdate((_, n) => this.observe(n))
      .onDelete((n) => this.release(n));
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, 1, (name) => this.sync(name), { onError: (n, e) => this.opts.log?.(`nodeipam: ${n}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    void this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private observe(n: NodeObj): void {
    const cidr = n.spec?.podCIDR;
    if (cidr) {
      const i = indexOf(this.set, cidr);
      if (i >= 0) this.used.set(i, n.metadata!.name!);
      return;
    }
    this.queue.add(n.metadata!.name!);
  }

  private release(n: NodeObj): void {
    for (const [i, name] of this.used) if (name === n.metadata?.name) this.used.delete(i);
  }

  private async sync(name: string): Promise<void> {
    const node = this.informer.get(name);
    if (!node || node.spec?.podCIDR) return;
    // A CIDR this controller gave the node may not be in the cache yet.
    for (const [i, owner] of this.used) if (owner === name) return this.assign(name, cidrAt(this.set, i));
    let free = -1;
    for (let i = 0; i < capacity(this.set); i++) {
      if (!this.used.has(i)) {
        free = i;
        break;
      }
    }
    if (free < 0) {
      this.opts.log?.(`nodeipam: no pod CIDR left in ${this.opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR} for node ${name}`);
      return;
    }
    this.used.set(free, name);
    await this.assign(name, cidrAt(this.set, free));
  }

  private async assign(name: string, cidr: string): Promise<void> {
    try {
      await this.client.resource('v1', 'nodes').patch(undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.opts.log?.(`nodeipam: node ${name} gets pod CIDR ${cidr}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      for (const [i, owner] of this.used) if (owner === name) this.used.delete(i);
    }
  }
}
