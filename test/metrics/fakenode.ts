// A node for monitoring tests: the real Agent and its HTTPS server (with a
// serving certificate from the cluster CA) over the fake runtime, on
// loopback, joined to a test cluster — what `skiff node` runs, minus runc
// and the network. Pods bound to it run, have logs and report stats.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { containerResolver } from '../../src/agent/resolver.ts';
import { AgentServer } from '../../src/agent/server/server.ts';
import { issueAgentServingCert } from '../../src/apiserver/proxy/certs.ts';
import type { Client } from '../../src/client/rest.ts';
import { FakeRuntime, type FakeRuntimeOptions } from '../../src/engine/fake/runtime.ts';

export interface FakeNode {
  name: string;
  runtime: FakeRuntime;
  agent: Agent;
  server: AgentServer;
  port: number;
  stop(): Promise<void>;
}

export async function startFakeNode(client: Client, pkiDir: string, o: { name?: string; runtime?: FakeRuntimeOptions } = {}): Promise<FakeNode> {
  const name = o.name ?? 'node-m';
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-metrics-node-'));
  const runtime = new FakeRuntime({ images: ['busybox:1.36', 'pause:3.9'], registry: ['busybox:latest', 'busybox:1.36', 'nginx:1.27'], podIPs: false, ...o.runtime });
  let agent: Agent | undefined;
  const certs = issueAgentServingCert(pkiDir, name, ['127.0.0.1']);
  const server = new AgentServer({
    runtime,
    nodeName: name,
    resolve: containerResolver(runtime, (ns, pod) => agent?.podByName(ns, pod)),
    tls: { cert: certs.cert, key: certs.key, clientCA: readFileSync(join(pkiDir, 'ca.crt'), 'utf8') },
    port: 0,
    logPollIntervalMs: 50,
  });
  const { port } = await server.start();
  agent = new Agent(client, runtime, { nodeName: name, dataDir, streamingPort: port, nodeIP: '127.0.0.1', relistIntervalMs: 100, retryMs: 200, resyncIntervalMs: 1_000 });
  await agent.start();
  const a = agent;
  return {
    name,
    runtime,
    agent: a,
    server,
    port,
    async stop() {
      await a.stop().catch(() => undefined);
      await server.stop();
      await runtime.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
