// The scheduler as its own process for bench/scheduler (as kube-scheduler
// is): started with a kubeconfig, answers "stats" with its counters and
// memory, and stops on "stop".

import { Client } from '../../src/client/rest.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';

const kubeconfig = process.argv[2];
if (!kubeconfig) throw new Error('usage: child.mts KUBECONFIG');
const client = Client.fromKubeconfig(kubeconfig, { userAgent: 'skiff-scheduler' });
const scheduler = new Scheduler(client, { log: (l) => console.error(l) });
await scheduler.start();
process.send!({ type: 'ready' });
process.on('message', async (m: { type: string }) => {
  if (m.type === 'stats') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const mem = process.memoryUsage();
    process.send!({ type: 'stats', stats: scheduler.stats, cached: scheduler.cache.podCount, nodes: scheduler.cache.nodeCount, rssMB: mem.rss / 2 ** 20, heapMB: mem.heapUsed / 2 ** 20, queue: scheduler.queue.counts, eventsDropped: scheduler.events.dropped });
  } else if (m.type === 'stop') {
    await scheduler.stop();
    client.close();
    process.exit(0);
  }
});
