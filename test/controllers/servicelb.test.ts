// The built-in load balancer through a real API server: a LoadBalancer
// Service gets the ready nodes' InternalIPs as ingress, kubectl shows it as
// EXTERNAL-IP, and a node that stops being ready drops out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';

describe('service load balancer', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const ingress = async () => ((await api('GET', '/api/v1/namespaces/default/services/web')).body.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip).join(',');
  async function node(name: string, ip: string, ready: boolean, create = false) {
    if (create) assert.equal((await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } })).status, 201);
    const r = await api('PATCH', `/api/v1/nodes/${name}/status`, { status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'KubeletReady' }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    await node('n1', '192.0.2.11', true, true);
    await node('n2', '192.0.2.12', true, true);
  });
  after(async () => cluster.stop());

  test('a LoadBalancer service gets the ready nodes as ingress, shown by kubectl', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] } });
    assert.equal(r.status, 201);
    await waitFor(async () => (await ingress()) === '192.0.2.11,192.0.2.12', 'both nodes as ingress');
    if (hasKubectl('1.32')) {
      const k = await kubectlRunner('1.32', cluster.kubeconfig)(['get', 'svc', 'web']);
      assert.equal(k.code, 0, k.stderr);
      assert.match(k.stdout, /web\s+LoadBalancer\s+10\.43\.\d+\.\d+\s+192\.0\.2\.11,192\.0\.2\.12\s+80:3\d{4}\/TCP/);
    }
  });

  test('a node that is not ready drops out', async () => {
    await node('n2', '192.0.2.12', false);
    await waitFor(async () => (await ingress()) === '192.0.2.11', 'only n1 as ingress');
  });

  test('a service changed to ClusterIP loses its ingress', async () => {
    const r = await api('PATCH', '/api/v1/namespaces/default/services/web', { spec: { type: 'ClusterIP', ports: [{ port: 80, nodePort: null }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await waitFor(async () => (await ingress()) === '', 'no ingress');
  });
});
