// Two controller managers on one API server: only the one holding the
// kube-controller-manager Lease runs controllers; when it stops, the other
// takes over.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { Client } from '../../src/client/rest.ts';
import { ControllerManager } from '../../src/controllers/manager.ts';

describe('controller manager leader election', () => {
  let cluster: TestCluster;
  const clients: Client[] = [];
  const le = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 };
  const manager = (id: string) => {
    const client = Client.fromKubeconfig(cluster.kubeconfig);
    clients.push(client);
    return new ControllerManager({ client, dataDir: cluster.dataDir }, ['cronjob', 'ttlafterfinished'], { leaderElection: { ...le, identity: id } });
  };

  before(async () => (cluster = await startTestCluster()));
  after(async () => {
    for (const c of clients) c.close();
    await cluster.stop();
  });

  test('one leads, the other waits, and takes over when the leader stops', async () => {
    const a = manager('a');
    await a.start();
    assert.equal(await a.waitLeading(5000), true);
    assert.equal(a.active, true);
    const b = manager('b');
    await b.start();
    assert.equal(await b.waitLeading(800), false);
    assert.equal(b.active, false);
    const lease = (await clients[0]!.resource('coordination.k8s.io/v1', 'leases').get('kube-system', 'kube-controller-manager')) as { spec: { holderIdentity: string } };
    assert.equal(lease.spec.holderIdentity, 'a');
    await a.stop();
    assert.equal(a.active, false);
    await waitFor(() => b.active, 'b to take over', 5000);
    await b.stop();
  });
});
