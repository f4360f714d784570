// The Scheduler: informers feed the cache (bound pods, nodes) and the queue
// (pending pods of this scheduler); one loop pops a pod, runs the scheduling
// cycle synchronously, assumes the pod on the chosen node and binds it
// through pods/binding in the background (a bounded number at a time).
// A pod that fits nowhere gets a FailedScheduling event, the PodScheduled
// condition, possibly preemption, and waits in the queue for an event that
// could help. With leader election only the holder of the Lease schedules.

import type { SchedulerMetrics } from '../metrics/scheduler.ts';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { Selector, selectorFromLabelSelector, selectorFromSet } from '../api/labels.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer } from '../client/informer.ts';
import { LeaderElector, type LeaderElectionOptions } from '../client/leaderelection.ts';
import { isNotFound, type Client, type KubeObject } from '../client/rest.ts';
import { SchedulerCache, type CacheOptions } from './cache/cache.ts';
import { FitError } from './framework/fiterror.ts';
import type { Framework } from './framework/framework.ts';
import type { PodInfo } from './framework/podinfo.ts';
import { CycleState, type ClusterEvent } from './framework/types.ts';
import { defaultFramework } from './profile.ts';
import { isPodUpdated, SchedulingQueue, type QueuedPodInfo, type QueueOptions } from './queue/queue.ts';
import { Algorithm } from './schedule.ts';
import { podScheduledPatch, truncateMessage } from './status.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  schedulerName?: string;
  /** 0 (default): Kubernetes' adaptive percentage. */
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once (default 256). */
  maxInFlightBindings?: number;
  queue?: QueueOptions;
  cache?: CacheOptions;
  /** Lease-based leader election (kube-system/kube-scheduler); off when unset. */
  leaderElection?: Partial<LeaderElectionOptions>;
  log?: (line: string) => void;
  /** Where scheduling attempts and latencies are recorded (Prometheus). */
  metrics?: SchedulerMetrics;
  /** Told of each binding (benchmarks measure latency with it). */
  onBound?: (pod: PodInfo, node: string) => void;
}

interface SlimWorkload extends KubeObject {
  spec?: { selector?: unknown };
}

/** Drops managedFields: half a stored pod, and never read here. */
function slim<T extends KubeObject>(o: T): T {
  if (o.metadata?.managedFields) delete o.metadata.managedFields;
  return o;
}

