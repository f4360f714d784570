// The prober: one worker per (running container instance, probe type),
// the kubelet's prober workers. Results are per container id, so a restart
// starts afresh: readiness starts failed, startup starts not-started,
// liveness starts healthy. A result flips only after successThreshold /
// failureThreshold consecutive outcomes; every failed attempt records an
// Unhealthy event. A flip tells the pod's worker (readiness feeds status,
// a failed liveness or startup probe makes the worker restart the container).

import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus, Runtime } from '../../engine/runtime.ts';
import type { EventRecorder } from '../../client/events.ts';
import { podRef } from '../refs.ts';
import { runAction } from './actions.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

const TITLE: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

interface Worker {
  uid: string;
  containerId: string;
  type: ProbeType;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  successes: number;
  failures: number;
}

export interface ProbeManagerOptions {
  runtime: Runtime;
  recorder: EventRecorder;
  /** A result changed for a container of this pod. */
  onChange: (uid: string) => void;
  log?: (line: string) => void;
  userAgent?: string;
}

export class ProbeManager {
  /** containerId → result, for each probe type. */
  private readonly ready = new Map<string, boolean>();
  private readonly started = new Map<string, boolean>();
  private readonly liveFailed = new Map<string, boolean>();
  private readonly workers = new Map<string, Worker>();
  private closed = false;

  constructor(private readonly o: ProbeManagerOptions) {}

  private probeOf(c: Container, type: ProbeType): Probe | undefined {
    return type === 'liveness' ? c.livenessProbe : type === 'readiness' ? c.readinessProbe : c.startupProbe;
  }

  /** Whether the container instance passed its startup probe (or has none). */
  isStarted(c: Container, id: string): boolean {
    return !c.startupProbe || this.started.get(id) === true;
  }

  /** Whether the container instance is ready: started and its readiness probe passing (or none). */
  isReady(c: Container, id: string): boolean {
    if (!this.isStarted(c, id)) return false;
    return !c.readinessProbe || this.ready.get(id) === true;
  }

  livenessFailed(id: string): boolean {
    return this.liveFailed.get(id) === true;
  }

  startupFailed(id: string): boolean {
    return this.started.get(id) === false;
  }

  /**
   * Runs workers for the pod's running containers that have probes, and
   * stops those of instances no longer running.
   */
  sync(pod: Pod, running: { container: Container; status: ContainerStatus }[], sandboxId: string | undefined, podIP: string): void {
    if (this.closed) return;
    const uid = pod.metadata!.uid!;
    const want = new Set<string>();
    for (const { container, status } of running) {
      for (const type of ['startup', 'liveness', 'readiness'] as ProbeType[]) {
        const probe = this.probeOf(container, type);
        if (!probe || !sandboxId) continue;
        const key = `${status.id}/${type}`;
        want.add(key);
        if (this.workers.has(key)) continue;
        const w: Worker = { uid, containerId: status.id, type, stopped: false, successes: 0, failures: 0 };
        this.workers.set(key, w);
        const delay = Math.max(0, (probe.initialDelaySeconds ?? 0) * 1000 - (Date.now() - status.startedAt));
        this.schedule(w, delay, () => this.tick(w, pod, container, probe, sandboxId, podIP));
      }
    }
    for (const [key, w] of this.workers) {
      if (w.uid === uid && !want.has(key)) this.stopWorker(key, w);
    }
  }

  private schedule(w: Worker, ms: number, fn: () => Promise<void>): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void fn(), ms);
    w.timer.unref();
  }

  private stopWorker(key: string, w: Worker): void {
    w.stopped = true;
    clearTimeout(w.timer);
    this.workers.delete(key);
    this.ready.delete(w.containerId);
    this.started.delete(w.containerId);
    this.liveFailed.delete(w.containerId);
  }

  private async tick(w: Worker, pod: Pod, c: Container, probe: Probe, sandboxId: string, podIP: string): Promise<void> {
    if (w.stopped) return;
    const period = (probe.periodSeconds ?? 10) * 1000;
    // Liveness and readiness wait for the startup probe.
    if (w.type !== 'startup' && !this.isStarted(c, w.containerId)) return this.schedule(w, period, () => this.tick(w, pod, c, probe, sandboxId, podIP));
    // A startup probe that succeeded is done; one that failed waits for the restart.
    if (w.type === 'startup' && this.started.has(w.containerId)) return;
    if (w.type === 'liveness' && this.liveFailed.get(w.containerId)) return;
    const out = await runAction(probe, { runtime: this.o.runtime, containerId: w.containerId, sandboxId, podIP, container: c, timeoutMs: (probe.timeoutSeconds ?? 1) * 1000, userAgent: this.o.userAgent });
    if (w.stopped) return;
    if (out.result === 'success') {
      w.successes++;
      w.failures = 0;
    } else {
      w.failures++;
      w.successes = 0;
      this.o.recorder.event(podRef(pod, c.name), 'Warning', 'Unhealthy', `${TITLE[w.type]} probe failed: ${out.output}`);
    }
    const successThreshold = w.type === 'readiness' ? (probe.successThreshold ?? 1) : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    let changed = false;
    const set = (m: Map<string, boolean>, v: boolean) => {
      if (m.get(w.containerId) !== v) {
        m.set(w.containerId, v);
        changed = true;
      }
    };
    if (w.type === 'readiness') {
      if (w.successes >= successThreshold) set(this.ready, true);
      else if (w.failures >= failureThreshold) set(this.ready, false);
      else if (!this.ready.has(w.containerId)) this.ready.set(w.containerId, false);
    } else if (w.type === 'startup') {
      if (w.successes >= 1) set(this.started, true);
      else if (w.failures >= failureThreshold) set(this.started, false);
    } else {
      if (w.failures >= failureThreshold) set(this.liveFailed, true);
    }
    if (changed) this.o.onChange(w.uid);
    this.schedule(w, period, () => this.tick(w, pod, c, probe, sandboxId, podIP));
  }

  /** Stops every worker of the pod. */
  removePod(uid: string): void {
    for (const [key, w] of this.workers) if (w.uid === uid) this.stopWorker(key, w);
  }

  /** The container was killed on purpose (liveness restart): forget its results. */
  forgetContainer(id: string): void {
    for (const [key, w] of this.workers) if (w.containerId === id) this.stopWorker(key, w);
  }

  close(): void {
    this.closed = true;
    for (const [key, w] of this.workers) this.stopWorker(key, w);
  }
}
