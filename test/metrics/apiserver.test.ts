// The API server's /metrics against a real control plane: only for a
// caller with a token, Prometheus' text format, Kubernetes' request series
// (verbs LIST/GET/POST/WATCH..., codes, scope, Kubernetes' buckets), the
// stored object counts, workqueue and scheduler series, process metrics;
// and metrics.k8s.io listed in discovery (what `kubectl top` checks).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { apiClient } from '../support/api.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { sample } from './promtext.ts';

describe('API server /metrics', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => {
    await cluster?.stop();
  });

  const raw = (path: string, authorization?: string) => {
    const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const url = new URL(kc.clusters[0].cluster.server);
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, ca, headers: authorization ? { authorization } : {} }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
  };

  test('a request without a token, or with a wrong one, is refused with 401', async () => {
    assert.equal((await raw('/metrics')).status, 401);
    assert.equal((await raw('/metrics', 'Bearer not-a-token')).status, 401);
  });

  test('requests are counted with Kubernetes labels and timed in Kubernetes buckets', async () => {
    assert.equal((await api('GET', '/api/v1/namespaces/default/pods')).status, 200);
    assert.equal((await api('GET', '/api/v1/namespaces/default/configmaps/nope')).status, 404);
    const created = await api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b' } });
    assert.equal(created.status, 201);
    assert.equal((await api('GET', '/apis/apps/v1/deployments')).status, 200);
    const m = await api('GET', '/metrics', undefined, { accept: 'text/plain' });
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const base = { dry_run: '', component: 'apiserver', subresource: '' };
    assert.ok(sample(m.text, 'apiserver_request_total', { ...base, verb: 'LIST', group: '', version: 'v1', resource: 'pods', scope: 'namespace', code: '200' })! >= 1);
    assert.ok(sample(m.text, 'apiserver_request_total', { ...base, verb: 'GET', group: '', version: 'v1', resource: 'configmaps', scope: 'resource', code: '404' })! >= 1);
    assert.ok(sample(m.text, 'apiserver_request_total', { ...base, verb: 'POST', group: '', version: 'v1', resource: 'configmaps', scope: 'namespace', code: '201' })! >= 1);
    assert.ok(sample(m.text, 'apiserver_request_total', { ...base, verb: 'LIST', group: 'apps', version: 'v1', resource: 'deployments', scope: 'cluster', code: '200' })! >= 1);
    // Kubernetes' buckets, cumulative, ending in +Inf.
    for (const le of ['0.005', '0.025', '1.25', '60', '+Inf']) {
      assert.notEqual(sample(m.text, 'apiserver_request_duration_seconds_bucket', { ...base, verb: 'LIST', group: '', version: 'v1', resource: 'pods', scope: 'namespace', le }), undefined, `bucket le=${le}`);
    }
    assert.ok(sample(m.text, 'apiserver_request_duration_seconds_count', { ...base, verb: 'POST', group: '', version: 'v1', resource: 'configmaps', scope: 'namespace' })! >= 1);
  });

  test('a watch is counted as WATCH when it ends', async () => {
    const r = await api('GET', '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
    assert.equal(r.status, 200);
    await waitFor(async () => {
      const m = await api('GET', '/metrics');
      return (sample(m.text, 'apiserver_request_total', { verb: 'WATCH', resource: 'configmaps', code: '200' }) ?? 0) >= 1;
    }, 'the watch in apiserver_request_total');
  });

  test('stored objects are counted per resource', async () => {
    const m = await api('GET', '/metrics');
    assert.ok(sample(m.text, 'apiserver_storage_objects', { resource: 'namespaces' })! >= 4, 'the four system namespaces');
    assert.ok(sample(m.text, 'apiserver_storage_objects', { resource: 'priorityclasses.scheduling.k8s.io' })! >= 2);
    assert.notEqual(sample(m.text, 'apiserver_storage_objects', { resource: 'deployments.apps' }), undefined);
  });

  test('process, Node.js, workqueue and scheduler series are there', async () => {
    const m = await api('GET', '/metrics');
    assert.notEqual(sample(m.text, 'process_cpu_seconds_total', {}), undefined);
    assert.notEqual(sample(m.text, 'process_resident_memory_bytes', {}), undefined);
    assert.notEqual(sample(m.text, 'nodejs_heap_size_used_bytes', {}), undefined);
    // The namespace controller runs in every test cluster; its queue reports by name.
    assert.notEqual(sample(m.text, 'workqueue_depth', { name: 'namespace' }), undefined);
    assert.notEqual(sample(m.text, 'workqueue_adds_total', { name: 'namespace' }), undefined);
    assert.match(m.text, /^# TYPE workqueue_queue_duration_seconds histogram$/m);
    assert.notEqual(sample(m.text, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' }), undefined);
    assert.match(m.text, /^# TYPE scheduler_pod_scheduling_duration_seconds histogram$/m);
  });

  test('a namespace deletion shows in the namespace controller queue adds', async () => {
    assert.equal((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metrics-ns' } })).status, 201);
    const before = sample((await api('GET', '/metrics')).text, 'workqueue_adds_total', { name: 'namespace' }) ?? 0;
    assert.equal((await api('DELETE', '/api/v1/namespaces/metrics-ns')).status, 200);
    await waitFor(async () => (sample((await api('GET', '/metrics')).text, 'workqueue_adds_total', { name: 'namespace' }) ?? 0) > before, 'workqueue_adds_total{name="namespace"} to grow');
  });

  test('a write to /metrics is refused', async () => {
    const r = await api('POST', '/metrics', {});
    assert.equal(r.status, 405);
  });

  test('discovery lists metrics.k8s.io/v1beta1 (aggregated and legacy)', async () => {
    const agg = await api('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const group = agg.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'metrics.k8s.io');
    assert.ok(group, 'metrics.k8s.io in aggregated discovery');
    const kinds = group.versions[0].resources.map((r: { resource: string; responseKind: { kind: string }; scope: string; verbs: string[] }) => [r.resource, r.responseKind.kind, r.scope, r.verbs.join(',')]);
    assert.deepEqual(kinds, [
      ['nodes', 'NodeMetrics', 'Cluster', 'get,list'],
      ['pods', 'PodMetrics', 'Namespaced', 'get,list'],
    ]);
    const legacy = await api('GET', '/apis');
    assert.ok(legacy.body.groups.some((g: { name: string; preferredVersion: { groupVersion: string } }) => g.name === 'metrics.k8s.io' && g.preferredVersion.groupVersion === 'metrics.k8s.io/v1beta1'));
    const list = await api('GET', '/apis/metrics.k8s.io/v1beta1');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.resources.map((r: { name: string }) => r.name), ['nodes', 'pods']);
    // Not stored: no OpenAPI document, no watch cache, no writes.
    assert.equal((await api('GET', '/openapi/v3/apis/metrics.k8s.io/v1beta1')).status, 404);
    assert.equal((await api('POST', '/apis/metrics.k8s.io/v1beta1/nodes', {})).status, 405);
    assert.equal((await api('GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true')).status, 405);
  });

  test('metrics.k8s.io with no nodes: empty lists, NotFound gets, bad selectors refused', async () => {
    const nodes = await api('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.equal(nodes.status, 200);
    assert.deepEqual(nodes.body, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: [] });
    const one = await api('GET', '/apis/metrics.k8s.io/v1beta1/nodes/nope');
    assert.equal(one.status, 404);
    assert.equal(one.body.message, 'nodemetrics.metrics.k8s.io "nope" not found');
    const pod = await api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    assert.equal(pod.status, 404);
    assert.equal(pod.body.message, 'podmetrics.metrics.k8s.io "nope" not found');
    const bad = await api('GET', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=' + encodeURIComponent('a in (b'));
    assert.equal(bad.status, 400);
    const badField = await api('GET', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dx');
    assert.equal(badField.status, 400);
  });
});
