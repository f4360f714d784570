// The service proxy of a node: watches Services and EndpointSlices and keeps
// the nftables table in step. Start-up writes the whole table (whatever an
// earlier run left is replaced); after that each sync sends only the service
// ports that changed, batched: changes arriving while a sync runs are folded
// into the next one. A failed apply makes the next sync a full one.

import { writeFileSync } from 'node:fs';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Client, KubeObject } from '../../client/rest.ts';
import { Informer } from '../../client/informer.ts';
import { buildModel } from './model.ts';
import { fullRuleset, incrementalRuleset, TABLE, type ProgramState, type ProxyConfig } from './rules.ts';
import { nft, nftCommand } from './nft.ts';

export interface ServiceProxyOptions extends Partial<ProxyConfig> {
  /** Program the table in this named network namespace instead of the process' own (tests). */
  netns?: string;
  /** Turn on IPv4 forwarding and bridge netfilter in the process' namespace (the real node; default true). */
  sysctls?: boolean;
  log?: (line: string) => void;
}

export class ServiceProxy {
  private readonly services: Informer<Service & KubeObject>;
  private readonly slices: Informer<EndpointSlice & KubeObject>;
  private readonly cfg: ProxyConfig;
  private state: ProgramState | undefined;
  private dirty = false;
  private syncing: Promise<void> | undefined;
  private stopped = false;
  /** Syncs done, and the last error (for tests and metrics). */
  syncCount = 0;
  lastError: Error | undefined;

  constructor(
    client: Client,
    private readonly opts: ServiceProxyOptions = {},
  ) {
    this.cfg = { clusterCIDR: opts.clusterCIDR ?? '10.42.0.0/16', serviceCIDR: opts.serviceCIDR ?? '10.43.0.0/16' };
    const onError = (e: unknown) => opts.log?.(`service proxy: ${(e as Error).message}`);
    this.services = new Informer(client.resource('v1', 'services') as never, { onError });
    this.slices = new Informer(client.resource('discovery.k8s.io/v1', 'endpointslices') as never, { onError });
    for (const inf of [this.services, this.slices] as Informer<KubeObject>[]) {
      inf.onAdd(() => this.kick()).onUpdate(() => this.kick()).onDelete(() => this.kick());
    }
  }

  async start(): Promise<void> {
    if (this.opts.sysctls !== false && !this.opts.netns) {
      for (const [path, value] of [
        ['/proc/sys/net/ipv4/ip_forward', '1'],
        // Pods on one bridge answer each other through conntrack only when bridged traffic is seen by netfilter.
        ['/proc/sys/net/bridge/bridge-nf-call-iptables', '1'],
      ]) {
        try {
          writeFileSync(path, value);
        } catch (e) {
          this.opts.log?.(`service proxy: cannot set ${path}: ${(e as Error).message}`);
        }
      }
    }
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    await this.syncNow();
    if (this.lastError) throw this.lastError;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.services.stop();
    this.slices.stop();
    await this.syncing;
  }

  /** Removes the proxy's table (skiff down). */
  async cleanup(): Promise<void> {
    await nft(`add table ip ${TABLE}\ndelete table ip ${TABLE}\n`, { netns: this.opts.netns });
  }

  /** Waits until everything seen so far is programmed. */
  async flush(): Promise<void> {
    while (this.syncing || this.dirty) await (this.syncing ?? this.syncNow());
  }

  private kick(): void {
    this.dirty = true;
    if (!this.syncing && this.services.hasSynced && this.slices.hasSynced) void this.syncNow();
  }

  private syncNow(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      try {
        while (!this.stopped) {
          this.dirty = false;
          await this.syncOnce();
          if (!this.dirty) break;
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const models = buildModel(this.services.list(), this.slices.list());
    const { text, state } = this.state ? incrementalRuleset(this.state, models, this.cfg) : fullRuleset(models, this.cfg);
    if (!text) return;
    try {
      await nft(text, { netns: this.opts.netns });
      this.state = state;
      this.lastError = undefined;
      this.syncCount++;
    } catch (e) {
      this.lastError = e as Error;
      this.opts.log?.(`service proxy: ${(e as Error).message}`);
      // Start over from a clean table next time.
      this.state = undefined;
      if (!this.stopped) setTimeout(() => this.kick(), 1000).unref();
    }
  }

  /** The table as nft lists it (diagnostics, tests). */
  listTable(): Promise<string> {
    return nftCommand(['list', 'table', 'ip', TABLE], this.opts.netns);
  }
}
