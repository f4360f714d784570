import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';
import { waitFor, within } from '../../test/support/wait.ts';
import { keyOf } from './informer.ts';
import { InformerFactory } from './informerfactory.ts';
import { Client, type KubeObject, type ResourceHandle } from './rest.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cm = (name: string, suite: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { suite }, annotations: { note: 'kept' } },
  data: { k: name },
});

/** A client whose handles count the LISTs and WATCHes they open, per resource. */
function countingClient(kubeconfig: string): { client: Client; lists: Map<string, number>; watches: Map<string, number> } {
  const client = Client.fromKubeconfig(kubeconfig);
  const lists = new Map<string, number>();
  const watches = new Map<string, number>();
  const inner = client.resource.bind(client);
  client.resource = ((apiVersion: string, resource: string) => {
    const h = inner(apiVersion, resource);
    const list = h.list.bind(h);
    const watch = h.watch.bind(h);
    h.list = ((ns, o) => (lists.set(resource, (lists.get(resource) ?? 0) + 1), list(ns, o))) as typeof h.list;
    h.watch = ((ns, o) => (watches.set(resource, (watches.get(resource) ?? 0) + 1), watch(ns, o))) as typeof h.watch;
    return h;
  }) as typeof client.resource;
  return { client, lists, watches };
}

describe('InformerFactory against a real cluster', () => {
  let cluster: TestCluster;
  let client: Client;
  let cms: ResourceHandle<ConfigMap>;

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    cms = client.resource<ConfigMap>('v1', 'configmaps');
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  test('one informer, one list and one watch per key; every consumer gets the events', async () => {
    const { client: c, lists, watches } = countingClient(cluster.kubeconfig);
    const f = new InformerFactory(c);
    try {
      const a = f.informerFor<ConfigMap>('v1', 'configmaps');
      const b = f.informerFor<ConfigMap>('v1', 'configmaps');
      assert.equal(a, b, 'the same informer for the same key');
      const scoped = f.informerFor<ConfigMap>('v1', 'configmaps', { namespace: 'default', labelSelector: 'suite=shared' });
      assert.notEqual(scoped, a, 'a different scope is a different informer');
      assert.equal(f.informerFor('v1', 'configmaps', { namespace: 'default', labelSelector: 'suite=shared' }), scoped);
      assert.equal(f.size, 2);

      const seenA: string[] = [];
      const seenB: string[] = [];
      const updatedB: string[] = [];
      const deletedA: string[] = [];
      a.onAdd((o) => seenA.push(keyOf(o))).onDelete((o) => deletedA.push(keyOf(o)));
      b.onAdd((o) => seenB.push(keyOf(o))).onUpdate((_, n) => updatedB.push(n.data?.k ?? ''));
      // Two consumers may both add the same index name (the util/indexes helper tolerates it).
      a.addIndex('suite', (o) => [o.metadata?.labels?.suite ?? '']);

      f.start();
      assert.equal(await within(f.waitForSync(), 'factory sync'), true);
      await cms.create('default', cm('one', 'shared'));
      await waitFor(() => seenA.includes('default/one') && seenB.includes('default/one'), 'both consumers told of the add');
      await waitFor(() => scoped.get('default/one'), 'the scoped informer has it');
      assert.deepEqual(b.byIndex('suite', 'shared').map(keyOf), ['default/one'], 'the index is shared too');
      await cms.patch('default', 'one', 'merge', { data: { k: 'two' } });
      await waitFor(() => updatedB.includes('two'), 'update seen');
      await cms.delete('default', 'one');
      await waitFor(() => deletedA.includes('default/one'), 'delete seen');

      assert.equal(lists.get('configmaps'), 2, 'one list per key');
      assert.equal(watches.get('configmaps'), 2, 'one watch per key');
    } finally {
      await within(f.stop(), 'stop');
      c.close();
    }
  });

  test('an informer asked for after start() starts at once; a late handler is told of the cached objects', async () => {
    await cms.create('default', cm('late-a', 'late'));
    await cms.create('default', cm('late-b', 'late'));
    const f = new InformerFactory(client);
    try {
      f.start();
      const inf = f.informerFor<ConfigMap>('v1', 'configmaps', { labelSelector: 'suite=late' });
      assert.equal(inf.started, true);
      assert.equal(await within(f.waitForSync(), 'sync'), true);
      assert.deepEqual(inf.keys().sort(), ['default/late-a', 'default/late-b']);

      const late: string[] = [];
      f.informerFor<ConfigMap>('v1', 'configmaps', { labelSelector: 'suite=late' }).onAdd((o) => late.push(keyOf(o)));
      assert.deepEqual(late.sort(), ['default/late-a', 'default/late-b'], 'existing objects replayed as adds');
      await cms.create('default', cm('late-c', 'late'));
      await waitFor(() => late.includes('default/late-c'), 'then new events');
      assert.equal(late.length, 3, 'no object told twice');
    } finally {
      await within(f.stop(), 'stop');
    }
  });

  test('metadata only when every consumer asked for it; a whole-object consumer after start gets its own', async () => {
    await cms.create('default', cm('meta', 'meta'));
    const f = new InformerFactory(client);
    try {
      const trimmed = f.informerFor<ConfigMap>('v1', 'configmaps', { labelSelector: 'suite=meta', metadataOnly: true });
      const mixedMeta = f.informerFor<ConfigMap>('v1', 'secrets', { metadataOnly: true });
      assert.equal(f.informerFor<ConfigMap>('v1', 'secrets'), mixedMeta, 'one informer when a full consumer joins before start');
      f.start();
      assert.equal(await within(f.waitForSync(), 'sync'), true);
      const o = trimmed.get('default/meta')!;
      assert.equal(o.data, undefined, 'data dropped');
      assert.equal(o.metadata?.labels?.suite, 'meta');
      assert.equal(o.metadata?.annotations?.note, 'kept');

      const full = f.informerFor<ConfigMap>('v1', 'configmaps', { labelSelector: 'suite=meta' });
      assert.notEqual(full, trimmed);
      await within(f.waitForSync(), 'sync');
      assert.deepEqual(full.get('default/meta')?.data, { k: 'meta' });
      assert.equal(f.informerFor<ConfigMap>('v1', 'configmaps', { labelSelector: 'suite=meta', metadataOnly: true }), trimmed);
    } finally {
      await within(f.stop(), 'stop');
    }
  });

  test('stop() ends every informer and the factory cannot be used again', async () => {
    const f = new InformerFactory(client);
    const inf = f.informerFor('v1', 'namespaces');
    f.start();
    assert.equal(await within(f.waitForSync(), 'sync'), true);
    await within(f.stop(), 'stop');
    // A stopped informer no longer follows the server.
    const before = inf.keys().length;
    await client.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'factory-stopped' } });
    const g = new InformerFactory(client);
    const fresh = g.informerFor('v1', 'namespaces');
    g.start();
    try {
      await waitFor(() => fresh.get('factory-stopped'), 'a running informer sees the namespace');
    } finally {
      await g.stop();
    }
    assert.equal(inf.keys().length, before, 'the stopped one did not');
    assert.throws(() => f.informerFor('v1', 'pods'), /stopped/);
    assert.throws(() => f.start(), /stopped/);
  });
});
