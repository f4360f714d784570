// The StatefulSet controller against a real API server, with the scheduler
// and kubelet simulated (test/support/workloads.ts) and the local-path
// provisioner binding claims: ordered creation and reverse deletion, stable
// names, claims from templates kept on scale down, rolling updates from the
// highest ordinal down to a partition, and kubectl 1.32's rollout commands.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { FakeKubelet, nodeObject, startAppsControllers, type Started } from '../support/workloads.ts';
import { Client } from '../../src/client/rest.ts';
import { Informer } from '../../src/client/informer.ts';

const NS = 'default';

function statefulSet(name: string, o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; claims?: boolean; partition?: number; image?: string } = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: name,
      podManagementPolicy: o.policy,
      selector: { matchLabels: { app: name } },
      updateStrategy: o.partition !== undefined ? { type: 'RollingUpdate', rollingUpdate: { partition: o.partition } } : undefined,
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: o.image ?? 'busybox:1', volumeMounts: o.claims ? [{ name: 'data', mountPath: '/data' }] : undefined }] } },
      volumeClaimTemplates: o.claims ? [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }] : undefined,
    },
  };
}

describe('StatefulSet controller', () => {
  let cluster: TestCluster;
  let client: Client;
  let sim: FakeKubelet;
  let apps: Started;
  /** Pod names in the order they were first seen marked for deletion. */
  const deletions: string[] = [];
  /** Pod names in the order they were first seen created. */
  const creations: string[] = [];
  let recorder: Informer<Pod>;

  const pod = (name: string) => sim.pods.get(`${NS}/${name}`);
  const live = (app: string) =>
    sim.pods
      .list()
      .filter((p) => p.metadata?.labels?.app === app && !p.metadata?.deletionTimestamp)
      .map((p) => p.metadata!.name!)
      .sort();
  const sets = () => client.resource<StatefulSet>('apps/v1', 'statefulsets');
  const holdUnready = new Set<string>();

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    await client.resource('v1', 'nodes').create(undefined, nodeObject('node-1'));
    sim = await new FakeKubelet(client, { nodes: ['node-1'], autoStart: (p) => !holdUnready.has(p.metadata?.labels?.app ?? '') }).start();
    recorder = new Informer<Pod>(client.resource<Pod>('v1', 'pods'));
    recorder.onAdd((p) => creations.push(p.metadata!.name!)).onUpdate((a, b) => {
      if (!a.metadata?.deletionTimestamp && b.metadata?.deletionTimestamp) deletions.push(b.metadata.name!);
    });
    recorder.start();
    await recorder.waitForSync();
    apps = await startAppsControllers(cluster);
  });
  after(async () => {
    await apps?.stop();
    await recorder?.stop();
    await sim?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('OrderedReady creates pods in order, each after the previous is Running and Ready, with stable identity', async () => {
    holdUnready.add('web');
    await sets().create(NS, statefulSet('web'));
    await waitFor(() => pod('web-0')?.status?.phase === 'Pending' && pod('web-0')?.spec?.nodeName, 'web-0 to be created and bound');
    // The controller has seen web-0 unready once status counts it; it must not have made web-1.
    await waitFor(async () => (await sets().get(NS, 'web')).status?.replicas === 1, 'status to count web-0');
    assert.deepEqual(live('web'), ['web-0']);
    await sim.markReady(NS, 'web-0');
    await waitFor(() => pod('web-1'), 'web-1 after web-0 is ready');
    await waitFor(async () => (await sets().get(NS, 'web')).status?.replicas === 2, 'status to count web-1');
    assert.equal(pod('web-2'), undefined, 'web-2 waits for web-1');
    await waitFor(() => pod('web-1')?.spec?.nodeName, 'web-1 bound');
    await sim.markReady(NS, 'web-1');
    await waitFor(() => pod('web-2')?.spec?.nodeName, 'web-2 bound');
    await sim.markReady(NS, 'web-2');
    const st = await waitFor(async () => {
      const s = (await sets().get(NS, 'web')).status;
      return s?.readyReplicas === 3 ? s : undefined;
    }, 'three ready replicas');
    assert.equal(st.currentRevision, st.updateRevision);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.availableReplicas, 3);
    const order = creations.filter((n) => n.startsWith('web-'));
    assert.deepEqual(order, ['web-0', 'web-1', 'web-2']);

    const p1 = pod('web-1')!;
    assert.equal(p1.spec?.hostname, 'web-1');
    assert.equal(p1.spec?.subdomain, 'web');
    assert.equal(p1.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(p1.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.equal(p1.metadata?.labels?.['controller-revision-hash'], st.updateRevision);
    holdUnready.delete('web');
  });

  test('a deleted pod comes back under the same name', async () => {
    const old = pod('web-1')!;
    await client.resource('v1', 'pods').delete(NS, 'web-1');
    await waitFor(() => pod('web-1') && pod('web-1')!.metadata?.uid !== old.metadata?.uid && pod('web-1')!.status?.phase === 'Running', 'a new web-1');
  });

  test('scaling down deletes from the highest ordinal, one at a time', async () => {
    deletions.length = 0;
    const k = hasKubectl('1.32') ? kubectlRunner('1.32', cluster.kubeconfig) : undefined;
    if (k) {
      const r = await k(['scale', 'sts/web', '--replicas=1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /statefulset.apps\/web scaled/);
    } else {
      await sets().patch(NS, 'web', 'merge', { spec: { replicas: 1 } });
    }
    await waitFor(() => live('web').join() === 'web-0' && !pod('web-1') && !pod('web-2'), 'web-2 and web-1 gone');
    assert.deepEqual(deletions, ['web-2', 'web-1']);
    await waitFor(async () => (await sets().get(NS, 'web')).status?.replicas === 1, 'status replicas 1');
  });

  test('claims from templates, bound by the local-path provisioner, kept on scale down', async () => {
    await sets().create(NS, statefulSet('db', { replicas: 2, claims: true }));
    const claims = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    const bound = (name: string) => waitFor(async () => {
      const c = await claims.get(NS, name).catch(() => undefined);
      return c?.status?.phase === 'Bound' ? c : undefined;
    }, `${name} to be Bound`, 15_000);
    const c0 = await bound('data-db-0');
    const c1 = await bound('data-db-1');
    assert.equal(c0.spec?.storageClassName, 'local-path', 'the default class was filled in');
    const pv = await client.resource<PersistentVolume>('v1', 'persistentvolumes').get(undefined, c0.spec!.volumeName!);
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.spec?.claimRef?.name, 'data-db-0');
    assert.ok(pv.spec?.hostPath?.path?.startsWith(`${cluster.dataDir}/storage/`));
    assert.ok(existsSync(pv.spec!.hostPath!.path!), 'the volume directory exists');
    const podVolume = pod('db-0')?.spec?.volumes?.find((v) => v.name === 'data');
    assert.equal(podVolume?.persistentVolumeClaim?.claimName, 'data-db-0');

    await sets().patch(NS, 'db', 'merge', { spec: { replicas: 1 } });
    await waitFor(() => !pod('db-1'), 'db-1 to go');
    const kept = await claims.get(NS, 'data-db-1');
    assert.equal(kept.metadata?.uid, c1.metadata?.uid, 'the claim of a removed ordinal is kept (whenScaled: Retain)');
    await sets().patch(NS, 'db', 'merge', { spec: { replicas: 2 } });
    await waitFor(() => pod('db-1')?.status?.phase === 'Running', 'db-1 back');
    assert.equal((await claims.get(NS, 'data-db-1')).metadata?.uid, c1.metadata?.uid, 'db-1 gets its old claim back');
  });

  test('a rolling update goes from the highest ordinal down, stopping at the partition', async () => {
    await sets().create(NS, statefulSet('roll', { replicas: 3, partition: 1 }));
    await waitFor(async () => (await sets().get(NS, 'roll')).status?.readyReplicas === 3, 'three ready roll pods');
    const before = (await sets().get(NS, 'roll')).status!;
    deletions.length = 0;
    await sets().patch(NS, 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'db', image: 'busybox:2' }] } } } });
    const image = (n: string) => pod(n)?.spec?.containers[0]?.image;
    await waitFor(() => image('roll-2') === 'busybox:2' && image('roll-1') === 'busybox:2' && pod('roll-1')?.status?.phase === 'Running', 'roll-2 and roll-1 updated');
    const mid = await waitFor(async () => {
      const s = (await sets().get(NS, 'roll')).status;
      return s?.updatedReplicas === 2 && s.readyReplicas === 3 ? s : undefined;
    }, 'status to show two updated');
    assert.equal(image('roll-0'), 'busybox:1', 'the partition keeps roll-0 on the old revision');
    assert.deepEqual(deletions, ['roll-2', 'roll-1']);
    assert.equal(mid.currentRevision, before.currentRevision);
    assert.notEqual(mid.updateRevision, before.updateRevision);

    await sets().patch(NS, 'roll', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    const done = await waitFor(async () => {
      const s = (await sets().get(NS, 'roll')).status;
      return s?.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision ? s : undefined;
    }, 'the rollout to complete');
    assert.equal(done.currentReplicas, 3);
    assert.equal(image('roll-0'), 'busybox:2');
    const revs = (await client.resource<ControllerRevision>('apps/v1', 'controllerrevisions').list(NS, { labelSelector: 'app=roll' })).items;
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
  });

  test('Parallel creates every pod without waiting', async () => {
    holdUnready.add('par');
    await sets().create(NS, statefulSet('par', { replicas: 3, policy: 'Parallel' }));
    await waitFor(() => live('par').join() === 'par-0,par-1,par-2', 'all three par pods while none is ready');
    holdUnready.delete('par');
  });

  const version = '1.32';
  test('kubectl rollout status, history and undo for a StatefulSet', { skip: hasKubectl(version) ? false : `kubectl ${version} is not installed` }, async () => {
    const k = kubectlRunner(version, cluster.kubeconfig);
    await sets().create(NS, statefulSet('kube', { replicas: 2 }));
    const st = await k(['rollout', 'status', 'sts/kube', '--timeout=20s']);
    assert.equal(st.code, 0, st.stderr);
    // Defaulting gives every RollingUpdate set a partition (0), so kubectl reports a partitioned rollout, as on Kubernetes.
    assert.match(st.stdout, /partitioned roll out complete: 2 new pods have been updated/);
    assert.equal((await k(['set', 'image', 'sts/kube', 'db=busybox:9'])).code, 0);
    const st2 = await k(['rollout', 'status', 'sts/kube', '--timeout=20s']);
    assert.equal(st2.code, 0, st2.stderr);
    assert.match(st2.stdout, /partitioned roll out complete: 2 new pods have been updated/);
    const hist = await k(['rollout', 'history', 'sts/kube']);
    assert.equal(hist.code, 0, hist.stderr);
    assert.match(hist.stdout, /^1\s+<none>\n2\s+<none>/m);
    const rev2 = await k(['rollout', 'history', 'sts/kube', '--revision=2']);
    assert.match(rev2.stdout, /Image:\s+busybox:9/);
    const undo = await k(['rollout', 'undo', 'sts/kube']);
    assert.equal(undo.code, 0, undo.stderr);
    const st3 = await k(['rollout', 'status', 'sts/kube', '--timeout=20s']);
    assert.equal(st3.code, 0, st3.stderr);
    await waitFor(() => ['kube-0', 'kube-1'].every((n) => pod(n)?.spec?.containers[0]?.image === 'busybox:1' && !pod(n)?.metadata?.deletionTimestamp), 'pods back on busybox:1');
  });
});