const assigned = (p: Pod) => !!p.spec?.nodeName;

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly events: EventRecorder;
  private readonly algorithm: Algorithm;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly namespaces: Informer<Namespace>;
  private readonly workloads: Informer<SlimWorkload>[];
  private readonly name: string;
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private elector: LeaderElector | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];
  private cleanupTimer: NodeJS.Timeout | undefined;
  readonly stats = { attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, bindErrors: 0, preemptions: 0 };

  constructor(
    private readonly client: Client,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.cache = new SchedulerCache(opts.cache);
    this.events = new EventRecorder(client, { component: this.name, onError: (e) => this.log(`event: ${(e as Error).message}`) });
    const onError = (e: unknown) => this.log(`informer: ${(e as Error).message}`);
    // Kubernetes' scheduler watches only pods that can still run.
    this.pods = new Informer<Pod>(client.resource<Pod>('v1', 'pods'), { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', transform: slim, onError });
    this.nodes = new Informer<Node>(client.resource<Node>('v1', 'nodes'), { transform: slim, onError });
    this.namespaces = new Informer<Namespace>(client.resource<Namespace>('v1', 'namespaces'), { transform: slim, onError });
    this.workloads = [
      ['v1', 'services'],
      ['v1', 'replicationcontrollers'],
      ['apps/v1', 'replicasets'],
      ['apps/v1', 'statefulsets'],
    ].map(([gv, r]) => new Informer<SlimWorkload>(client.resource<SlimWorkload>(gv!, r!), { transform: (o: SlimWorkload) => ({ kind: o.kind, metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace, resourceVersion: o.metadata?.resourceVersion, uid: o.metadata?.uid }, spec: { selector: o.spec?.selector } }), onError }));
    this.framework = defaultFramework({
      cache: this.cache,
      namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata?.labels,
      defaultSelectors: (p) => this.defaultSelectors(p),
      preemption: { evict: (v, p, n) => this.evict(v, p, n) },
    });
    this.queue = new SchedulingQueue({ ...opts.queue, eventCanHelp: (e, plugins) => this.framework.eventCanHelp(e, plugins) });
    this.algorithm = new Algorithm(this.framework, this.cache, {
      percentageOfNodesToScore: opts.percentageOfNodesToScore,
      nominatedPods: (node, pod) => this.nominatedFor(node, pod),
    });
    this.wire();
  }

  private log(line: string): void {
    this.opts.log?.(`scheduler: ${line}`);
  }

  // --- informers to cache and queue -------------------------------------------

  private responsible(p: Pod): boolean {
    return (p.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.name && !p.metadata?.deletionTimestamp;
  }

  private moved(event: ClusterEvent): void {
    this.queue.moveAllOnEvent(event);
  }

  private wire(): void {
    this.pods
      .onAdd((p) => {
        if (assigned(p)) {
          this.cache.addPod(p);
          this.moved('AssignedPodAdd');
        } else if (this.responsible(p)) this.queue.add(p);
      })
      .onUpdate((o, p) => {
        if (assigned(p)) {
          if (!assigned(o)) {
            this.queue.delete(o);
            this.unnominate(o);
            this.cache.addPod(p);
            this.moved('AssignedPodAdd');
          } else {
            this.cache.updatePod(p);
            if (isPodUpdated(o, p)) this.moved('AssignedPodUpdate');
          }
        } else if (this.responsible(p)) this.queue.update(o, p);
        else this.queue.delete(p);
      })
      .onDelete((p) => {
        this.unnominate(p);
        if (assigned(p)) {
          this.cache.removePod(p);
          this.moved('AssignedPodDelete');
        } else this.queue.delete(p);
      });
    const relevant = (a: Node, b: Node) =>
      JSON.stringify([a.metadata?.labels, a.spec?.taints, a.spec?.unschedulable, a.status?.allocatable]) !== JSON.stringify([b.metadata?.labels, b.spec?.taints, b.spec?.unschedulable, b.status?.allocatable]);
    this.nodes
      .onAdd((n) => {
        this.cache.addNode(n);
        this.moved('NodeAdd');
      })
      .onUpdate((o, n) => {
        this.cache.updateNode(n);
        if (relevant(o, n)) this.moved('NodeUpdate');
      })
      .onDelete((n) => {
        this.cache.removeNode(n.metadata!.name!);
        this.moved('NodeDelete');
      });
  }

  /** Selectors of the Services, RCs, ReplicaSets and StatefulSets that select the pod (default spreading). */
  private defaultSelectors(p: PodInfo): Selector[] {
    const out: Selector[] = [];
    for (const inf of this.workloads) {
      for (const w of inf.list()) {
        if (w.metadata?.namespace !== p.namespace) continue;
        const sel = w.spec?.selector;
        if (!sel || typeof sel !== 'object') continue;
        let s: Selector;
        try {
          s = w.kind === 'Service' || w.kind === 'ReplicationController' || !('matchLabels' in sel || 'matchExpressions' in sel) ? selectorFromSet(sel as Record<string, string>) : selectorFromLabelSelector(sel as never);
        } catch {
          continue;
        }
        if (!s.isEmpty() && s.matches(p.labels)) out.push(s);
      }
    }
    return out;
  }

  // --- nominated pods (preemptors waiting for their victims to go) ------------

  private nominate(p: PodInfo, node: string): void {
    this.unnominate(p.pod);
    let m = this.nominated.get(node);
    if (!m) this.nominated.set(node, (m = new Map()));
    m.set(p.uid, p);
  }

  private unnominate(p: Pod): void {
    const uid = p.metadata?.uid;
    if (!uid || this.nominated.size === 0) return;
    for (const [node, m] of this.nominated) if (m.delete(uid) && m.size === 0) this.nominated.delete(node);
  }

  private nominatedFor(node: string, pod: PodInfo): PodInfo[] | undefined {
    const m = this.nominated.get(node);
    if (!m) return undefined;
    return [...m.values()].filter((x) => x.uid !== pod.uid && x.priority >= pod.priority);
  }

  // --- running -------------------------------------------------------------------

  /** Starts informers, waits for their first lists, then schedules (once leading, with leader election). */
  async start(): Promise<void> {
    for (const inf of [this.nodes, this.namespaces, ...this.workloads, this.pods] as Informer<KubeObject>[]) inf.start();
    await Promise.all([this.nodes, this.namespaces, ...this.workloads, this.pods].map((i) => (i as Informer<KubeObject>).waitForSync()));
    this.queue.run();
    this.cleanupTimer = setInterval(() => this.cache.cleanupExpired(), 1000);
    this.cleanupTimer.unref();
    if (!this.opts.leaderElection) {
      this.loop = this.run();
      return;
    }
    this.elector = new LeaderElector(this.client, {
      namespace: 'kube-system',
      name: 'kube-scheduler',
      ...this.opts.leaderElection,
      onStartedLeading: () => {
        this.log('became leader');
        this.loop = this.run();
      },
      onStoppedLeading: () => {
        this.log('lost the lease: scheduling stops');
        this.stopped = true;
        this.queue.close();
      },
    });
    this.elector.start();
  }

  get isLeader(): boolean {
    return !this.elector || this.elector.isLeader;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    await this.loop;
    await this.elector?.stop();
    await Promise.all([this.pods, this.nodes, this.namespaces, ...this.workloads].map((i) => (i as Informer<KubeObject>).stop()));
    while (this.inFlight > 0) await new Promise<void>((r) => this.slotWaiters.push(r));
    await this.events.flush();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const q = await this.queue.pop();
      if (!q) break;
      try {
        await this.scheduleOne(q);
      } catch (e) {
        // Never let one pod end the loop.
        this.log(`scheduling ${q.info.key}: ${(e as Error).stack ?? e}`);
        this.queue.addUnschedulable(q, this.queue.cycle, { error: true });
      }
      // Let informer events and binding answers in between pods.
      await new Promise<void>((r) => setImmediate(r));
      if (this.inFlight >= (this.opts.maxInFlightBindings ?? 256)) await new Promise<void>((r) => this.slotWaiters.push(r));
    }
  }

  /** The current version of a queued pod, unless it is gone, bound or being deleted. */
  private current(q: QueuedPodInfo): Pod | undefined {
    const p = this.pods.get(q.info.key);
    if (!p || p.metadata?.uid !== q.info.uid || assigned(p) || p.metadata?.deletionTimestamp) return undefined;
    return p;
  }

  private async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const cycle = this.queue.cycle;
    const pod = q.info;
    if (!this.current(q) || this.cache.isAssumed(pod.uid)) {
      this.queue.done(pod.key);
      return;
    }
    this.stats.attempts++;
    const started = performance.now();
    const state = new CycleState();
    let node: string;
    try {
      node = this.algorithm.schedule(state, pod).node;
    } catch (e) {
      if (!(e instanceof FitError)) return this.failed(q, cycle, e as Error, 'SchedulerError');
      let nominated: string | undefined;
      if (this.framework.postFilters.length > 0) {
        const pf = await this.framework.runPostFilter(state, pod, e.statuses);
        if (pf.status?.message) e.setPostFilterMsg(pf.status.message);
        nominated = pf.result?.nominatedNodeName;
        if (nominated) {
          this.stats.preemptions++;
          this.nominate(pod, nominated);
        }
      }
      return this.failed(q, cycle, e, 'Unschedulable', nominated);
    }
    this.cache.assumePod(pod, node);
    this.unnominate(pod.pod);
    this.queue.done(pod.key);
    this.inFlight++;
    void this.bind(q, node, cycle, started).finally(() => {
      this.inFlight--;
      this.slotWaiters.shift()?.();
    });
  }

  private async bind(q: QueuedPodInfo, node: string, cycle: number, started = performance.now()): Promise<void> {
    const p = q.info;
    try {
      await this.client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.name)}/binding`,
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.name, namespace: p.namespace, uid: p.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
    } catch (e) {
      this.stats.bindErrors++;
      this.cache.forgetPod(p.uid);
      // What the pod held on that node is free again.
      this.moved('AssignedPodDelete');
      return this.failed(q, cycle, e as Error, 'SchedulerError');
    }
    this.cache.finishBinding(p.uid);
    this.stats.scheduled++;
    this.opts.metrics?.attempt('scheduled', this.opts.schedulerName ?? 'default-scheduler', (performance.now() - started) / 1000);
    this.opts.metrics?.podScheduled(q.attempts, (Date.now() - (q.initialAttemptTimestamp ?? Date.now())) / 1000);
    this.opts.onBound?.(p, node);
    this.events.event({ ...p.pod, kind: 'Pod', apiVersion: 'v1' }, 'Normal', 'Scheduled', `Successfully assigned ${p.namespace}/${p.name} to ${node}`, { action: 'Binding' });
  }

  /** A failed attempt: event, PodScheduled condition, back into the queue. */
  private async failed(q: QueuedPodInfo, cycle: number, err: Error, reason: 'Unschedulable' | 'SchedulerError', nominated?: string): Promise<void> {
    this.opts.metrics?.attempt(reason === 'Unschedulable' ? 'unschedulable' : 'error', this.opts.schedulerName ?? 'default-scheduler', 0);
    if (reason === 'Unschedulable') this.stats.unschedulable++;
    else this.stats.errors++;
    const cur = this.current(q);
    if (!cur) {
      // Deleted, or bound by someone else meanwhile: nothing to retry.
      this.queue.done(q.info.key);
      return;
    }
    this.queue.addUnschedulable(q, cycle, { error: reason !== 'Unschedulable', plugins: err instanceof FitError ? err.unschedulablePlugins : undefined, pod: cur });
    const msg = truncateMessage(err.message);
    this.events.event({ ...cur, kind: 'Pod', apiVersion: 'v1' }, 'Warning', 'FailedScheduling', msg, { action: 'Scheduling' });
    const patch = podScheduledPatch(cur, reason, msg, nominated);
    if (!patch) return;
    try {
      await this.client.resource('v1', 'pods').patch(q.info.namespace, q.info.name, 'strategic', patch, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) this.log(`updating the status of ${q.info.key}: ${(e as Error).message}`);
    }
  }

  /** Preemption: tell the victim why, mark it, delete it. */
  private async evict(victim: PodInfo, preemptor: PodInfo, node: string): Promise<void> {
    const pods = this.client.resource('v1', 'pods');
    this.events.event({ ...victim.pod, kind: 'Pod', apiVersion: 'v1' }, 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${node}`, { action: 'Preempting', related: { ...preemptor.pod, kind: 'Pod', apiVersion: 'v1' } });
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${this.name}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    try {
      await pods.patch(victim.namespace, victim.name, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
      await pods.delete(victim.namespace, victim.name, { preconditions: { uid: victim.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
