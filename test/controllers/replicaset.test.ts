// The replica set controller against a real API server: it creates pods from
// the template, adopts orphans, releases pods that stop matching, deletes the
// least valuable pods first, reports status (with minReadySeconds), and does
// the same for ReplicationControllers.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { active, listPods, makePodReady } from '../support/workloads.ts';
import { Client } from '../../src/client/rest.ts';
import { ReplicaSetController, newReplicationManager } from '../../src/controllers/replicaset/controller.ts';

const NS = 'default';

function replicaSet(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      ...extra,
    },
  };
}

describe('replicaset controller', () => {
  let cluster: TestCluster;
  let client: Client;
  let rsc: ReplicaSetController;
  let rcm: ReplicaSetController;
  const rsApi = () => client.resource<ReplicaSet>('apps/v1', 'replicasets');
  const pods = () => client.resource<Pod>('v1', 'pods');

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    rsc = new ReplicaSetController(client);
    rcm = newReplicationManager(client);
    await Promise.all([rsc.start(), rcm.start()]);
  });
  after(async () => {
    await Promise.all([rsc?.stop(), rcm?.stop()]);
    client?.close();
    await cluster?.stop();
  });

  const owned = async (name: string) => active(await listPods(client, NS, `app=${name}`)).filter((p) => p.metadata?.ownerReferences?.some((r) => r.name === name && r.controller));

  test('creates replicas from the template with a controller reference, and reports status', async () => {
    const rs = await rsApi().create(NS, replicaSet('create', 3));
    const ps = await waitFor(async () => ((await owned('create')).length === 3 ? owned('create') : undefined), '3 pods');
    for (const p of ps) {
      assert.match(p.metadata!.name!, /^create-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.labels, { app: 'create', tier: 'web' });
      assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'create', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const st = await waitFor(async () => {
      const s = (await rsApi().get(NS, 'create')).status;
      return s?.replicas === 3 && s.observedGeneration === 1 ? s : undefined;
    }, 'status.replicas 3');
    assert.equal(st.fullyLabeledReplicas, 3);
    assert.equal(st.readyReplicas ?? 0, 0);
    for (const p of ps) await makePodReady(client, p);
    await waitFor(async () => (await rsApi().get(NS, 'create')).status?.availableReplicas === 3, 'availableReplicas 3');
    // Nothing more is created once the count is met.
    assert.equal((await owned('create')).length, 3);
  });

  test('replaces a deleted pod', async () => {
    await rsApi().create(NS, replicaSet('replace', 2));
    const before = await waitFor(async () => ((await owned('replace')).length === 2 ? owned('replace') : undefined), '2 pods');
    await pods().delete(NS, before[0]!.metadata!.name!);
    const after = await waitFor(async () => {
      const ps = await owned('replace');
      return ps.length === 2 && !ps.some((p) => p.metadata?.name === before[0]!.metadata!.name) ? ps : undefined;
    }, 'a replacement pod');
    assert.ok(after.some((p) => p.metadata?.name === before[1]!.metadata!.name));
  });

  test('scales down by deleting the least valuable pods first', async () => {
    await rsApi().create(NS, replicaSet('down', 4));
    const ps = await waitFor(async () => ((await owned('down')).length === 4 ? owned('down') : undefined), '4 pods');
    // Two ready on a node, one bound but not ready, one unassigned: the last two go.
    await makePodReady(client, ps[0]!);
    await makePodReady(client, ps[1]!);
    await makePodReady(client, ps[2]!, 'node-1', false);
    await waitFor(async () => (await rsApi().get(NS, 'down')).status?.readyReplicas === 2, 'readyReplicas 2');
    await rsApi().patch(NS, 'down', 'merge', { spec: { replicas: 2 } });
    const left = await waitFor(async () => ((await owned('down')).length === 2 ? owned('down') : undefined), '2 pods left');
    assert.deepEqual(left.map((p) => p.metadata!.name).sort(), [ps[0]!.metadata!.name, ps[1]!.metadata!.name].sort());
    await waitFor(async () => {
      const s = (await rsApi().get(NS, 'down')).status;
      return s?.replicas === 2 && s.observedGeneration === 2;
    }, 'status after scale down');
  });

  test('adopts a matching orphan instead of creating, and releases a pod that stops matching', async () => {
    const orphan = await pods().create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const rs = await rsApi().create(NS, replicaSet('adopt', 2));
    const ps = await waitFor(async () => ((await owned('adopt')).length === 2 ? owned('adopt') : undefined), '2 pods');
    assert.ok(ps.some((p) => p.metadata?.name === 'orphan'), 'the orphan was adopted');
    const adopted = await pods().get(NS, 'orphan');
    assert.equal(adopted.metadata?.uid, orphan.metadata?.uid);
    assert.deepEqual(adopted.metadata?.ownerReferences?.[0], { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true });

    await pods().patch(NS, 'orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor(async () => !(await pods().get(NS, 'orphan')).metadata?.ownerReferences?.length, 'the pod released');
    await waitFor(async () => (await owned('adopt')).length === 2 && !(await owned('adopt')).some((p) => p.metadata?.name === 'orphan'), 'a replacement for the released pod');
  });

  test('a pod owned by another controller is neither adopted nor counted', async () => {
    // A ConfigMap stands in for another controller (it exists, so the garbage collector leaves the pod alone).
    const other = await client.resource('v1', 'configmaps').create(NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } } as never);
    await pods().create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'taken', labels: { app: 'shared' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: other.metadata!.uid!, controller: true }] },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await rsApi().create(NS, replicaSet('shared', 1, { selector: { matchLabels: { app: 'shared' } }, template: { metadata: { labels: { app: 'shared' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } }));
    await waitFor(async () => (await rsApi().get(NS, 'shared')).status?.replicas === 1, 'shared has 1 replica');
    const taken = await pods().get(NS, 'taken');
    assert.equal(taken.metadata?.ownerReferences?.length, 1);
    assert.equal(taken.metadata?.ownerReferences?.[0]?.kind, 'ConfigMap');
    assert.equal((await owned('shared')).length, 1);
  });

  test('availableReplicas waits for minReadySeconds', async () => {
    await rsApi().create(NS, replicaSet('minready', 1, { minReadySeconds: 2 }));
    const [p] = await waitFor(async () => ((await owned('minready')).length === 1 ? owned('minready') : undefined), '1 pod');
    await makePodReady(client, p!);
    const readyAt = Date.now();
    await waitFor(async () => (await rsApi().get(NS, 'minready')).status?.readyReplicas === 1, 'ready');
    assert.equal((await rsApi().get(NS, 'minready')).status?.availableReplicas ?? 0, 0, 'not available before minReadySeconds');
    await waitFor(async () => (await rsApi().get(NS, 'minready')).status?.availableReplicas === 1, 'available after minReadySeconds', 8000);
    // The condition's time is whole seconds, so availability can come up to 1 s early.
    assert.ok(Date.now() - readyAt >= 1000, `available after ${Date.now() - readyAt} ms`);
  });

  test('a ReplicationController keeps its pods too', async () => {
    const rcs = client.resource<ReplicationController>('v1', 'replicationcontrollers');
    const rc = await rcs.create(NS, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const ps = await waitFor(async () => ((await owned('legacy')).length === 2 ? owned('legacy') : undefined), '2 RC pods');
    assert.deepEqual(ps[0]!.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid: rc.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    await waitFor(async () => (await rcs.get(NS, 'legacy')).status?.replicas === 2, 'RC status.replicas 2');
  });
});
