// The CronJob controller: informers over CronJobs and Jobs (indexed by their
// controlling CronJob), a workqueue of CronJob keys, syncCronJob per key, and
// a wake-up at each CronJob's next start time on the controller's clock
// (injectable, so tests step a fake clock instead of waiting for minutes).

import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Client } from '../../client/rest.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { realClock, Wakeups, type Clock } from '../util/clock.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { getControllerOf, resolveControllerRef } from '../util/controllerref.ts';
import { addIndexes, BY_CONTROLLER_UID } from '../util/indexes.ts';
import { OwnWrites } from '../util/ownwrites.ts';
import { runController, type RunningController } from '../util/run.ts';
import { syncCronJob, type CronJobSyncDeps } from './sync.ts';

export interface CronJobControllerOptions {
  log?: (line: string) => void;
  clock?: Clock;
  events?: EventSink;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

export class CronJobController {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'cronjob' });
  private readonly lastWritten = new OwnWrites<CronJob>();
  private readonly wakeups: Wakeups;
  private readonly deps: CronJobSyncDeps;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: CronJobControllerOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`cronjob controller: ${(e as Error).message}`);
    const cronJobsApi = client.resource<CronJob>('batch/v1', 'cronjobs');
    const jobsApi = client.resource<Job>('batch/v1', 'jobs');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.cronJobs = this.informers.get<CronJob>('batch/v1', 'cronjobs', { source: cronJobsApi });
    this.jobs = addIndexes(this.informers.get<Job>('batch/v1', 'jobs', { source: jobsApi }), BY_CONTROLLER_UID);
    const clock = opts.clock ?? realClock;
    this.wakeups = new Wakeups(clock, (key) => this.queue.add(key));
    this.deps = {
      cronJobs: cronJobsApi,
      jobs: jobsApi,
      clock,
      events: opts.events ?? clientEventSink(client, 'cronjob-controller', { log: opts.log, now: () => clock.now() }),
      getCronJob: (key) => this.lastWritten.newest(key, this.cronJobs.get(key)),
      jobsOf: (cj) => this.jobs.byIndex(BY_CONTROLLER_UID, cj.metadata!.uid!),
      written: (key, cj) => this.lastWritten.remember(key, cj),
    };
    this.cronJobs.onAdd((cj) => this.queue.add(keyOf(cj)));
    this.cronJobs.onUpdate((_, cj) => this.queue.add(keyOf(cj)));
    this.cronJobs.onDelete((cj) => {
      const key = keyOf(cj);
      this.lastWritten.forget(key);
      this.wakeups.cancel(key);
    });
    const enqueueOwner = (j: Job) => {
      const cj = resolveControllerRef(this.cronJobs, j.metadata?.namespace, getControllerOf(j), 'CronJob');
      if (cj) this.queue.add(keyOf(cj));
    };
    this.jobs.onAdd(enqueueOwner).onUpdate((_, j) => enqueueOwner(j)).onDelete(enqueueOwner);
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'cronjob controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: 2,
      sync: (key) => this.sync(key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.wakeups.cancelAll();
    await this.loop?.stop();
  }

  private async sync(key: string): Promise<void> {
    const next = await syncCronJob(this.deps, key);
    if (next) this.wakeups.at(key, next);
    else this.wakeups.cancel(key);
  }
}
