// The pod garbage collector (Kubernetes' PodGC), run every 20 s like
// Kubernetes': deletes the oldest finished pods beyond a threshold (12500),
// pods bound to nodes that no longer exist (after a 40 s quarantine and a
// check with the server, marked Failed with DisruptionTarget first), and
// terminating pods that were never scheduled. All deletes are forced
// (grace 0): no kubelet will ever act on these pods.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { timestamp } from '../../api/meta.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { byCreation, isBeingDeleted, isPodTerminal } from '../util/pods.ts';

export interface PodGCOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** Finished pods kept (Kubernetes' --terminated-pod-gc-threshold, 12500); 0 or less turns that pass off. */
  terminatedPodThreshold?: number;
  periodMs?: number;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
  /** How long a pod's node must be missing before the pod goes (40 s). */
  quarantineMs?: number;
}

export class PodGCController {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly informers: ControllerInformers;
  private readonly podsApi: ResourceHandle<Pod>;
  private readonly nodesApi: ResourceHandle<Node>;
  private readonly clock: Clock;
  /** Node names seen missing, and since when. */
  private readonly missingSince = new Map<string, number>();
  private cancelTimer?: () => void;
  private stopped = false;
  private pass?: Promise<void>;

  constructor(
    client: Client,
    private readonly opts: PodGCOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`pod gc: ${(e as Error).message}`);
    this.clock = opts.clock ?? realClock;
    this.podsApi = client.resource<Pod>('v1', 'pods');
    this.nodesApi = client.resource<Node>('v1', 'nodes');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.pods = this.informers.get<Pod>('v1', 'pods', { source: this.podsApi });
    this.nodes = this.informers.get<Node>('v1', 'nodes', { source: this.nodesApi });
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.pass;
    await this.informers.stopOwned();
  }

  private schedule(): void {
    if (this.stopped) return;
    const at = new Date(this.clock.now().getTime() + (this.opts.periodMs ?? 20_000));
    this.cancelTimer = this.clock.at(at, () => {
      this.pass = this.gc()
        .catch((e) => this.opts.log?.(`pod gc: ${(e as Error).message}`))
        .finally(() => this.schedule());
    });
  }

  /** One pass of every collection. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    await this.gcTerminated(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
  }

  private async forceDelete(p: Pod): Promise<void> {
    try {
      await this.podsApi.delete(p.metadata!.namespace, p.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async gcTerminated(pods: Pod[]): Promise<void> {
    const threshold = this.opts.terminatedPodThreshold ?? 12_500;
    if (threshold <= 0) return;
    const finished = pods.filter((p) => isPodTerminal(p) && !isBeingDeleted(p));
    if (finished.length <= threshold) return;
    finished.sort(byCreation);
    for (const p of finished.slice(0, finished.length - threshold)) await this.forceDelete(p);
  }

  private async gcOrphaned(pods: Pod[]): Promise<void> {
    const now = this.clock.now().getTime();
    const quarantine = this.opts.quarantineMs ?? 40_000;
    const missing = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.get(node)) missing.add(node);
    }
    for (const n of [...this.missingSince.keys()]) if (!missing.has(n)) this.missingSince.delete(n);
    for (const n of missing) if (!this.missingSince.has(n)) this.missingSince.set(n, now);
    for (const node of missing) {
      if (now - this.missingSince.get(node)! < quarantine) continue;
      // The cache may lag: only the server's 404 makes the node gone.
      try {
        await this.nodesApi.get(undefined, node);
        continue;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      for (const p of pods.filter((x) => x.spec?.nodeName === node)) {
        if (!isPodTerminal(p)) await this.markFailed(p);
        await this.forceDelete(p);
      }
    }
  }

  private async markFailed(p: Pod): Promise<void> {
    const now = timestamp(this.clock.now());
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: now });
    try {
      await this.podsApi.patch(p.metadata!.namespace, p.metadata!.name!, 'merge', { status: { phase: 'Failed', conditions } }, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const p of pods) if (p.metadata?.deletionTimestamp && !p.spec?.nodeName) await this.forceDelete(p);
  }
}
