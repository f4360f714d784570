// The Job controller: informers over Jobs and pods, a workqueue of Job keys,
// and syncJob (sync.ts) per key. Pods are tied to their Job by the
// controller owner reference; the job-tracking finalizer keeps a finished
// pod until it has been counted.

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client, ResourceHandle } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { DEFAULT_POD_FAILURE_BACKOFF, type BackoffDurations, type BackoffRecord } from './backoff.ts';
import { realClock, type Clock } from './clock.ts';
import { EventWriter, type EventSink } from './events.ts';
import { Expectations } from './expectations.ts';
import { controllerUID } from './pods.ts';
import { syncJob, type JobSyncDeps } from './sync.ts';

export interface JobControllerOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** Pod failure backoff (Kubernetes: 10 s doubling to 10 min); tests shorten it. */
  backoff?: BackoffDurations;
  workers?: number;
  events?: EventSink;
}

const BY_CONTROLLER = 'controller-uid';

export class JobController {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly queue = new WorkQueue<string>();
  private readonly expectations = new Expectations();
  private readonly lastWritten = new Map<string, Job>();
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();
  private readonly deps: JobSyncDeps;
  private running?: Promise<void>;

  constructor(
    client: Client,
    private readonly opts: JobControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`job controller: ${(e as Error).message}`);
    const jobsApi = client.resource<Job>('batch/v1', 'jobs');
    const podsApi = client.resource<Pod>('v1', 'pods');
    this.jobs = new Informer<Job>(jobsApi, { onError });
    this.pods = new Informer<Pod>(podsApi, { onError }).addIndex(BY_CONTROLLER, (p) => {
      const uid = controllerUID(p);
      return uid ? [uid] : [];
    });
    const clock = opts.clock ?? realClock;
    this.deps = {
      jobs: jobsApi as ResourceHandle<Job>,
      pods: podsApi as ResourceHandle<Pod>,
      clock,
      events: opts.events ?? new EventWriter(client, 'job-controller', { log: opts.log, clock }),
      expectations: this.expectations,
      backoffDurations: opts.backoff ?? DEFAULT_POD_FAILURE_BACKOFF,
      getJob: (key) => this.getJob(key),
      podsOf: (job) => this.pods.byIndex(BY_CONTROLLER, job.metadata!.uid!),
      written: (key, job) => this.lastWritten.set(key, job),
      requeueAt: (key, at) => this.requeueAt(key, at),
      backoff: new Map<string, BackoffRecord>(),
      finalizerRemoved: new Map<string, Set<string>>(),
      log: opts.log,
    };

    this.jobs.onAdd((j) => this.queue.add(keyOf(j)));
    this.jobs.onUpdate((_, j) => this.queue.add(keyOf(j)));
    this.jobs.onDelete((j) => {
      this.lastWritten.delete(keyOf(j));
      this.queue.add(keyOf(j));
    });
    this.pods.onAdd((p) => {
      const key = this.jobKeyOf(p);
      if (!key) return;
      this.expectations.creationObserved(key);
      if (p.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, p.metadata.uid!);
      this.queue.add(key);
    });
    this.pods.onUpdate((old, p) => {
      const key = this.jobKeyOf(p);
      const oldKey = this.jobKeyOf(old);
      if (oldKey && oldKey !== key) this.queue.add(oldKey);
      if (!key) return;
      if (p.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, p.metadata.uid!);
      this.queue.add(key);
    });
    this.pods.onDelete((p) => {
      const key = this.jobKeyOf(p);
      if (!key) return;
      this.expectations.deletionObserved(key, p.metadata!.uid!);
      this.queue.add(key);
    });
  }

  /** The key of the Job that controls the pod, if that Job is known. */
  private jobKeyOf(pod: Pod): string | undefined {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!ref || ref.kind !== 'Job') return undefined;
    return `${pod.metadata!.namespace}/${ref.name}`;
  }

  private getJob(key: string): Job | undefined {
    const cached = this.jobs.get(key);
    const mine = this.lastWritten.get(key);
    if (!cached) return undefined;
    if (!mine || mine.metadata?.uid !== cached.metadata?.uid) return cached;
    // Our own status write may be newer than what the watch has delivered.
    return Number(mine.metadata?.resourceVersion) > Number(cached.metadata?.resourceVersion) ? mine : cached;
  }

  private requeueAt(key: string, at: Date): void {
    const t = at.getTime();
    const existing = this.timers.get(key);
    if (existing && existing.at <= t && existing.at > this.deps.clock.now().getTime()) return;
    existing?.cancel();
    const cancel = this.deps.clock.at(at, () => {
      this.timers.delete(key);
      this.queue.add(key);
    });
    this.timers.set(key, { at: t, cancel });
  }

  async start(): Promise<void> {
    this.jobs.start();
    this.pods.start();
    await Promise.all([this.jobs.waitForSync(), this.pods.waitForSync()]);
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (key) => syncJob(this.deps, key), {
      onError: (key, e) => this.opts.log?.(`job controller: ${key}: ${(e as Error).message}`),
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.all([this.jobs.stop(), this.pods.stop()]);
    await this.queue.shutDown();
    await this.running;
  }
}
