// The CronJob controller: informers over CronJobs and Jobs (indexed by their
// controlling CronJob), a workqueue of CronJob keys, syncCronJob per key, and
// a wake-up at each CronJob's next start time on the controller's clock
// (injectable, so tests step a fake clock instead of waiting for minutes).

import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Client } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { realClock, type Clock } from '../job/clock.ts';
import { EventWriter, type EventSink } from '../job/events.ts';
import { controllerUID } from '../job/pods.ts';
import { syncCronJob, type CronJobSyncDeps } from './sync.ts';

const BY_CONTROLLER = 'controller-uid';

export interface CronJobControllerOptions {
  log?: (line: string) => void;
  clock?: Clock;
  events?: EventSink;
}

export class CronJobController {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly queue = new WorkQueue<string>();
  private readonly lastWritten = new Map<string, CronJob>();
  private readonly timers = new Map<string, () => void>();
  private readonly deps: CronJobSyncDeps;
  private running?: Promise<void>;

  constructor(
    client: Client,
    private readonly opts: CronJobControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`cronjob controller: ${(e as Error).message}`);
    const cronJobsApi = client.resource<CronJob>('batch/v1', 'cronjobs');
    const jobsApi = client.resource<Job>('batch/v1', 'jobs');
    this.cronJobs = new Informer<CronJob>(cronJobsApi, { onError });
    this.jobs = new Informer<Job>(jobsApi, { onError }).addIndex(BY_CONTROLLER, (j) => {
      const uid = controllerUID(j);
      return uid ? [uid] : [];
    });
    const clock = opts.clock ?? realClock;
    this.deps = {
      cronJobs: cronJobsApi,
      jobs: jobsApi,
      clock,
      events: opts.events ?? new EventWriter(client, 'cronjob-controller', { log: opts.log, clock }),
      getCronJob: (key) => {
        const cached = this.cronJobs.get(key);
        const mine = this.lastWritten.get(key);
        if (!cached || !mine || mine.metadata?.uid !== cached.metadata?.uid) return cached;
        return Number(mine.metadata?.resourceVersion) > Number(cached.metadata?.resourceVersion) ? mine : cached;
      },
      jobsOf: (cj) => this.jobs.byIndex(BY_CONTROLLER, cj.metadata!.uid!),
      written: (key, cj) => this.lastWritten.set(key, cj),
    };
    this.cronJobs.onAdd((cj) => this.queue.add(keyOf(cj)));
    this.cronJobs.onUpdate((_, cj) => this.queue.add(keyOf(cj)));
    this.cronJobs.onDelete((cj) => {
      const key = keyOf(cj);
      this.lastWritten.delete(key);
      this.timers.get(key)?.();
      this.timers.delete(key);
    });
    const enqueueOwner = (j: Job) => {
      const ref = j.metadata?.ownerReferences?.find((r) => r.controller);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata!.namespace}/${ref.name}`);
    };
    this.jobs.onAdd(enqueueOwner).onUpdate((_, j) => enqueueOwner(j)).onDelete(enqueueOwner);
  }

  async start(): Promise<void> {
    this.cronJobs.start();
    this.jobs.start();
    await Promise.all([this.cronJobs.waitForSync(), this.jobs.waitForSync()]);
    this.running = runWorkers(this.queue, 2, (key) => this.sync(key), { onError: (key, e) => this.opts.log?.(`cronjob controller: ${key}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await Promise.all([this.cronJobs.stop(), this.jobs.stop()]);
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const next = await syncCronJob(this.deps, key);
    this.timers.get(key)?.();
    this.timers.delete(key);
    if (next) {
      this.timers.set(
        key,
        this.deps.clock.at(next, () => {
          this.timers.delete(key);
          this.queue.add(key);
        }),
      );
    }
  }
}
