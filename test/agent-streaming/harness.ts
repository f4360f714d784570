// A one-node cluster for the streaming tests: a real API server (TLS,
// SQLite), an agent HTTPS server with a serving certificate from the cluster
// CA, a Node object pointing at it, and a resolver the test fills in as it
// makes pods' containers on a runtime.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentServer } from '../../src/agent/server/server.ts';
import type { ResolvedContainer } from '../../src/agent/server/types.ts';
import { issueAgentServingCert } from '../../src/apiserver/proxy/certs.ts';
import type { Runtime } from '../../src/engine/runtime.ts';
import { apiClient } from '../support/api.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

export const NODE = 'node-1';

export interface StreamingCluster {
  cluster: TestCluster;
  agent: AgentServer;
  agentPort: number;
  api: ReturnType<typeof apiClient>;
  /** ns/pod/container → what the resolver answers; `previous` entries under `ns/pod/container#previous`; a pod's sandbox under `ns/pod/`. */
  containers: Map<string, ResolvedContainer>;
  /** Creates a Pod object bound to the node, with these containers. */
  createPod(name: string, containers: string[], extra?: { annotations?: Record<string, string>; phase?: string }): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamingCluster(runtime: Runtime): Promise<StreamingCluster> {
  const cluster = await startTestCluster();
  const pki = join(cluster.dataDir, 'pki');
  const serving = issueAgentServingCert(pki, NODE, ['127.0.0.1']);
  const containers = new Map<string, ResolvedContainer>();
  const agent = new AgentServer({
    runtime,
    nodeName: NODE,
    tls: { ...serving, clientCA: readFileSync(join(pki, 'ca.crt'), 'utf8') },
    port: 0,
    logPollIntervalMs: 50,
    resolve: async (ns, pod, container, previous) => containers.get(`${ns}/${pod}/${container}${previous ? '#previous' : ''}`),
  });
  const { port } = await agent.start();
  const api = apiClient(cluster.kubeconfig);
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } } };
  const created = await api('POST', '/api/v1/nodes', node);
  if (created.status !== 201) throw new Error(`creating the node: ${created.text}`);
  const status = {
    ...created.body,
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE }], daemonEndpoints: { kubeletEndpoint: { Port: port } }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] },
  };
  const st = await api('PUT', `/api/v1/nodes/${NODE}/status`, status);
  if (st.status !== 200) throw new Error(`writing the node's status: ${st.text}`);
  return {
    cluster,
    agent,
    agentPort: port,
    api,
    containers,
    async createPod(name, names, extra = {}) {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', annotations: extra.annotations },
        spec: { nodeName: NODE, containers: names.map((n) => ({ name: n, image: 'busybox' })) },
      };
      const r = await api('POST', '/api/v1/namespaces/default/pods', pod);
      if (r.status !== 201) throw new Error(`creating pod ${name}: ${r.text}`);
      const running = {
        ...r.body,
        status: {
          phase: extra.phase ?? 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: names.map((n) => ({ name: n, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: new Date().toISOString() } } })),
        },
      };
      const s = await api('PUT', `/api/v1/namespaces/default/pods/${name}/status`, running);
      if (s.status !== 200) throw new Error(`pod ${name} status: ${s.text}`);
    },
    async stop() {
      await agent.stop();
      await cluster.stop();
    },
  };
}
