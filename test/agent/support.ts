// A one-node cluster for agent tests: a real API server (SQLite, TLS), a
// client, the fake runtime and an Agent with fast back-offs and relists.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { Agent, type AgentOptions } from '../../src/agent/agent.ts';
import { Client } from '../../src/client/rest.ts';
import { FakeRuntime, type FakeRuntimeOptions } from '../../src/engine/fake/runtime.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';

export const NODE = 'node-a';

export interface AgentEnv {
  cluster: TestCluster;
  client: Client;
  runtime: FakeRuntime;
  agent: Agent;
  dataDir: string;
  log: string[];
  /** A new Agent on the same runtime and data dir (after stopping the first). */
  newAgent(extra?: Partial<AgentOptions>): Agent;
  stop(): Promise<void>;
}

export const FAST: Partial<AgentOptions> = {
  backoffInitialMs: 300,
  backoffMaxMs: 2_000,
  imageBackoffInitialMs: 300,
  imageBackoffMaxMs: 2_000,
  relistIntervalMs: 100,
  retryMs: 200,
  objectCacheTTLMs: 0,
  resyncIntervalMs: 1_000,
};

export async function startAgentEnv(o: { runtime?: FakeRuntimeOptions; agent?: Partial<AgentOptions> } = {}): Promise<AgentEnv> {
  const cluster = await startTestCluster();
  const client = Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'skiff-agent-test' });
  const runtime = new FakeRuntime({ images: ['busybox:1.36', 'pause:3.9'], registry: ['busybox:latest', 'nginx:1.27', 'busybox:1.36'], ...o.runtime });
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-agent-'));
  const log: string[] = [];
  const make = (extra: Partial<AgentOptions> = {}) => new Agent(client, runtime, { nodeName: NODE, dataDir, log: (l) => log.push(l), ...FAST, ...o.agent, ...extra });
  const agent = make();
  await agent.start();
  let current = agent;
  return {
    cluster,
    client,
    runtime,
    agent,
    dataDir,
    log,
    newAgent(extra) {
      current = make(extra);
      return current;
    },
    async stop() {
      await current.stop().catch(() => undefined);
      await agent.stop().catch(() => undefined);
      await runtime.shutdown();
      client.close();
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function podSpec(name: string, spec: Partial<Pod['spec']> & object, meta: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...meta },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [], ...spec },
  };
}

export async function createPod(env: AgentEnv, pod: Pod): Promise<Pod> {
  return env.client.resource<Pod>('v1', 'pods').create(pod.metadata!.namespace ?? 'default', pod);
}

export function getPod(env: AgentEnv, name: string, ns = 'default'): Promise<Pod> {
  return env.client.resource<Pod>('v1', 'pods').get(ns, name);
}

/** Waits until the pod satisfies `cond`; the error shows the last status seen. */
export async function waitPod(env: AgentEnv, name: string, cond: (p: Pod) => boolean, what: string, timeoutMs = 10_000): Promise<Pod> {
  let last: Pod | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getPod(env, name);
        return cond(last) ? last : undefined;
      },
      `${name}: ${what}`,
      timeoutMs,
      25,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}\nagent log: ${env.log.slice(-10).join('\n')}`);
  }
}

export async function podEvents(env: AgentEnv, name: string, ns = 'default'): Promise<Event[]> {
  await env.agent.recorder.flush();
  const { items } = await env.client.resource<Event>('v1', 'events').list(ns);
  return items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'Pod').sort((a, b) => (a.firstTimestamp ?? '').localeCompare(b.firstTimestamp ?? '') || a.metadata!.name!.localeCompare(b.metadata!.name!));
}

export const running = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => !!c.state?.running);
export const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;
