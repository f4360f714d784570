import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';

describe('pod subresources and the bindings collection', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const pods = '/api/v1/namespaces/default/pods';

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => cluster.stop());

  test('binding sets spec.nodeName and PodScheduled, answers 201 Success, and refuses a second binding with 409', async () => {
    assert.equal((await api('POST', pods, pod('p1'))).status, 201);
    const b = await api('POST', `${pods}/p1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } });
    assert.equal(b.status, 201);
    assert.equal(b.body.status, 'Success');
    const got = (await api('GET', `${pods}/p1`)).body;
    assert.equal(got.spec.nodeName, 'node-a');
    assert.equal(got.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status, 'True');
    const again = await api('POST', `${pods}/p1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'node-b' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "p1": pod p1 is already assigned to node "node-a"');
  });

  test('the bindings collection binds the pod its metadata.name names', async () => {
    assert.equal((await api('POST', pods, pod('p2'))).status, 201);
    const b = await api('POST', '/api/v1/namespaces/default/bindings', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p2' }, target: { kind: 'Node', name: 'node-c' } });
    assert.equal(b.status, 201);
    assert.equal((await api('GET', `${pods}/p2`)).body.spec.nodeName, 'node-c');
  });

  test('eviction of a pod on a node starts graceful deletion; of an unscheduled pod deletes it', async () => {
    const ev = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
    assert.equal((await api('POST', `${pods}/p1/eviction`, ev('p1'))).status, 201);
    const p1 = (await api('GET', `${pods}/p1`)).body;
    assert.ok(p1.metadata.deletionTimestamp, 'a bound pod waits for its node to stop it');
    assert.equal(p1.metadata.deletionGracePeriodSeconds, 30);
    assert.equal((await api('POST', pods, pod('p3'))).status, 201);
    assert.equal((await api('POST', `${pods}/p3/eviction`, ev('p3'))).status, 201);
    assert.equal((await api('GET', `${pods}/p3`)).status, 404);
  });

  test('log and exec of a pod with no node say so, as Kubernetes does', async () => {
    assert.equal((await api('POST', pods, pod('unplaced'))).status, 201);
    const log = await api('GET', `${pods}/unplaced/log`);
    assert.equal(log.status, 400);
    assert.equal(log.body.message, 'pod unplaced does not have a host assigned');
    const exec = await api('POST', `${pods}/unplaced/exec?command=ls&stdout=true`);
    assert.equal(exec.status, 400);
    assert.equal((await api('GET', `${pods}/missing/log`)).status, 404);
  });

  test('scale reads and writes replicas through an autoscaling/v1 Scale with a string selector', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    assert.equal((await api('POST', '/apis/apps/v1/namespaces/default/deployments', dep)).status, 201);
    const scale = await api('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    assert.deepEqual(
      { kind: scale.body.kind, apiVersion: scale.body.apiVersion, spec: scale.body.spec, status: scale.body.status },
      { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 0, selector: 'app=web' } },
    );
    const patched = await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.spec.replicas, 4);
    const neg = await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: -2 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(neg.status, 422);
    assert.equal((await api('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.spec.replicas, 4);
  });
});
