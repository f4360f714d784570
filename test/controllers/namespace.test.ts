import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';

describe('namespace lifecycle', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => cluster.stop());

  test('a deleted namespace is Terminating, refuses new content, is emptied, then goes; recreated it starts empty', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    const created = await api('POST', '/api/v1/namespaces', ns);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.spec.finalizers, ['kubernetes']);
    const cms = '/api/v1/namespaces/team/configmaps';
    for (const n of ['a', 'b']) assert.equal((await api('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } })).status, 201);
    // A pod bound to a node waits for its node agent to stop it: it holds the namespace in Terminating.
    const pods = '/api/v1/namespaces/team/pods';
    assert.equal((await api('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } })).status, 201);

    const del = await api('DELETE', '/api/v1/namespaces/team');
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, 'Terminating');
    const refused = await api('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'namespaces "team" is forbidden: unable to create new content in namespace team because it is being terminated');
    await waitFor(async () => (await api('GET', cms)).body.items.length === 0, 'the configmaps to be deleted');
    assert.equal((await api('GET', '/api/v1/namespaces/team')).body.status.phase, 'Terminating', 'the pod still holds it');

    // What a node agent would do once the pod's containers stopped.
    assert.equal((await api('DELETE', `${pods}/p`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 })).status, 200);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/team')).status === 404, 'the namespace to be finalized and removed');

    assert.equal((await api('POST', '/api/v1/namespaces', ns)).status, 201);
    assert.deepEqual((await api('GET', cms)).body.items, [], 'nothing of the old namespace comes back');
  });

  test('spec.finalizers change only through /finalize', async () => {
    const ns = (await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } })).body;
    const put = await api('PUT', '/api/v1/namespaces/fin', { ...ns, spec: { finalizers: [] } });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.spec.finalizers, ['kubernetes']);
  });
});
