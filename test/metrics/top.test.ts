// metrics.k8s.io end to end: a node agent on the fake runtime runs pods;
// the API server scrapes its Summary API and serves NodeMetrics and
// PodMetrics as metrics-server does; the real kubectl 1.32 `top` reads them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeletClientConfig } from '../../src/apiserver/proxy/locate.ts';
import { Client } from '../../src/client/rest.ts';
import { ResourceMetricsProvider } from '../../src/metrics/resource/provider.ts';
import type { Summary } from '../../src/metrics/resource/scrape.ts';
import { apiClient } from '../support/api.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';
import { startFakeNode, type FakeNode } from './fakenode.ts';

const KUBECTL = '1.32';

describe('metrics.k8s.io and kubectl top', { skip: hasKubectl(KUBECTL) ? undefined : `kubectl ${KUBECTL} is not installed` }, () => {
  let cluster: TestCluster;
  let client: Client;
  let node: FakeNode;
  let api: ReturnType<typeof apiClient>;
  let kubectl: ReturnType<typeof kubectlRunner>;

  const pod = (name: string, labels: Record<string, string>, containers: string[]): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: 'node-m', terminationGracePeriodSeconds: 0, containers: containers.map((c) => ({ name: c, image: 'busybox:1.36', command: ['sleep', '3600'] })) },
  });

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    api = apiClient(cluster.kubeconfig);
    kubectl = kubectlRunner(KUBECTL, cluster.kubeconfig);
    node = await startFakeNode(client, cluster.pkiDir);
    const pods = client.resource<Pod>('v1', 'pods');
    await pods.create('default', pod('web-1', { app: 'web' }, ['app', 'sidecar']));
    await pods.create('default', pod('db-1', { app: 'db' }, ['db']));
    await waitFor(async () => (await pods.list('default')).items.every((p) => p.status?.phase === 'Running'), 'the pods to run', 15_000);
    await waitFor(async () => (await api('GET', '/api/v1/nodes/node-m')).body?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'), 'the node to be Ready', 15_000);
  });

  after(async () => {
    await node?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('NodeMetrics and PodMetrics have metrics-server\'s shape', async () => {
    const nodes = await waitFor(async () => {
      const r = await api('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
      return r.body?.items?.length === 1 ? r.body : undefined;
    }, 'node metrics');
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.equal(nodes.apiVersion, 'metrics.k8s.io/v1beta1');
    const n = nodes.items[0];
    assert.equal(n.metadata.name, 'node-m');
    assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(n.window, /^(\d+h)?(\d+m)?[\d.]+(s|ms)$/);
    assert.match(n.usage.cpu, /^\d+[num]?$/);
    assert.match(n.usage.memory, /^\d+(Ki|Mi|Gi)?$/);

    const pm = (await api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1')).body;
    assert.equal(pm.kind, 'PodMetrics');
    assert.deepEqual(pm.metadata.labels, { app: 'web' });
    assert.deepEqual(pm.containers.map((c: { name: string }) => c.name).sort(), ['app', 'sidecar']);
    for (const c of pm.containers) {
      assert.match(c.usage.cpu, /^\d+[num]?$/);
      assert.ok(Number(c.usage.memory.replace(/Ki$/, '')) > 0);
    }
    // The fake runtime adds 1 ms of CPU per stats read: the rate is positive.
    assert.ok(pm.containers.some((c: { usage: { cpu: string } }) => parseInt(c.usage.cpu, 10) > 0));

    const selected = (await api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Ddb')).body;
    assert.deepEqual(selected.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['db-1']);
    const all = (await api('GET', '/apis/metrics.k8s.io/v1beta1/pods')).body;
    assert.deepEqual(all.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['db-1', 'web-1']);
    const byField = (await api('GET', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dweb-1')).body;
    assert.deepEqual(byField.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['web-1']);
    assert.equal((await api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods')).body.items.length, 0);
  });

  test('requests within the resolution share one scrape', async () => {
    const provider = cluster.monitoring.provider!;
    await api('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    const n = provider.scrapes;
    await Promise.all([api('GET', '/apis/metrics.k8s.io/v1beta1/nodes'), api('GET', '/apis/metrics.k8s.io/v1beta1/pods'), api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db-1')]);
    assert.equal(provider.scrapes, n, 'served from the last scrape');
  });

  test('rates need two scrapes: a first request scrapes twice, a moment apart, and never reports cumulative start-up CPU', async () => {
    // An agent whose pod used 3 s of CPU starting up 60 s ago and is idle since; the node uses half a core.
    const t0 = Date.now();
    let fetches = 0;
    const fetch = async (): Promise<Summary> => {
      fetches++;
      const at = Date.now();
      const time = new Date(at).toISOString();
      const start = new Date(t0 - 60_000).toISOString();
      return {
        node: { nodeName: 'node-m', startTime: new Date(t0 - 3_600_000).toISOString(), cpu: { time, usageCoreNanoSeconds: 1e12 + (at - t0) * 0.5e6 }, memory: { time, usageBytes: 2e9, workingSetBytes: 1e9 } },
        pods: [{ podRef: { name: 'idle', namespace: 'default', uid: 'u' }, startTime: start, cpu: { time, usageCoreNanoSeconds: 3e9 }, memory: { time, usageBytes: 1, workingSetBytes: 1 }, containers: [{ name: 'c', startTime: start, cpu: { time, usageCoreNanoSeconds: 3e9 }, memory: { time, usageBytes: 1, workingSetBytes: 1 } }] }],
      };
    };
    const provider = new ResourceMetricsProvider({ client, kubelet: {} as KubeletClientConfig, pairGapMs: 200, fetch });
    try {
      const store = await provider.fresh();
      assert.equal(fetches, 2, 'the first scrape is paired');
      const pod = store.pod('default', 'idle')!;
      assert.ok(pod, 'metrics on the first request');
      assert.equal(pod.containers[0]!.cpu, 0, 'idle: the 3 s of start-up CPU are not in the rate');
      assert.ok(pod.windowMs >= 200 && pod.windowMs < 5000, `a window of the gap: ${pod.windowMs} ms`);
      const node = store.node('node-m')!;
      assert.ok(Math.abs(node.cpu - 0.5e9) < 0.05e9, `the node's rate: ${node.cpu}`);
      await provider.fresh();
      assert.equal(fetches, 2, 'within the resolution: no scrape');
    } finally {
      await provider.stop();
    }
  });

  test('kubectl top nodes', async () => {
    const r = await kubectl(['top', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    const [head, row] = r.stdout.trim().split('\n');
    assert.match(head!, /^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\))\s*$/);
    assert.match(row!, /^node-m\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/);
  });

  test('kubectl top pods, with --containers and a selector', async () => {
    let r = await kubectl(['top', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]).sort(), ['db-1', 'web-1']);
    for (const l of lines.slice(1)) assert.match(l, /^\S+\s+\d+m\s+\d+Mi\s*$/);

    r = await kubectl(['top', 'pod', 'web-1', '--containers']);
    assert.equal(r.code, 0, r.stderr);
    const c = r.stdout.trim().split('\n');
    assert.match(c[0]!, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    assert.deepEqual(c.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).sort(), ['web-1 app', 'web-1 sidecar']);

    r = await kubectl(['top', 'pods', '-l', 'app=db', '--no-headers']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['db-1']);
  });

  test('kubectl top of a pod without metrics says so', async () => {
    const r = await kubectl(['top', 'pod', 'nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /podmetrics\.metrics\.k8s\.io "nope" not found/);
  });
});
