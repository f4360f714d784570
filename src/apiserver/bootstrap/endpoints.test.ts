import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startTestCluster, type TestCluster } from '../../../test/support/cluster.ts';
import { waitFor } from '../../../test/support/wait.ts';
import type { KubeObject } from '../../client/rest.ts';
import { KubernetesEndpointsReconciler } from './endpoints.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => cluster?.stop());

const restFor = () => (g: string, v: string, r: string) => cluster.server.restFor(g, v, r);
const addresses = async () => {
  const ep = await cluster.client.resource<Endpoints & KubeObject>('v1', 'endpoints').get('default', 'kubernetes');
  return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports![0]!.port}`)).sort();
};

test('every live API server is an endpoint of the kubernetes Service; one that stops or lapses drops out', async () => {
  const self = `127.0.0.1:${new URL(cluster.url).port}`;
  assert.deepEqual(await addresses(), [self]);

  // A second server of the same cluster (another address, another port).
  const other = new KubernetesEndpointsReconciler(restFor(), { address: '10.0.0.9', port: 7443 });
  await other.start();
  assert.deepEqual(await addresses(), ['10.0.0.9:7443', self].sort());
  const slices = await cluster.client.resource<EndpointSlice & KubeObject>('discovery.k8s.io/v1', 'endpointslices').list('default', { labelSelector: 'kubernetes.io/service-name=kubernetes' });
  // One slice per port, the lowest port's named "kubernetes".
  const port = Number(new URL(cluster.url).port);
  const [low, high] = port < 7443 ? [self, '10.0.0.9:7443'] : ['10.0.0.9:7443', self];
  assert.deepEqual(
    slices.items.map((s) => `${s.metadata!.name}=${s.endpoints.map((e) => e.addresses[0]).join(',')}:${s.ports![0]!.port}`).sort(),
    [`kubernetes=${low}`, `kubernetes-${high.split(':')[1]}=${high}`].sort(),
  );

  // Seen 20 s later with no renewal in between, the first server's lease has lapsed (15 s).
  const later = new KubernetesEndpointsReconciler(restFor(), { address: '10.0.0.9', port: 7443, now: () => Date.now() + 20_000 });
  assert.deepEqual(await later.reconcile(true), [{ ip: '10.0.0.9', port: 7443 }]);
  // Two minutes and more later, a lapsed lease is deleted.
  const muchLater = new KubernetesEndpointsReconciler(restFor(), { address: '10.0.0.9', port: 7443, now: () => Date.now() + 200_000 });
  await muchLater.reconcile(true);
  const leases = () => cluster.client.resource('coordination.k8s.io/v1', 'leases').list('kube-system', { labelSelector: 'skiff.dev/apiserver-endpoint=true' });
  assert.deepEqual((await leases()).items.map((l) => l.metadata!.name), ['apiserver-endpoint-10-0-0-9-7443']);

  // The second server stops: it is gone at once, and the first is back on its next reconcile.
  await other.stop();
  const first = new KubernetesEndpointsReconciler(restFor(), { address: '127.0.0.1', port: Number(new URL(cluster.url).port) });
  await first.reconcile(true);
  await waitFor(async () => JSON.stringify(await addresses()) === JSON.stringify([self]), 'only the first server left', 5000, 50);
  const after = await cluster.client.resource<EndpointSlice & KubeObject>('discovery.k8s.io/v1', 'endpointslices').list('default', { labelSelector: 'kubernetes.io/service-name=kubernetes' });
  assert.deepEqual(after.items.map((s) => s.metadata!.name), ['kubernetes']);
});
