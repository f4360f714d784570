// The TTL-after-finished controller: a Job with spec.ttlSecondsAfterFinished
// is deleted (background propagation, so its pods go too) that many seconds
// after its Complete or Failed condition. Before deleting, the Job is read
// again from the server: its TTL may have changed since the cache saw it.

import type { Job } from 'kubernetes-types/batch/v1.js';
import { isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import { keyOf, splitKey, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { realClock, Wakeups, type Clock } from '../util/clock.ts';
import { runController, type RunningController } from '../util/run.ts';
import { finishedAt, isFinished } from './conditions.ts';

/** When the finished Job expires, or undefined when it has no TTL or has not finished. */
export function expiresAt(job: Job): Date | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata?.deletionTimestamp || !isFinished(job)) return undefined;
  const at = finishedAt(job);
  return at ? new Date(at.getTime() + ttl * 1000) : undefined;
}

export class TTLAfterFinishedController {
  private readonly jobs: Informer<Job>;
  private readonly informers: ControllerInformers;
  private readonly api: ResourceHandle<Job>;
  private readonly queue = new WorkQueue<string>({ name: 'ttl_jobs_to_delete' });
  private readonly clock: Clock;
  private readonly wakeups: Wakeups;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: { log?: (line: string) => void; clock?: Clock; informers?: InformerFactory } = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.wakeups = new Wakeups(this.clock, (key) => this.queue.add(key));
    this.api = client.resource<Job>('batch/v1', 'jobs');
    this.informers = new ControllerInformers(client, opts.informers, (e) => opts.log?.(`ttl-after-finished controller: ${(e as Error).message}`));
    this.jobs = this.informers.get<Job>('batch/v1', 'jobs', { source: this.api });
    const enqueue = (j: Job) => {
      if (expiresAt(j)) this.queue.add(keyOf(j));
    };
    this.jobs.onAdd(enqueue).onUpdate((_, j) => enqueue(j));
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'ttl-after-finished controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: 1,
      sync: (key) => this.sync(key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.wakeups.cancelAll();
    await this.loop?.stop();
  }

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    const at = cached && expiresAt(cached);
    if (!at) return;
    if (at.getTime() > this.clock.now().getTime()) return this.wakeups.at(key, at);
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = await this.api.get(namespace, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const freshAt = expiresAt(fresh);
    if (!freshAt) return;
    if (freshAt.getTime() > this.clock.now().getTime()) return this.wakeups.at(key, freshAt);
    try {
      await this.api.delete(namespace, name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata!.uid, resourceVersion: fresh.metadata!.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
