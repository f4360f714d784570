// Monitoring in the control plane process: one registry behind the API
// server's /metrics (request, storage, workqueue, scheduler and process
// series), the metrics.k8s.io provider, and the routes and hooks the
// ApiServer takes. The dashboard's routes are added by the caller.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../api/errors.ts';
import type { KubeletClientConfig } from '../apiserver/proxy/locate.ts';
import type { Client } from '../client/rest.ts';
import { setWorkQueueMetricsProvider } from '../client/workqueue.ts';
import type { Store } from '../storage/store.ts';
import { ApiServerMetrics } from './apiserver.ts';
import { newRegistry, serveMetrics } from './registry.ts';
import { metricsAPIRoute, METRICS_GROUP } from './resource/api.ts';
import { ResourceMetricsProvider } from './resource/provider.ts';
import { SchedulerMetrics } from './scheduler.ts';
import { WorkQueueMetricsRegistry } from './workqueue.ts';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface ControlPlaneMonitoringOptions {
  store: Store;
  /** How the metrics.k8s.io provider reaches agents; absent: that API answers 503. */
  kubelet?: KubeletClientConfig;
  /** metrics.k8s.io resolution (default 15 s). */
  resolutionMs?: number;
  log?: (line: string) => void;
}

export class ControlPlaneMonitoring {
  readonly registry = newRegistry();
  readonly apiserver: ApiServerMetrics;
  readonly workqueues: WorkQueueMetricsRegistry;
  /** For the scheduler to record into (see src/metrics/scheduler.ts). */
  readonly scheduler: SchedulerMetrics;
  provider?: ResourceMetricsProvider;

  constructor(private readonly o: ControlPlaneMonitoringOptions) {
    this.apiserver = new ApiServerMetrics(this.registry, o.store);
    this.workqueues = new WorkQueueMetricsRegistry(this.registry);
    this.scheduler = new SchedulerMetrics(this.registry);
    // Controllers built after this in the process report their named queues here.
    setWorkQueueMetricsProvider(this.workqueues);
  }

  /** The ApiServer's onResponse hook. */
  readonly onResponse = (req: IncomingMessage, res: ServerResponse, url: URL, seconds: number): void => this.apiserver.observe(req, res, url, seconds);

  /** /metrics and /apis/metrics.k8s.io, for the ApiServer's `routes` (both behind authentication). */
  routes(): Record<string, Route> {
    const metricsAPI = (req: IncomingMessage, res: ServerResponse, url: URL) => {
      if (!this.provider) throw errors.serviceUnavailable(`the ${METRICS_GROUP} API is not available yet: the metrics provider has not started`);
      return metricsAPIRoute(this.provider)(req, res, url);
    };
    return {
      '/metrics': (req, res) => serveMetrics(this.registry, req, res),
      [`/apis/${METRICS_GROUP}`]: metricsAPI,
    };
  }

  /** Starts the metrics.k8s.io provider with a client of the running API server. */
  async start(client: Client): Promise<void> {
    if (!this.o.kubelet) return;
    this.provider = new ResourceMetricsProvider({ client, kubelet: this.o.kubelet, resolutionMs: this.o.resolutionMs, log: this.o.log });
    await this.provider.start();
  }

  async stop(): Promise<void> {
    await this.provider?.stop();
  }
}
