import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';
import { within } from '../../test/support/wait.ts';
import { ApiError, Client, isAlreadyExists, isConflict, isExpired, isNotFound, type KubeObject, type ResourceHandle, type WatchEvent } from './rest.ts';
import { LineSplitter } from './watch.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../storage/etcd/launch.ts';

const adminToken = (kubeconfig: string): string => (parse(readFileSync(kubeconfig, 'utf8')) as { users: { user: { token: string } }[] }).users[0]!.user.token;

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: name }): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'busybox:1', env: [{ name: 'A', value: '1' }] }] } },
  },
});

/** Collects events from a watch until `until` says stop; the watch is closed by the break. */
async function collect<T>(w: AsyncIterable<WatchEvent<T>>, until: (events: WatchEvent<T>[]) => boolean): Promise<WatchEvent<T>[]> {
  const events: WatchEvent<T>[] = [];
  for await (const ev of w) {
    events.push(ev);
    if (until(events)) break;
  }
  return events;
}

describe('LineSplitter', () => {
  test('joins lines cut across chunks, including inside a multi-byte character', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('{"a":"é"}\n{"b":2}\n{"c"');
    // Cut inside the two bytes of é.
    const cut = bytes.indexOf(0xa9);
    assert.deepEqual(s.push(bytes.subarray(0, cut)), []);
    assert.deepEqual(s.push(bytes.subarray(cut)), ['{"a":"é"}', '{"b":2}']);
    assert.deepEqual(s.push(Buffer.from(':3}\n\n')), ['{"c":3}']);
    assert.deepEqual(s.push(Buffer.from('{"d":4}')), []);
    assert.deepEqual(s.end(), ['{"d":4}']);
  });
});

