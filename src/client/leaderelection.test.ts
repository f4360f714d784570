import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { Client } from './rest.ts';
import { LeaderElector } from './leaderelection.ts';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';
import { waitFor } from '../../test/support/wait.ts';

describe('leader election on a Lease', () => {
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
  const fast = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
  const lease = () => client.resource<Lease>('coordination.k8s.io/v1', 'leases').get('kube-system', 'test-lock');

  test('one of two candidates leads; the other takes over only after the leader stops renewing', async () => {
    const events: string[] = [];
    const a = new LeaderElector(client, { namespace: 'kube-system', name: 'test-lock', identity: 'a', ...fast, releaseOnCancel: false, onStartedLeading: () => events.push('a+'), onStoppedLeading: () => events.push('a-') }).start();
    await waitFor(() => a.isLeader, 'a to lead', 5000);
    const b = new LeaderElector(client, { namespace: 'kube-system', name: 'test-lock', identity: 'b', ...fast, onStartedLeading: () => events.push('b+') }).start();
    // Through several renewals b stays a candidate.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(b.isLeader, false);
    const l1 = await lease();
    assert.equal(l1.spec?.holderIdentity, 'a');
    assert.equal(l1.spec?.leaseDurationSeconds, 2);
    assert.equal(l1.spec?.leaseTransitions, 0);
    assert.match(l1.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // a dies without releasing: b waits out the lease, then takes it.
    await a.stop();
    await waitFor(() => b.isLeader, 'b to take over', 6000);
    const l2 = await lease();
    assert.equal(l2.spec?.holderIdentity, 'b');
    assert.equal(l2.spec?.leaseTransitions, 1);
    assert.notEqual(l2.spec?.acquireTime, l1.spec?.acquireTime);
    // b releases on stop: the holder is cleared so a successor need not wait.
    await b.stop();
    assert.equal((await lease()).spec?.holderIdentity, undefined);
    assert.deepEqual(events, ['a+', 'a-', 'b+']);
  });

  test('options must leave room to renew', () => {
    assert.throws(() => new LeaderElector(client, { namespace: 'x', name: 'y', leaseDurationMs: 1000, renewDeadlineMs: 1000 }), /leaseDuration must be greater than renewDeadline/);
  });
});
