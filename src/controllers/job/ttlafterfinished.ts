// The TTL-after-finished controller: a Job with spec.ttlSecondsAfterFinished
// is deleted (background propagation, so its pods go too) that many seconds
// after its Complete or Failed condition. Before deleting, the Job is read
// again from the server: its TTL may have changed since the cache saw it.

import type { Job } from 'kubernetes-types/batch/v1.js';
import { isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import { Informer, keyOf, splitKey } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { realClock, type Clock } from './clock.ts';
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
  private readonly api: ResourceHandle<Job>;
  private readonly queue = new WorkQueue<string>();
  private readonly clock: Clock;
  private readonly timers = new Map<string, () => void>();
  private running?: Promise<void>;

  constructor(
    client: Client,
    private readonly opts: { log?: (line: string) => void; clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.api = client.resource<Job>('batch/v1', 'jobs');
    this.jobs = new Informer<Job>(this.api, { onError: (e) => opts.log?.(`ttl-after-finished controller: ${(e as Error).message}`) });
    const enqueue = (j: Job) => {
      if (expiresAt(j)) this.queue.add(keyOf(j));
    };
    this.jobs.onAdd(enqueue).onUpdate((_, j) => enqueue(j));
  }

  async start(): Promise<void> {
    this.jobs.start();
    await this.jobs.waitForSync();
    this.running = runWorkers(this.queue, 1, (key) => this.sync(key), { onError: (key, e) => this.opts.log?.(`ttl-after-finished controller: ${key}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await this.jobs.stop();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    const at = cached && expiresAt(cached);
    if (!at) return;
    if (at.getTime() > this.clock.now().getTime()) return this.wakeAt(key, at);
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
    if (freshAt.getTime() > this.clock.now().getTime()) return this.wakeAt(key, freshAt);
    try {
      await this.api.delete(namespace, name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata!.uid, resourceVersion: fresh.metadata!.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private wakeAt(key: string, at: Date): void {
    this.timers.get(key)?.();
    this.timers.set(
      key,
      this.clock.at(at, () => {
        this.timers.delete(key);
        this.queue.add(key);
      }),
    );
  }
}
