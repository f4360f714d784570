// The local-path provisioner and PV binder against a real API server: the
// default StorageClass, DefaultStorageClass admission, WaitForFirstConsumer
// provisioning of hostPath volumes under <dataDir>/storage, deletion with
// the claim, and binding of pre-created volumes by class, size and modes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { nodeObject, startAppsControllers, type Started } from '../support/workloads.ts';
import { Client, isNotFound } from '../../src/client/rest.ts';

const NS = 'default';

const claim = (name: string, o: { storage?: string; className?: string | null; modes?: string[] } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NS },
  spec: { accessModes: (o.modes ?? ['ReadWriteOnce']) as never, resources: { requests: { storage: o.storage ?? '1Mi' } }, ...(o.className !== undefined ? { storageClassName: o.className as string } : {}) },
});

const volume = (name: string, storage: string, o: { className?: string; reclaim?: string; modes?: string[] } = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage },
    accessModes: (o.modes ?? ['ReadWriteOnce']) as never,
    storageClassName: o.className ?? 'manual',
    persistentVolumeReclaimPolicy: (o.reclaim ?? 'Retain') as never,
    hostPath: { path: `/tmp/skiff-test-pv-${name}` },
  },
});

describe('local-path provisioner', () => {
  let cluster: TestCluster;
  let client: Client;
  let apps: Started;
  const claims = () => client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
  const volumes = () => client.resource<PersistentVolume>('v1', 'persistentvolumes');
  const phaseOf = async (name: string) => (await claims().get(NS, name)).status?.phase;

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    await client.resource('v1', 'nodes').create(undefined, nodeObject('worker-1'));
    apps = await startAppsControllers(cluster);
  });
  after(async () => {
    await apps?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('the default StorageClass local-path exists', async () => {
    const sc = await client.resource<StorageClass>('storage.k8s.io/v1', 'storageclasses').get(undefined, 'local-path');
    assert.equal(sc.provisioner, 'skiff.io/local-path');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  });

  test('a claim waits for its first consumer, then gets a hostPath volume on that node; deleting it removes both', async () => {
    const created = await claims().create(NS, claim('data'));
    assert.equal(created.spec?.storageClassName, 'local-path', 'DefaultStorageClass admission filled in the class');
    const bare = await claims().create(NS, claim('bare', { className: '' }));
    assert.equal(bare.spec?.storageClassName, '', 'an explicit "" is kept');
    // Nothing uses it yet: the binder marks it Pending and provisions nothing.
    await waitFor(async () => (await phaseOf('data')) === 'Pending', 'data to be marked Pending');
    assert.equal((await volumes().list(undefined)).items.length, 0);

    await client.resource<Pod>('v1', 'pods').create(NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'consumer', namespace: NS },
      spec: { nodeName: 'worker-1', containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    await waitFor(async () => (await phaseOf('data')) === 'Bound', 'the claim to be Bound');
    const pvc = await claims().get(NS, 'data');
    const pv = await volumes().get(undefined, pvc.spec!.volumeName!);
    assert.equal(pv.metadata?.name, `pvc-${pvc.metadata?.uid}`);
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.spec?.hostPath?.path, `${cluster.dataDir}/storage/${pv.metadata?.name}`);
    assert.ok(existsSync(pv.spec!.hostPath!.path!), 'the directory was made');
    // Writable by pods running as any user, whatever the umask.
    assert.equal(statSync(pv.spec!.hostPath!.path!).mode & 0o777, 0o777);
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['worker-1'] }] }]);
    assert.equal(pv.spec?.claimRef?.uid, pvc.metadata?.uid);
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pvc.status?.capacity?.storage, '1Mi');
    assert.equal(pvc.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'skiff.io/local-path');

    await client.resource('v1', 'pods').delete(NS, 'consumer', { gracePeriodSeconds: 0 });
    await claims().delete(NS, 'data');
    await waitFor(async () => volumes().get(undefined, pv.metadata!.name!).then(() => false, (e) => isNotFound(e)), 'the volume to be deleted with its claim');
    assert.ok(!existsSync(pv.spec!.hostPath!.path!), 'the directory is gone');
  });

  test('a pre-created volume binds to the smallest fitting claim of its class; a claim nothing fits stays Pending', async () => {
    await volumes().create(undefined, volume('small', '1Gi'));
    await volumes().create(undefined, volume('big', '5Gi'));
    await volumes().create(undefined, volume('rwx', '3Gi', { modes: ['ReadWriteMany'] }));
    await waitFor(async () => (await volumes().get(undefined, 'big')).status?.phase === 'Available', 'big to be Available');
    await claims().create(NS, claim('two-gig', { storage: '2Gi', className: 'manual' }));
    await claims().create(NS, claim('huge', { storage: '10Gi', className: 'manual' }));
    await waitFor(async () => (await phaseOf('two-gig')) === 'Bound', 'two-gig to be Bound');
    assert.equal((await claims().get(NS, 'two-gig')).spec?.volumeName, 'big', 'small is too small and rwx lacks ReadWriteOnce');
    assert.equal((await volumes().get(undefined, 'big')).status?.phase, 'Bound');
    await claims().create(NS, claim('shared', { storage: '1Gi', className: 'manual', modes: ['ReadWriteMany'] }));
    await waitFor(async () => (await phaseOf('shared')) === 'Bound', 'shared to be Bound');
    assert.equal((await claims().get(NS, 'shared')).spec?.volumeName, 'rwx');
    await waitFor(async () => (await phaseOf('huge')) === 'Pending', 'huge to be marked Pending');
    assert.equal((await claims().get(NS, 'huge')).spec?.volumeName, undefined);
    assert.equal((await volumes().get(undefined, 'small')).status?.phase, 'Available');
  });

  test('a Retain volume is Released when its claim goes, and kept', async () => {
    await claims().delete(NS, 'two-gig');
    await waitFor(async () => (await volumes().get(undefined, 'big')).status?.phase === 'Released', 'big to be Released');
    assert.equal((await claims().list(NS)).items.some((c) => c.metadata?.name === 'two-gig'), false);
  });
});
