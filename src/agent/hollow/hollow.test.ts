import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../client/rest.ts';
import { startHollowNodes } from './hollow.ts';
import { startTestCluster, type TestCluster } from '../../../test/support/cluster.ts';
import { waitFor } from '../../../test/support/wait.ts';

describe('hollow nodes', () => {
  let cluster: TestCluster;
  let client: Client;
  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  test('register Ready nodes, renew their Leases, report bound pods Running and finish deletions', async () => {
    const h = await startHollowNodes(client, { count: 3, namePrefix: 'h-', capacity: { cpu: '2' }, labels: (i) => ({ zone: `z${i}` }), leaseRenewIntervalMs: 300 });
    try {
      const nodes = (await client.resource<Node>('v1', 'nodes').list(undefined)).items.filter((n) => n.metadata?.name?.startsWith('h-'));
      assert.deepEqual(nodes.map((n) => n.metadata!.name).sort(), ['h-0', 'h-1', 'h-2']);
      const n1 = nodes.find((n) => n.metadata!.name === 'h-1')!;
      assert.equal(n1.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
      assert.equal(n1.status?.allocatable?.cpu, '2');
      assert.equal(n1.metadata?.labels?.zone, 'z1');
      assert.equal(n1.metadata?.labels?.['kubernetes.io/hostname'], 'h-1');
      const leases = client.resource<Lease>('coordination.k8s.io/v1', 'leases');
      const first = (await leases.get('kube-node-lease', 'h-1')).spec!.renewTime!;
      await waitFor(async () => (await leases.get('kube-node-lease', 'h-1')).spec!.renewTime! !== first, 'the lease to be renewed', 5000);

      const pods = client.resource<Pod>('v1', 'pods');
      await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-h1' }, spec: { nodeName: 'h-1', containers: [{ name: 'c', image: 'busybox' }] } });
      const running = await waitFor(async () => {
        const p = await pods.get('default', 'on-h1');
        return p.status?.phase === 'Running' ? p : undefined;
      }, 'the pod to be Running');
      assert.match(running.status!.podIP!, /^10\.64\.1\.\d+$/);
      assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
      assert.equal(running.status?.containerStatuses?.[0]?.ready, true);
      await pods.delete('default', 'on-h1');
      await waitFor(async () => !(await pods.list('default')).items.some((p) => p.metadata?.name === 'on-h1'), 'the deletion to finish');
    } finally {
      await h.stop({ deleteNodes: true });
    }
    assert.equal((await client.resource<Node>('v1', 'nodes').list(undefined)).items.filter((n) => n.metadata?.name?.startsWith('h-')).length, 0);
  });

  test('a bad count is refused', async () => {
    await assert.rejects(startHollowNodes(client, { count: -1 }), /count must be a whole number/);
  });
});
