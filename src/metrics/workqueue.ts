// client-go's workqueue metrics over prom-client, for the WorkQueue hook in
// src/client/workqueue.ts: workqueue_depth, workqueue_adds_total,
// workqueue_queue_duration_seconds, workqueue_work_duration_seconds and
// workqueue_retries_total, each labelled with the queue's name.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkQueueMetrics, WorkQueueMetricsProvider } from '../client/workqueue.ts';

/** client-go: prometheus.ExponentialBuckets(10e-9, 10, 10). */
const DURATION_BUCKETS = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

export class WorkQueueMetricsRegistry implements WorkQueueMetricsProvider {
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly latency: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;

  constructor(registry: Registry) {
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [registry] });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: [registry] });
    this.latency = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.', labelNames: ['name'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: [registry] });
  }

  forQueue<K>(name: string): WorkQueueMetrics<K> {
    const labels = { name };
    // Series exist from the start (client-go registers them with the queue), at zero.
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    const added = new Map<K, number>();
    const started = new Map<K, number>();
    const now = () => performance.now() / 1000;
    return {
      add: (key) => {
        this.adds.inc(labels);
        this.depth.inc(labels);
        if (!added.has(key)) added.set(key, now());
      },
      get: (key) => {
        this.depth.dec(labels);
        const t = added.get(key);
        if (t !== undefined) this.latency.observe(labels, now() - t);
        added.delete(key);
        started.set(key, now());
      },
      done: (key) => {
        const t = started.get(key);
        if (t !== undefined) this.workDuration.observe(labels, now() - t);
        started.delete(key);
      },
      retry: () => this.retries.inc(labels),
    };
  }
}