describe('Client against a real cluster', () => {
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

  test('resource handles resolve by plural or kind; unknown resources are refused', () => {
    assert.equal(client.resource('apps/v1', 'Deployment').info.resource, 'deployments');
    assert.equal(client.resource('apps/v1', 'deployments').info.kind, 'Deployment');
    assert.equal(client.resourceFor(cm('x')).info.resource, 'configmaps');
    assert.throws(() => client.resource('apps/v1', 'widgets'), /does not serve "widgets" in apps\/v1/);
  });

  test('fails over to the next server when the current one refuses connections, for writes and watches', async () => {
    // A port nothing listens on stands for a dead server.
    const dead = `https://127.0.0.1:${await freePort()}`;
    const ha = new Client({ server: dead, fallbackServers: [cluster.url], ca: readFileSync(join(cluster.pkiDir, 'ca.crt')), token: adminToken(cluster.kubeconfig) });
    try {
      assert.equal(ha.server.origin, dead);
      // A create is resent: the refused connection carried nothing.
      const made = await ha.resource<ConfigMap>('v1', 'configmaps').create('default', cm('failover'));
      assert.equal(made.metadata?.name, 'failover');
      assert.equal(ha.server.origin, new URL(cluster.url).origin);
      assert.deepEqual(ha.servers.map((u) => u.origin), [new URL(cluster.url).origin, dead]);
      const w = ha.watch(ha.resource('v1', 'configmaps').info, 'default', { resourceVersion: made.metadata!.resourceVersion });
      await cms.delete('default', 'failover');
      const evs = await within(collect(w, (es) => es.some((e) => e.type === 'DELETED')), 'the delete seen by the watch');
      assert.ok(evs.some((e) => e.type === 'DELETED' && e.object.metadata?.name === 'failover'));
    } finally {
      ha.close();
    }
  });

  test('servers learned later are added once, by origin, after the current one', () => {
    const c = new Client({ server: 'https://10.0.0.1:6443' });
    assert.deepEqual(c.addServers(['https://10.0.0.2:6443', 'https://10.0.0.1:6443/', 'https://10.0.0.2:6443', 'http://10.0.0.3:6443']), ['https://10.0.0.2:6443']);
    assert.deepEqual(c.servers.map((u) => u.origin), ['https://10.0.0.1:6443', 'https://10.0.0.2:6443']);
    c.close();
  });

  test('with one server, a refused connection is an error', async () => {
    const alone = new Client({ server: `https://127.0.0.1:${await freePort()}` });
    await assert.rejects(alone.resource('v1', 'configmaps').list('default'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    alone.close();
  });

  test('create, get, update and delete a ConfigMap', async () => {
    const created = await cms.create('default', cm('crud'));
    assert.equal(created.metadata?.namespace, 'default');
    assert.ok(created.metadata?.uid);
    const got = await cms.get('default', 'crud');
    assert.deepEqual(got.data, { k: 'crud' });
    got.data = { k: 'changed' };
    const updated = await cms.update('default', got);
    assert.equal(updated.data?.k, 'changed');
    assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
    await cms.delete('default', 'crud');
    await assert.rejects(cms.get('default', 'crud'), isNotFound);
  });

  test('dryRun create validates without storing', async () => {
    const out = await cms.create('default', cm('dry'), { dryRun: true });
    assert.equal(out.metadata?.name, 'dry');
    await assert.rejects(cms.get('default', 'dry'), isNotFound);
  });

  test('failures throw ApiError with the server Status: NotFound, AlreadyExists, Conflict, Invalid', async () => {
    const err = await cms.get('default', 'nope').then(
      () => assert.fail('expected NotFound'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'configmaps "nope" not found');
    assert.equal(err.status.kind, 'Status');
    assert.ok(isNotFound(err) && !isConflict(err) && !isExpired(err));

    const first = await cms.create('default', cm('dup'));
    await assert.rejects(cms.create('default', cm('dup')), (e: unknown) => isAlreadyExists(e) && (e as ApiError).code === 409);
    // A write carrying a stale resourceVersion loses.
    await cms.update('default', { ...first, data: { k: 'v2' } });
    await assert.rejects(cms.update('default', { ...first, data: { k: 'v3' } }), (e: unknown) => isConflict(e) && !isAlreadyExists(e));
    // Delete preconditions are checked by the server.
    await assert.rejects(cms.delete('default', 'dup', { preconditions: { uid: 'not-the-uid' } }), isConflict);
    await cms.delete('default', 'dup', { preconditions: { uid: first.metadata!.uid! } });
    await assert.rejects(cms.create('default', cm('Bad_Name')), (e: unknown) => e instanceof ApiError && e.code === 422 && e.reason === 'Invalid');
  });

  test('list filters by label and field selectors and pages with limit/continue', async () => {
    for (const [n, tier] of [['l1', 'web'], ['l2', 'web'], ['l3', 'db']] as const) await cms.create('default', cm(n, { suite: 'list', tier }));
    const web = await cms.list('default', { labelSelector: 'suite=list,tier=web' });
    assert.deepEqual(web.items.map((i) => i.metadata?.name), ['l1', 'l2']);
    assert.ok(Number(web.metadata.resourceVersion) > 0);
    const notWeb = await cms.list('default', { labelSelector: 'suite=list,tier!=web' });
    assert.deepEqual(notWeb.items.map((i) => i.metadata?.name), ['l3']);
    const byName = await cms.list('default', { fieldSelector: 'metadata.name=l2' });
    assert.deepEqual(byName.items.map((i) => i.metadata?.name), ['l2']);
    const all = await cms.list(undefined, { labelSelector: 'suite=list' });
    assert.equal(all.items.length, 3, 'all namespaces');

    const p1 = await cms.list('default', { labelSelector: 'suite=list', limit: 2 });
    assert.equal(p1.items.length, 2);
    assert.ok(p1.metadata.continue);
    const p2 = await cms.list('default', { labelSelector: 'suite=list', limit: 2, continue: p1.metadata.continue });
    assert.deepEqual(p2.items.map((i) => i.metadata?.name), ['l3']);
    assert.equal(p2.metadata.continue, undefined);
    await assert.rejects(cms.list('default', { labelSelector: 'tier in (web' }), (e: unknown) => e instanceof ApiError && e.code === 400);
  });

  test('merge, JSON, strategic merge and server-side apply patches', async () => {
    await cms.create('default', cm('p', {}, { a: '1', b: '2' }));
    let out = await cms.patch('default', 'p', 'merge', { data: { a: null, c: '3' } });
    assert.deepEqual(out.data, { b: '2', c: '3' });
    out = await cms.patch('default', 'p', 'json', [{ op: 'replace', path: '/data/b', value: 'two' }, { op: 'add', path: '/metadata/labels', value: { x: 'y' } }]);
    assert.deepEqual(out.data, { b: 'two', c: '3' });
    assert.deepEqual(out.metadata?.labels, { x: 'y' });
    await assert.rejects(cms.patch('default', 'p', 'json', [{ op: 'test', path: '/data/b', value: 'nope' }]), (e: unknown) => e instanceof ApiError && e.code === 422);

    const deploys = client.resource('apps/v1', 'deployments');
    await deploys.create('default', deployment('smp'));
    // Strategic merge: containers merge by name, env by name, instead of replacing the list.
    const d = (await deploys.patch('default', 'smp', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }] } } } })) as ReturnType<typeof deployment>;
    const c = d.spec.template.spec.containers;
    assert.equal(c.length, 1);
    assert.equal(c[0]!.image, 'busybox:1');
    assert.deepEqual(c[0]!.env.map((e) => e.name).sort(), ['A', 'B']);

    // Server-side apply: create by apply, then a second manager conflicts unless it forces.
    const applied = await cms.patch('default', 'ssa', 'apply', cm('ssa', {}, { owned: 'by-a' }), { fieldManager: 'a' });
    assert.equal(applied.data?.owned, 'by-a');
    assert.ok(applied.metadata?.managedFields?.some((f) => f.manager === 'a' && f.operation === 'Apply'));
    await assert.rejects(cms.patch('default', 'ssa', 'apply', cm('ssa', {}, { owned: 'by-b' }), { fieldManager: 'b' }), isConflict);
    const forced = await cms.patch('default', 'ssa', 'apply', cm('ssa', {}, { owned: 'by-b' }), { fieldManager: 'b', force: true });
    assert.equal(forced.data?.owned, 'by-b');
    assert.throws(() => cms.patch('default', 'ssa', 'apply', {}), /needs a fieldManager/);
  });

  test('updateStatus writes only the status subresource', async () => {
    const deploys = client.resource<ReturnType<typeof deployment> & { status?: { observedGeneration?: number; replicas?: number } }>('apps/v1', 'deployments');
    const d = await deploys.create('default', deployment('st'));
    const out = await deploys.updateStatus('default', { ...d, spec: { ...d.spec, replicas: 5 }, status: { observedGeneration: 1, replicas: 1 } });
    assert.equal(out.status?.observedGeneration, 1);
    assert.equal(out.spec.replicas, 1, 'spec changes through /status are ignored');
  });

  test('a watch without resourceVersion starts with synthetic ADDED events, then follows changes', async () => {
    for (const n of ['w1', 'w2']) await cms.create('default', cm(n, { suite: 'watch' }));
    const w = cms.watch('default', { labelSelector: 'suite=watch' });
    const initial = await within(collect(w, (e) => e.length === 2), 'synthetic ADDED events');
    assert.deepEqual(initial.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 'w1'], ['ADDED', 'w2']]);

    // From the list's resourceVersion: exactly the changes after it.
    const rv = (await cms.list('default', { labelSelector: 'suite=watch' })).metadata.resourceVersion;
    const w2 = cms.watch('default', { labelSelector: 'suite=watch', resourceVersion: rv, allowWatchBookmarks: true });
    const events = within(
      collect(w2, (e) => e.length === 3),
      'ADDED, MODIFIED, DELETED',
    );
    await cms.create('default', cm('w3', { suite: 'watch' }));
    await cms.patch('default', 'w3', 'merge', { data: { k: 'new' } });
    await cms.delete('default', 'w3');
    const got = await events;
    assert.deepEqual(got.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 'w3'], ['MODIFIED', 'w3'], ['DELETED', 'w3']]);
    assert.equal(got[1]!.object.data?.k, 'new');
  });

  test('close() ends a watch that is waiting for events; iteration just stops', async () => {
    const w = cms.watch('default', { labelSelector: 'suite=none' });
    const done = (async () => {
      const seen: unknown[] = [];
      for await (const ev of w) seen.push(ev);
      return seen;
    })();
    setImmediate(() => w.close());
    assert.deepEqual(await within(done, 'watch ends after close'), []);
  });

  test('a watch on an unknown namespace resource path fails with ApiError on first iteration', async () => {
    const bogus = { group: 'nope.example', version: 'v1', resource: 'things', namespaced: true };
    const w = client.watch(bogus, 'default');
    await assert.rejects(within(collect(w, () => true), 'error'), (e: unknown) => e instanceof ApiError && e.code === 404);
  });
});
