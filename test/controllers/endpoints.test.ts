// The Endpoints and EndpointSlice controllers through a real API server:
// pods (their status written here, as a node agent would) come and go from a
// Service's endpoints as they get IPs, turn ready or not, and are deleted.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';

describe('service endpoints', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const ns = '/api/v1/namespaces/default';

  async function runPod(name: string, ip: string, ready = true) {
    const r = await api('POST', `${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await setStatus(name, ip, ready);
  }
  async function setStatus(name: string, ip: string, ready: boolean) {
    const r = await api('PATCH', `${ns}/pods/${name}/status`, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const endpoints = async () => (await api('GET', `${ns}/endpoints/web`)).body;
  const slices = async () => (await api('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name%3Dweb`)).body.items as any[];
  const readyIPs = async () => ((await endpoints()).subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort().join(',');
  const sliceIPs = async (cond: 'ready' | 'serving') => (await slices()).flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions[cond]).map((e: any) => e.addresses[0])).sort().join(',');

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    const r = await api('POST', `${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    assert.equal(r.status, 201);
  });
  after(async () => cluster.stop());

  test('an empty service gets an Endpoints object and one placeholder slice', async () => {
    await waitFor(async () => (await api('GET', `${ns}/endpoints/web`)).status === 200, 'the Endpoints object');
    const [s] = await waitFor(async () => ((await slices()).length === 1 ? await slices() : undefined), 'the placeholder slice');
    assert.deepEqual(s.endpoints ?? [], []);
    assert.equal(s.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(s.metadata.labels.tier, 'front');
    assert.equal(s.metadata.ownerReferences[0].kind, 'Service');
    assert.equal(s.addressType, 'IPv4');
  });

  test('ready pods appear with their resolved port; a not-ready one only as not ready', async () => {
    await runPod('web-1', '10.42.0.11');
    await runPod('web-2', '10.42.0.12');
    await runPod('web-3', '10.42.0.13', false);
    await waitFor(async () => (await readyIPs()) === '10.42.0.11,10.42.0.12' && (await endpoints()).subsets[0].notReadyAddresses, 'two ready addresses and one not ready');
    const ep = await endpoints();
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(ep.subsets[0].notReadyAddresses.map((a: any) => a.ip), ['10.42.0.13']);
    await waitFor(async () => (await sliceIPs('ready')) === '10.42.0.11,10.42.0.12' && (await slices())[0].endpoints.length === 3, 'two ready slice endpoints of three');
    const [s] = await slices();
    assert.equal(s.endpoints.length, 3);
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test('readiness toggles move an address', async () => {
    await setStatus('web-3', '10.42.0.13', true);
    await setStatus('web-1', '10.42.0.11', false);
    await waitFor(async () => (await readyIPs()) === '10.42.0.12,10.42.0.13', 'web-3 ready and web-1 not');
    await waitFor(async () => (await sliceIPs('ready')) === '10.42.0.12,10.42.0.13', 'the slices to follow');
  });

  test('a deleted pod leaves', async () => {
    assert.equal((await api('DELETE', `${ns}/pods/web-2`, { gracePeriodSeconds: 0 })).status, 200);
    await waitFor(async () => (await readyIPs()) === '10.42.0.13', 'web-2 gone from Endpoints');
    await waitFor(async () => (await slices()).flatMap((s) => s.endpoints ?? []).length === 2, 'web-2 gone from the slices');
  });

  test('kubectl get endpoints shows the ready addresses', { skip: hasKubectl('1.32') ? false : 'kubectl 1.32 not installed' }, async () => {
    const k = kubectlRunner('1.32', cluster.kubeconfig);
    const r = await k(['get', 'endpoints', 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+ENDPOINTS\s+AGE\nweb\s+10\.42\.0\.13:8080\s+\d+s\n$/);
  });

  test('deleting the service removes its Endpoints and slices', async () => {
    assert.equal((await api('DELETE', `${ns}/services/web`)).status, 200);
    await waitFor(async () => (await api('GET', `${ns}/endpoints/web`)).status === 404, 'the Endpoints to go');
    await waitFor(async () => (await slices()).length === 0, 'the slices to go');
  });
});
