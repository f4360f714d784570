// Host-gateway routes between nodes (flannel's host-gw, without the
// daemon): for every other Node with a spec.podCIDR and an InternalIP, a
// route `ip route replace <podCIDR> via <nodeIP>` in this node's network
// namespace, for peers on a directly connected network only (host-gw needs
// layer-2 adjacency; a peer behind a router is reached by the default route,
// and pod traffic is never sent to an outside gateway). Kept in step by
// watching Nodes; routes of deleted or no-longer-adjacent nodes are removed.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Client, KubeObject } from '../client/rest.ts';
import { Informer } from '../client/informer.ts';

const run = promisify(execFile);

export interface PeerRoute {
  /** The peer's pod CIDR. */
  cidr: string;
  /** The peer's InternalIP. */
  nodeIP: string;
}

/** The routes this node wants: one per other node that has a pod CIDR and an InternalIP. */
export function peerRoutes(nodes: Node[], self: string): PeerRoute[] {
  const out: PeerRoute[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === self || n.metadata?.deletionTimestamp) continue;
    const cidr = n.spec?.podCIDR;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (cidr && ip && /^[\d.]+\/\d+$/.test(cidr) && /^[\d.]+$/.test(ip)) out.push({ cidr, nodeIP: ip });
  }
  return out.sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** How routes are read and written: `ip` in this process's network namespace (tests give a fake). */
export interface RouteTable {
  /** `ip` itself when it is on a directly connected network; undefined when it is behind a gateway or this host's own address. */
  nextHop(ip: string): Promise<string | undefined>;
  replace(cidr: string, via: string): Promise<void>;
  remove(cidr: string): Promise<void>;
}

export const ipRouteTable: RouteTable = {
  async nextHop(ip) {
    const { stdout } = await run('ip', ['-j', 'route', 'get', ip]);
    const [r] = JSON.parse(stdout) as { type?: string; dev?: string; gateway?: string }[];
    if (!r || r.type === 'local' || r.dev === 'lo' || r.gateway) return undefined;
    return ip;
  },
  async replace(cidr, via) {
    await run('ip', ['route', 'replace', cidr, 'via', via]);
  },
  async remove(cidr) {
    await run('ip', ['route', 'del', cidr]).catch(() => {});
  },
};

export interface RouteSyncOptions {
  nodeName: string;
  table?: RouteTable;
  /** How often every route is re-applied (default 30 s). */
  resyncMs?: number;
  log?: (line: string) => void;
}

export class RouteSync {
  private readonly nodes: Informer<Node & KubeObject>;
  private readonly table: RouteTable;
  /** cidr -> the gateway installed. */
  private readonly installed = new Map<string, string>();
  private pending: Promise<void> = Promise.resolve();
  private again = false;
  private running = false;
  private resync?: NodeJS.Timeout;

  constructor(
    client: Client,
    private readonly o: RouteSyncOptions,
  ) {
    this.table = o.table ?? ipRouteTable;
    this.nodes = new Informer<Node & KubeObject>(client.resource('v1', 'nodes') as never, { onError: (e) => o.log?.(`routes: ${(e as Error).message}`) });
    const kick = () => this.kick();
    this.nodes.onAdd(kick).onUpdate(kick).onDelete(kick);
  }

  async start(): Promise<void> {
    this.nodes.start();
    await this.nodes.waitForSync();
    this.kick();
    await this.pending;
    // Re-applied now and then, so a route someone removed (or a bridge recreated) comes back.
    this.resync = setInterval(() => {
      this.installed.clear();
      this.kick();
    }, this.o.resyncMs ?? 30_000).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await this.nodes.stop();
    await this.pending;
  }

  /** The routes installed now (tests). */
  routes(): Map<string, string> {
    return new Map(this.installed);
  }

  /** Resolves when what the informer holds now is applied. */
  settled(): Promise<void> {
    return this.pending;
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.pending = (async () => {
      do {
        this.again = false;
        await this.sync().catch((e) => this.o.log?.(`routes: ${(e as Error).message}`));
      } while (this.again);
      this.running = false;
    })();
  }

  private async sync(): Promise<void> {
    const want = peerRoutes(this.nodes.list(), this.o.nodeName);
    const seen = new Set<string>();
    for (const r of want) {
      const via = await this.table.nextHop(r.nodeIP);
      if (!via) continue;
      seen.add(r.cidr);
      if (this.installed.get(r.cidr) === via) continue;
      await this.table.replace(r.cidr, via);
      this.installed.set(r.cidr, via);
      this.o.log?.(`routes: ${r.cidr} via ${via} (node ${r.nodeIP})`);
    }
    for (const cidr of [...this.installed.keys()]) {
      if (seen.has(cidr)) continue;
      await this.table.remove(cidr);
      this.installed.delete(cidr);
      this.o.log?.(`routes: removed ${cidr}`);
    }
  }
}
