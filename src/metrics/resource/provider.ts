// The metrics.k8s.io provider (what metrics-server is in Kubernetes): knows
// the nodes and pods from informers, scrapes every Ready node's agent for
// its Summary, and answers from the last scrape while it is younger than the
// resolution (15 s, metrics-server's default), scraping on demand otherwise.
// Concurrent requests share one scrape. CPU is a rate between two scrapes
// (store.ts), so a scrape with no other one in the last four resolutions
// (the first, or the first after a quiet spell) is followed by a second one
// a moment later: the answer is then a rate over that moment, never the
// cumulative CPU since start nor a rate over a long-gone interval.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../client/informer.ts';
import type { Client } from '../../client/rest.ts';
import { agentAddress, type KubeletClientConfig } from '../../apiserver/proxy/locate.ts';
import { fetchSummary, type Summary } from './scrape.ts';
import { ResourceMetricsStore } from './store.ts';

export interface ResourceMetricsOptions {
  client: Client;
  kubelet: KubeletClientConfig;
  /** How long a scrape is served before the next request scrapes again (default 15 s). */
  resolutionMs?: number;
  /** The gap between a first scrape and the one that gives it rates (default 1 s). */
  pairGapMs?: number;
  /** Per-agent timeout (default 10 s, metrics-server's kubelet request timeout). */
  scrapeTimeoutMs?: number;
  log?: (line: string) => void;
  /** Replaces the HTTPS fetch (tests). */
  fetch?: (node: Node) => Promise<Summary>;
}

export const DEFAULT_RESOLUTION_MS = 15_000;
export const DEFAULT_PAIR_GAP_MS = 1000;

const isReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export class ResourceMetricsProvider {
  readonly nodes: Informer<Node>;
  readonly pods: Informer<Pod>;
  readonly store: ResourceMetricsStore;
  private lastScrape = 0;
  private inflight?: Promise<void>;
  private started?: Promise<boolean>;
  /** Completed scrapes (for tests and the scrape-cost figure). */
  scrapes = 0;

  constructor(private readonly o: ResourceMetricsOptions) {
    this.store = new ResourceMetricsStore(o.resolutionMs ?? DEFAULT_RESOLUTION_MS);
    this.nodes = new Informer<Node>(o.client.resource<Node>('v1', 'nodes'), { onError: (e) => o.log?.(`metrics: node watch: ${(e as Error).message}`) });
    // Only what PodMetrics carries (name, namespace, labels): a pod cache for metrics need not hold specs.
    const podMeta = (p: Pod): Pod => ({ metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, uid: p.metadata?.uid, labels: p.metadata?.labels, resourceVersion: p.metadata?.resourceVersion } });
    this.pods = new Informer<Pod>(o.client.resource<Pod>('v1', 'pods'), { transform: podMeta, onError: (e) => o.log?.(`metrics: pod watch: ${(e as Error).message}`) });
  }

  /** Starts the informers; resolves once both have synced. */
  start(): Promise<boolean> {
    this.started ??= (async () => {
      this.nodes.start();
      this.pods.start();
      return (await this.nodes.waitForSync()) && (await this.pods.waitForSync());
    })();
    return this.started;
  }

  async stop(): Promise<void> {
    await Promise.all([this.nodes.stop(), this.pods.stop()]);
    await this.inflight?.catch(() => undefined);
  }

  /** Metrics no older than the resolution: the last scrape, or a new one. */
  async fresh(): Promise<ResourceMetricsStore> {
    await this.start();
    const resolution = this.o.resolutionMs ?? DEFAULT_RESOLUTION_MS;
    if (Date.now() - this.lastScrape >= resolution) {
      this.inflight ??= (async () => {
        const paired = this.lastScrape > 0 && Date.now() - this.lastScrape <= 4 * resolution;
        await this.scrape();
        if (paired) return;
        await new Promise((r) => setTimeout(r, this.o.pairGapMs ?? DEFAULT_PAIR_GAP_MS));
        await this.scrape();
      })().finally(() => (this.inflight = undefined));
      await this.inflight;
    }
    return this.store;
  }

  private async scrape(): Promise<void> {
    const ready = this.nodes.list().filter(isReady);
    this.store.retain(new Set(ready.map((n) => n.metadata!.name!)));
    await Promise.all(
      ready.map(async (n) => {
        const name = n.metadata!.name!;
        try {
          const summary = await (this.o.fetch ? this.o.fetch(n) : this.fetch(n));
          this.store.add(name, summary);
        } catch (e) {
          this.store.dropNode(name);
          this.o.log?.(`metrics: scraping node "${name}": ${(e as Error).message}`);
        }
      }),
    );
    this.lastScrape = Date.now();
    this.scrapes++;
  }

  private fetch(n: Node): Promise<Summary> {
    const { host, port } = agentAddress(n);
    return fetchSummary(host, port, this.o.kubelet, this.o.scrapeTimeoutMs ?? 10_000);
  }
}
