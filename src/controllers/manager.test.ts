// The controller manager's shared informers: every controller running over
// one factory opens one WATCH per resource (not one per controller), and the
// controllers still work together over the shared caches (a Deployment makes
// a ReplicaSet and pods; deleting it lets the garbage collector remove them).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';
import { waitFor, within } from '../../test/support/wait.ts';
import { Client } from '../client/rest.ts';
import { ALL_CONTROLLERS, ControllerManager } from './manager.ts';

/** A client that counts the WATCH requests its handles open. */
function countingClient(kubeconfig: string): { client: Client; watches: () => number } {
  const client = Client.fromKubeconfig(kubeconfig);
  let n = 0;
  const inner = client.resource.bind(client);
  client.resource = ((apiVersion: string, resource: string) => {
    const h = inner(apiVersion, resource);
    const watch = h.watch.bind(h);
    h.watch = ((ns, o) => (n++, watch(ns, o))) as typeof h.watch;
    return h;
  }) as typeof client.resource;
  return { client, watches: () => n };
}

describe('controller manager with shared informers', () => {
  let cluster: TestCluster;
  const clients: Client[] = [];

  before(async () => (cluster = await startTestCluster()));
  after(async () => {
    for (const c of clients) c.close();
    await cluster.stop();
  });

  /** Starts every controller; answers how many watches were open once all caches synced. */
  async function startAll(unsharedInformers: boolean): Promise<{ manager: ControllerManager; watches: number }> {
    const { client, watches } = countingClient(cluster.kubeconfig);
    clients.push(client);
    const manager = new ControllerManager({ client, dataDir: cluster.dataDir }, ALL_CONTROLLERS, { unsharedInformers });
    await within(manager.start(), 'controllers started', 30_000);
    return { manager, watches: watches() };
  }

  test('one watch per resource instead of one per controller', async () => {
    const unshared = await startAll(true);
    await unshared.manager.stop();
    assert.equal(unshared.manager.sharedInformers, undefined);

    const shared = await startAll(false);
    try {
      const f = shared.manager.sharedInformers!;
      assert.ok(f, 'the manager holds a factory while running');
      const keys = f.keys();
      assert.equal(new Set(keys).size, keys.length);
      assert.equal(keys.filter((k) => k.startsWith('v1|pods|')).length, 1, 'one pod informer for every controller');
      assert.equal(keys.filter((k) => k.startsWith('v1|nodes|')).length, 1, 'one node informer');
      // Each shared informer has watched once; the hpa controller (not converted) keeps its own.
      assert.ok(shared.watches <= f.size + 1, `${shared.watches} watches for ${f.size} shared informers`);
      assert.ok(shared.watches < unshared.watches, `shared ${shared.watches} < unshared ${unshared.watches}`);
      console.log(`watches after start: unshared ${unshared.watches}, shared ${shared.watches} (${f.size} shared informers)`);
    } finally {
      await shared.manager.stop();
    }
    assert.equal(shared.manager.sharedInformers, undefined, 'the factory goes with the controllers');
  });

  test('the controllers work together over the shared caches', async () => {
    const { manager } = await startAll(false);
    const client = clients.at(-1)!;
    try {
      const labels = { app: 'shared-informers' };
      await client.resource('apps/v1', 'deployments').create('default', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'shared' },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      } as never);
      const pods = client.resource('v1', 'pods');
      const rss = client.resource('apps/v1', 'replicasets');
      await waitFor(async () => (await rss.list('default', { labelSelector: 'app=shared-informers' })).items.length === 1, 'a ReplicaSet');
      await waitFor(async () => (await pods.list('default', { labelSelector: 'app=shared-informers' })).items.length === 2, 'two pods');
      await client.resource('apps/v1', 'deployments').delete('default', 'shared', { propagationPolicy: 'Background' });
      await waitFor(async () => (await rss.list('default', { labelSelector: 'app=shared-informers' })).items.length === 0, 'the ReplicaSet collected');
      await waitFor(async () => (await pods.list('default', { labelSelector: 'app=shared-informers' })).items.length === 0, 'the pods collected', 20_000);
    } finally {
      await manager.stop();
    }
  });
});
