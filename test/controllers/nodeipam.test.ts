// Node IPAM through a real API server: each node gets its own pod CIDR, a
// deleted node's CIDR goes to the next node, and a CIDR already on a node is
// respected.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';

describe('node IPAM', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const node = (name: string, podCIDR?: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
  const cidrOf = async (name: string) => (await api('GET', `/api/v1/nodes/${name}`)).body.spec?.podCIDR as string | undefined;

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => cluster.stop());

  test('nodes get distinct /24s of 10.42.0.0/16, skipping one already taken', async () => {
    assert.equal((await api('POST', '/api/v1/nodes', node('pre', '10.42.0.0/24'))).status, 201);
    for (const n of ['a', 'b']) assert.equal((await api('POST', '/api/v1/nodes', node(n))).status, 201);
    const a = await waitFor(() => cidrOf('a'), 'node a to get a CIDR');
    const b = await waitFor(() => cidrOf('b'), 'node b to get a CIDR');
    assert.deepEqual([a, b].sort(), ['10.42.1.0/24', '10.42.2.0/24']);
    assert.deepEqual((await api('GET', '/api/v1/nodes/a')).body.spec.podCIDRs, [a]);
    assert.equal(await cidrOf('pre'), '10.42.0.0/24');
  });

  test("a deleted node's CIDR is given to the next node", async () => {
    const freed = await cidrOf('a');
    assert.equal((await api('DELETE', '/api/v1/nodes/a')).status, 200);
    assert.equal((await api('POST', '/api/v1/nodes', node('c'))).status, 201);
    assert.equal(await waitFor(() => cidrOf('c'), 'node c to get a CIDR'), freed);
  });
});
