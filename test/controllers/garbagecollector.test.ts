import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';

describe('garbage collector', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const cms = '/api/v1/namespaces/default/configmaps';
  const cm = (name: string, owners: { name: string; uid: string }[] = []) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ownerReferences: owners.length ? owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', ...o })) : undefined },
  });

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => cluster.stop());

  test('a dependent whose owner never existed (or has another uid) is deleted', async () => {
    assert.equal((await api('POST', cms, cm('real'))).status, 201);
    assert.equal((await api('POST', cms, cm('dangling', [{ name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }]))).status, 201);
    assert.equal((await api('POST', cms, cm('wrong-uid', [{ name: 'real', uid: '11111111-1111-1111-1111-111111111111' }]))).status, 201);
    await waitFor(async () => (await api('GET', `${cms}/dangling`)).status === 404, 'the dangling dependent to be collected');
    await waitFor(async () => (await api('GET', `${cms}/wrong-uid`)).status === 404, 'the dependent naming a stale uid to be collected');
    assert.equal((await api('GET', `${cms}/real`)).status, 200);
  });

  test('a dependent with a surviving owner is kept when another owner goes', async () => {
    const a = (await api('POST', cms, cm('owner-a'))).body;
    const b = (await api('POST', cms, cm('owner-b'))).body;
    const dep = await api('POST', cms, cm('shared', [{ name: 'owner-a', uid: a.metadata.uid }, { name: 'owner-b', uid: b.metadata.uid }]));
    assert.equal(dep.status, 201);
    assert.equal((await api('DELETE', `${cms}/owner-a`)).status, 200);
    // Proof the collector has looked: a sibling whose only owner was owner-a is gone.
    const solo = await api('POST', cms, cm('solo', [{ name: 'owner-a', uid: a.metadata.uid }]));
    assert.equal(solo.status, 201);
    await waitFor(async () => (await api('GET', `${cms}/solo`)).status === 404, 'the single-owner dependent to be collected');
    assert.equal((await api('GET', `${cms}/shared`)).status, 200, 'shared keeps its other owner');
  });
});
