// How a controller in this folder runs: start its informers, wait until
// every cache has synced (shared informers, started by their owner, are only
// waited for), then run workers over its queue (client/controller.ts: an
// error requeues the key with backoff and is logged with the controller's
// name). stop() undoes it in order: informers, queue, workers.

import { runWorkers } from '../../client/controller.ts';
import type { Informer } from '../../client/informer.ts';
import type { WorkQueue } from '../../client/workqueue.ts';
import { errorMessage } from './podcontrol.ts';

export interface RunningController {
  stop(): Promise<void>;
}

export interface RunControllerOptions<K> {
  /** How log lines start, e.g. "job controller". */
  name: string;
  /** Informers this controller owns: started here and stopped by stop(). */
  informers: Informer<any>[];
  /** Informers shared with others: waited for, never started or stopped here. */
  shared?: Informer<any>[];
  queue: WorkQueue<K>;
  workers: number;
  sync: (key: K) => Promise<void>;
  log?: (line: string) => void;
}

export async function runController<K>(o: RunControllerOptions<K>): Promise<RunningController> {
  for (const i of o.informers) i.start();
  await Promise.all([...o.informers, ...(o.shared ?? [])].map((i) => i.waitForSync()));
  const workers = runWorkers(o.queue, o.workers, o.sync, { onError: (key, e) => o.log?.(`${o.name}: ${String(key)}: ${errorMessage(e)}`) });
  return {
    stop: async () => {
      await Promise.all(o.informers.map((i) => i.stop()));
      await o.queue.shutDown();
      await workers;
    },
  };
}
