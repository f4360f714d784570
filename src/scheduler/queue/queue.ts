// The scheduling queue (Kubernetes' PriorityQueue): pending pods wait in one
// of three pools.
//   active         ready to be tried, highest priority first, then oldest
//   backoff        failed recently; waits 1 s doubling per attempt up to 10 s
//   unschedulable  failed and waits for a cluster event that could help it
//                  (a node added or changed, a pod deleted...), or for the
//                  5-minute flush
// A pod that failed while an event arrived during its attempt goes to backoff
// rather than unschedulable, so the event is not lost (moveRequestCycle).

import type { Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { newPodInfo, type PodInfo } from '../framework/podinfo.ts';
import type { ClusterEvent } from '../framework/types.ts';
import { Heap } from './heap.ts';

export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod last entered a pool (orders pods of equal priority). */
  timestamp: number;
  /** When the pod was first tried (for latency). */
  initialAttemptTimestamp?: number;
  attempts: number;
  /** Plugins that rejected it last time; only events they care about move it. */
  unschedulablePlugins: Set<string>;
  /** When its backoff ends. */
  backoffExpiry: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods older than this are retried anyway (Kubernetes: 5 min). */
  maxInUnschedulableMs?: number;
  /** How often that check runs (Kubernetes: 30 s). */
  unschedulableFlushIntervalMs?: number;
  /** How often finished backoffs move to active (Kubernetes: 1 s). */
  backoffFlushIntervalMs?: number;
  /** Whether an event can help a pod the named plugins rejected (default: always). */
  eventCanHelp?: (event: ClusterEvent, plugins: ReadonlySet<string>) => boolean;
  now?: () => number;
}

const keyOf = (q: QueuedPodInfo) => q.info.key;

/** Pods differ in something other than status and bookkeeping metadata (Kubernetes' isPodUpdated). */
export function isPodUpdated(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => ({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined, finalizers: undefined } });
  return !semanticEqual(strip(a), strip(b));
}

export class SchedulingQueue {
  private readonly active: Heap<QueuedPodInfo>;
  private readonly backoff: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and being scheduled. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly o: Required<Omit<QueueOptions, 'eventCanHelp' | 'now'>> & Pick<QueueOptions, 'eventCanHelp'>;
  private readonly now: () => number;

  constructor(opts: QueueOptions = {}) {
    this.o = {
      initialBackoffMs: opts.initialBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 10_000,
      maxInUnschedulableMs: opts.maxInUnschedulableMs ?? 5 * 60_000,
      unschedulableFlushIntervalMs: opts.unschedulableFlushIntervalMs ?? 30_000,
      backoffFlushIntervalMs: opts.backoffFlushIntervalMs ?? 1000,
      eventCanHelp: opts.eventCanHelp,
    };
    this.now = opts.now ?? Date.now;
    this.active = new Heap(keyOf, (a, b) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp));
    this.backoff = new Heap(keyOf, (a, b) => a.backoffExpiry < b.backoffExpiry);
  }

  /** Starts the periodic flushes. */
  run(): void {
    const every = (ms: number, f: () => void) => {
      const t = setInterval(f, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.backoffFlushIntervalMs, () => this.flushBackoffCompleted());
    every(this.o.unschedulableFlushIntervalMs, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Where a pod waits, if anywhere (for tests and diagnostics). */
  poolOf(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const info = newPodInfo(pod);
    const key = info.key;
    if (this.inFlight.has(key)) return;
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    if (existing) return this.update(existing.info.pod, pod);
    this.pushActive({ info, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), backoffExpiry: 0 });
  }

  update(oldPod: Pod, pod: Pod): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const inActive = this.active.get(key);
    if (inActive) {
      inActive.info = newPodInfo(pod);
      this.active.push(inActive);
      return;
    }
    const inBackoff = this.backoff.get(key);
    if (inBackoff) {
      inBackoff.info = newPodInfo(pod);
      this.backoff.push(inBackoff);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = isPodUpdated(oldPod, pod);
      u.info = newPodInfo(pod);
      // The user changed the pod: it may fit now.
      if (changed) {
        this.unschedulable.delete(key);
        if (u.backoffExpiry > this.now()) this.backoff.push(u);
        else this.pushActive(u);
      }
      return;
    }
    const f = this.inFlight.get(key);
    if (f) return;
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** The next pod to schedule; waits while the active pool is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.active.pop();
    if (q) return Promise.resolve(this.take(q));
    return new Promise((r) => this.waiters.push(r));
  }

  private take(q: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.now();
    this.inFlight.set(q.info.key, q);
    return q;
  }

  get cycle(): number {
    return this.schedulingCycle;
  }

  /** The pod's attempt is over (scheduled, or requeued by addUnschedulable). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  private pushActive(q: QueuedPodInfo): void {
    q.timestamp = this.now();
    const w = this.waiters.shift();
    if (w) w(this.take(q));
    else this.active.push(q);
  }

  /** Kubernetes' backoff for the pod's attempts so far: 1 s, 2 s, 4 s... capped. */
  backoffDuration(attempts: number): number {
    let d = this.o.initialBackoffMs;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d > this.o.maxBackoffMs) return this.o.maxBackoffMs;
    }
    return d;
  }

  /**
   * A failed attempt: the pod waits in unschedulable for a helpful event, or
   * in backoff when one already came during the attempt or the failure was
   * an error. `podCycle` is the cycle number the pod was popped in.
   */
  addUnschedulable(q: QueuedPodInfo, podCycle: number, opts: { error?: boolean; plugins?: Set<string>; pod?: Pod } = {}): void {
    this.inFlight.delete(q.info.key);
    if (this.closed) return;
    if (opts.pod) q.info = newPodInfo(opts.pod);
    q.unschedulablePlugins = opts.plugins ?? new Set();
    const now = this.now();
    q.timestamp = now;
    q.backoffExpiry = now + this.backoffDuration(q.attempts);
    if (opts.error || this.moveRequestCycle >= podCycle) this.backoff.push(q);
    else this.unschedulable.set(q.info.key, q);
  }

  /** A cluster event: unschedulable pods it can help go to backoff (still backing off) or active. */
  moveAllOnEvent(event: ClusterEvent): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (this.o.eventCanHelp && !this.o.eventCanHelp(event, q.unschedulablePlugins)) continue;
      this.unschedulable.delete(key);
      if (q.backoffExpiry > now) this.backoff.push(q);
      else this.pushActive(q);
    }
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const q = this.backoff.peek();
      if (!q || q.backoffExpiry > now) return;
      this.backoff.pop();
      this.pushActive(q);
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.timestamp < this.o.maxInUnschedulableMs) continue;
      this.unschedulable.delete(key);
      if (q.backoffExpiry > now) this.backoff.push(q);
      else this.pushActive(q);
    }
  }
}
