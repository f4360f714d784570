// A cluster for scheduler integration tests: a real API server
// (startTestCluster), hollow nodes, and the Scheduler with its own client,
// made as the control plane makes its controllers' clients.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../src/client/rest.ts';
import { startHollowNodes, type HollowNodeOptions, type HollowNodes } from '../../src/agent/hollow/hollow.ts';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';

export interface SchedulerEnv {
  cluster: TestCluster;
  client: Client;
  scheduler: Scheduler;
  nodeSets: HollowNodes[];
  addNodes(o: HollowNodeOptions): Promise<HollowNodes>;
  createPod(pod: Partial<Pod> & { metadata: { name: string } }, ns?: string): Promise<Pod>;
  getPod(name: string, ns?: string): Promise<Pod>;
  waitBound(name: string, ns?: string, timeoutMs?: number): Promise<string>;
  waitUnschedulable(name: string, ns?: string): Promise<string>;
  events(name: string, ns?: string): Promise<{ reason?: string; message?: string; type?: string; count?: number }[]>;
  stop(): Promise<void>;
}

export function pod(name: string, spec: Partial<Pod['spec']> = {}, labels?: Record<string, string>): Pod & { metadata: { name: string } } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  };
}

export const requests = (cpu: string, memory = '64Mi') => ({ containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu, memory } } }] });

export async function startSchedulerEnv(opts: SchedulerOptions = {}, nodes?: HollowNodeOptions): Promise<SchedulerEnv> {
  const cluster = await startTestCluster();
  const client = Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'skiff-scheduler' });
  const testClient = Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'scheduler-test' });
  const nodeSets: HollowNodes[] = [];
  const addNodes = async (o: HollowNodeOptions) => {
    const h = await startHollowNodes(testClient, { leaseRenewIntervalMs: 0, ...o });
    nodeSets.push(h);
    return h;
  };
  if (nodes) await addNodes(nodes);
  const scheduler = new Scheduler(client, { queue: { initialBackoffMs: 100, maxBackoffMs: 500 }, ...opts });
  await scheduler.start();
  const pods = testClient.resource<Pod>('v1', 'pods');
  const getPod = (name: string, ns = 'default') => pods.get(ns, name);
  return {
    cluster,
    client: testClient,
    scheduler,
    nodeSets,
    addNodes,
    createPod: (p, ns = 'default') => pods.create(ns, p),
    getPod,
    waitBound: async (name, ns = 'default', timeoutMs = 10_000) => waitFor(async () => (await getPod(name, ns)).spec?.nodeName, `pod ${name} to be bound`, timeoutMs, 20),
    waitUnschedulable: async (name, ns = 'default') =>
      waitFor(
        async () => {
          const c = (await getPod(name, ns)).status?.conditions?.find((x) => x.type === 'PodScheduled');
          return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
        },
        `pod ${name} to be reported Unschedulable`,
      ),
    events: async (name, ns = 'default') => (await testClient.resource('v1', 'events').list(ns, { fieldSelector: `involvedObject.name=${name}` })).items as never,
    stop: async () => {
      await scheduler.stop();
      for (const h of nodeSets) await h.stop();
      client.close();
      testClient.close();
      await cluster.stop();
    },
  };
}
