// The Job controller: informers over Jobs and pods, a workqueue of Job keys,
// and syncJob (sync.ts) per key. Pods are tied to their Job by the
// controller owner reference; the job-tracking finalizer keeps a finished
// pod until it has been counted.

import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client, ResourceHandle } from '../../client/rest.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { DEFAULT_POD_FAILURE_BACKOFF, type BackoffDurations, type BackoffRecord } from './backoff.ts';
import { realClock, Wakeups, type Clock } from '../util/clock.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { OwnWrites } from '../util/ownwrites.ts';
import { PodControl } from '../util/podcontrol.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { addIndexes, BY_CONTROLLER_UID } from '../util/indexes.ts';
import { runController, type RunningController } from '../util/run.ts';
import { syncJob, type JobSyncDeps } from './sync.ts';

export interface JobControllerOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** Pod failure backoff (Kubernetes: 10 s doubling to 10 min); tests shorten it. */
  backoff?: BackoffDurations;
  workers?: number;
  events?: EventSink;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

export class JobController {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'job' });
  private readonly expectations = new ControllerExpectations();
  private readonly lastWritten = new OwnWrites<Job>();
  private readonly wakeups: Wakeups;
  private readonly deps: JobSyncDeps;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: JobControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`job controller: ${(e as Error).message}`);
    const jobsApi = client.resource<Job>('batch/v1', 'jobs');
    const podsApi = client.resource<Pod>('v1', 'pods');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.jobs = this.informers.get<Job>('batch/v1', 'jobs', { source: jobsApi });
    this.pods = addIndexes(this.informers.get<Pod>('v1', 'pods', { source: podsApi }), BY_CONTROLLER_UID);
    const clock = opts.clock ?? realClock;
    this.wakeups = new Wakeups(clock, (key) => this.queue.add(key));
    const events = opts.events ?? clientEventSink(client, 'job-controller', { log: opts.log, now: () => clock.now() });
    this.deps = {
      jobs: jobsApi as ResourceHandle<Job>,
      pods: podsApi as ResourceHandle<Pod>,
      clock,
      events,
      expectations: this.expectations,
      podControl: new PodControl(podsApi as ResourceHandle<Pod>, events),
      backoffDurations: opts.backoff ?? DEFAULT_POD_FAILURE_BACKOFF,
      getJob: (key) => this.lastWritten.newest(key, this.jobs.get(key)),
      podsOf: (job) => this.pods.byIndex(BY_CONTROLLER_UID, job.metadata!.uid!),
      written: (key, job) => this.lastWritten.remember(key, job),
      // An earlier wake-up (a deadline before the backoff ends) is kept.
      requeueAt: (key, at) => this.wakeups.at(key, at, { earliest: true }),
      backoff: new Map<string, BackoffRecord>(),
      finalizerRemoved: new Map<string, Set<string>>(),
      log: opts.log,
    };

    this.jobs.onAdd((j) => this.queue.add(keyOf(j)));
    this.jobs.onUpdate((_, j) => this.queue.add(keyOf(j)));
    this.jobs.onDelete((j) => {
      this.lastWritten.forget(keyOf(j));
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
    const job = resolveControllerRef(this.jobs, pod.metadata?.namespace, getControllerOf(pod), 'Job');
    return job && keyOf(job);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'job controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: this.opts.workers ?? 2,
      sync: (key) => syncJob(this.deps, key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.wakeups.cancelAll();
    await this.loop?.stop();
  }
}
