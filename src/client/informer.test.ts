import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';
import { waitFor, within } from '../../test/support/wait.ts';
import { Informer, keyOf, splitKey, type ListerWatcher } from './informer.ts';
import { Client, type KubeObject, type ListOptions, type ResourceHandle, type WatchOptions } from './rest.ts';
import type { Watch, WatchEvent } from './watch.ts';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cm = (name: string, labels: Record<string, string>, data: Record<string, string> = { k: name }): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

/**
 * A ListerWatcher around the real one that can cut the current watch and hold
 * the next one back, as a network partition would: the informer then resumes
 * from a resourceVersion that may have fallen out of the server's history.
 */
class PartitionableSource<T> implements ListerWatcher<T> {
  watchFrom: (string | undefined)[] = [];
  /** ERROR events the server sent, by Status code. */
  errorCodes: number[] = [];
  private current: Watch<T> | undefined;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(private readonly inner: ListerWatcher<T>) {}

  list(ns: string | undefined, o?: ListOptions) {
    return this.inner.list(ns, o);
  }

  watch(ns: string | undefined, o?: WatchOptions): Watch<T> {
    this.watchFrom.push(o?.resourceVersion);
    const held = this.held;
    const inner = this.inner;
    const errorCodes = this.errorCodes;
    let real: Watch<T> | undefined;
    let closed = false;
    let onClose = () => {};
    const closedP = new Promise<void>((r) => (onClose = r));
    const w: Watch<T> = {
      close() {
        closed = true;
        onClose();
        real?.close();
      },
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>> {
        if (held) await Promise.race([held, closedP]);
        if (closed) return;
        real = inner.watch(ns, o);
        for await (const ev of real) {
          if (ev.type === 'ERROR') errorCodes.push((ev.object as { code: number }).code);
          yield ev;
        }
      },
    };
    this.current = w;
    return w;
  }

  /** Ends the open watch; the next one waits for heal(). */
  partition(): void {
    this.held = new Promise((r) => (this.release = r));
    this.current?.close();
  }

  heal(): void {
    this.held = undefined;
    this.release?.();
  }
}

describe('Informer against a real cluster', () => {
  let cluster: TestCluster;
  let client: Client;
  let cms: ResourceHandle<ConfigMap>;

  before(async () => {
    // A short watch history: a watch resuming after a few writes gets 410 Expired.
    cluster = await startTestCluster({ watchCacheHistory: 5 });
    client = Client.fromKubeconfig(cluster.kubeconfig);
    cms = client.resource<ConfigMap>('v1', 'configmaps');
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  test('syncs the initial list, then follows adds, updates and deletes, with an index', async () => {
    for (const [n, tier] of [['a', 'web'], ['b', 'web'], ['c', 'db']] as const) await cms.create('default', cm(n, { suite: 'events', tier }));
    await cms.create('default', cm('other', { suite: 'elsewhere' }));

    const added: string[] = [];
    const updated: [string | undefined, string | undefined][] = [];
    const deleted: string[] = [];
    const inf = new Informer(cms, { namespace: 'default', labelSelector: 'suite=events' })
      .onAdd((o) => added.push(keyOf(o)))
      .onUpdate((o, n) => updated.push([o.data?.k, n.data?.k]))
      .onDelete((o) => deleted.push(keyOf(o)))
      .addIndex('tier', (o) => [o.metadata?.labels?.tier ?? '']);
    assert.equal(inf.hasSynced, false);
    inf.start();
    try {
      assert.equal(await within(inf.waitForSync(), 'initial sync'), true);
      assert.equal(inf.hasSynced, true);
      assert.deepEqual(inf.keys().sort(), ['default/a', 'default/b', 'default/c']);
      assert.deepEqual(added.sort(), ['default/a', 'default/b', 'default/c']);
      assert.deepEqual(inf.byIndex('tier', 'web').map(keyOf).sort(), ['default/a', 'default/b']);

      await cms.create('default', cm('d', { suite: 'events', tier: 'db' }));
      await waitFor(() => inf.get('default/d'), 'd added');
      assert.ok(added.includes('default/d'));
      assert.deepEqual(inf.byIndex('tier', 'db').map(keyOf).sort(), ['default/c', 'default/d']);

      await cms.patch('default', 'a', 'merge', { metadata: { labels: { tier: 'db' } }, data: { k: 'a2' } });
      await waitFor(() => inf.get('default/a')?.data?.k === 'a2', 'a updated');
      assert.deepEqual(updated, [['a', 'a2']]);
      assert.deepEqual(inf.byIndex('tier', 'web').map(keyOf), ['default/b'], 'a left the web index');
      assert.deepEqual(inf.byIndex('tier', 'db').map(keyOf).sort(), ['default/a', 'default/c', 'default/d']);

      await cms.delete('default', 'b');
      await waitFor(() => !inf.get('default/b'), 'b deleted');
      assert.deepEqual(deleted, ['default/b']);
      assert.deepEqual(inf.byIndex('tier', 'web'), []);
      // An object leaving the selector is a delete for this informer.
      await cms.patch('default', 'c', 'merge', { metadata: { labels: { suite: 'gone' } } });
      await waitFor(() => !inf.get('default/c'), 'c left the selector');
      assert.deepEqual(deleted, ['default/b', 'default/c']);
      assert.equal(inf.listCount, 1, 'no relist was needed');
    } finally {
      await within(inf.stop(), 'stop');
    }
  });

  test('resumes from its last resourceVersion after a cut watch, and relists on 410 Expired', async () => {
    for (const n of ['keep', 'change', 'remove']) await cms.create('default', cm(n, { suite: 'expiry' }));
    const source = new PartitionableSource<ConfigMap>(cms);
    const events: string[] = [];
    const errors: unknown[] = [];
    const inf = new Informer(source, { namespace: 'default', labelSelector: 'suite=expiry', initialBackoffMs: 10, onError: (e) => errors.push(e) })
      .onAdd((o) => events.push(`add ${o.metadata?.name}`))
      .onUpdate((_o, n) => events.push(`update ${n.metadata?.name}`))
      .onDelete((o) => events.push(`delete ${o.metadata?.name}`));
    inf.start();
    try {
      await within(inf.waitForSync(), 'initial sync');
      await waitFor(() => source.watchFrom.length === 1, 'first watch');
      const listRV = source.watchFrom[0];
      assert.ok(listRV, 'the first watch starts at the list resourceVersion');
      events.length = 0;

      // A short cut: the informer watches again from where it was, no relist.
      source.partition();
      await cms.create('default', cm('during-short-cut', { suite: 'expiry' }));
      source.heal();
      await waitFor(() => inf.get('default/during-short-cut'), 'event after the short cut');
      assert.equal(inf.listCount, 1);
      assert.equal(source.watchFrom.at(-1), listRV, 'resumed from the last resourceVersion it saw');

      // A long cut: more writes than the server's history holds.
      source.partition();
      await waitFor(() => source.watchFrom.length >= 3, 'the informer tried to watch again');
      const staleRV = source.watchFrom.at(-1)!;
      events.length = 0;
      await cms.patch('default', 'change', 'merge', { data: { k: 'changed' } });
      await cms.delete('default', 'remove');
      for (let i = 0; i < 6; i++) await cms.create('default', cm(`new${i}`, { suite: 'expiry' }));
      source.heal();

      const expected = (await cms.list('default', { labelSelector: 'suite=expiry' })).items.map(keyOf).sort();
      await waitFor(() => inf.listCount === 2, 'a relist after 410');
      assert.deepEqual(source.errorCodes, [410], 'the server answered the stale watch with 410 Expired');
      assert.deepEqual(errors, [], '410 is routine, not an error');
      await waitFor(() => JSON.stringify(inf.keys().sort()) === JSON.stringify(expected), 'cache converged with the server');
      assert.equal(inf.get('default/change')?.data?.k, 'changed');
      assert.equal(inf.get('default/remove'), undefined);
      // Replace semantics: the vanished object is a delete, the changed one an
      // update, unchanged ones say nothing.
      assert.ok(events.includes('delete remove'), events.join(', '));
      assert.ok(events.includes('update change'), events.join(', '));
      assert.ok(!events.some((e) => e.endsWith(' keep')), events.join(', '));
      for (let i = 0; i < 6; i++) assert.ok(events.includes(`add new${i}`));
      assert.ok(Number(inf.lastResourceVersion) > Number(staleRV));

      // And it follows the server again after the relist.
      await cms.create('default', cm('after', { suite: 'expiry' }));
      await waitFor(() => inf.get('default/after'), 'watch after relist');
    } finally {
      await within(inf.stop(), 'stop');
    }
  });
});

describe('Informer without a server', () => {
  test('backs off on connection errors, reports them, and stops promptly before syncing', async () => {
    let lists = 0;
    const failing: ListerWatcher<ConfigMap> = {
      list: async () => {
        lists++;
        throw new Error('connect ECONNREFUSED');
      },
      watch: () => assert.fail('no watch before a list succeeds'),
    };
    const errors: unknown[] = [];
    const inf = new Informer(failing, { initialBackoffMs: 20, maxBackoffMs: 40, onError: (e) => errors.push(e) }).start();
    const synced = inf.waitForSync();
    await waitFor(() => lists >= 3, 'retries');
    assert.ok(errors.length >= 2);
    // Backoff is bounded: 3 tries in 20..40 ms steps, not a hot loop.
    assert.ok(lists < 20, `${lists} lists`);
    await within(inf.stop(), 'stop during backoff', 1000);
    assert.equal(await synced, false);
    assert.equal(inf.hasSynced, false);
  });

  test('an ERROR event that is not 410 also relists, after a backoff, and is reported', async () => {
    let lists = 0;
    const obj = (name: string, rv: string): ConfigMap => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
    const source: ListerWatcher<ConfigMap> = {
      list: async () => {
        lists++;
        return lists === 1 ? { items: [obj('a', '1'), obj('b', '1')], metadata: { resourceVersion: '1' } } : { items: [obj('a', '3')], metadata: { resourceVersion: '3' } };
      },
      watch: () => {
        const events: WatchEvent<ConfigMap>[] =
          lists === 1 ? [{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' } as ConfigMap }] : [];
        let closed = false;
        return {
          close: () => void (closed = true),
          async *[Symbol.asyncIterator]() {
            yield* events;
            // Then stay open until closed, like an idle watch.
            await waitFor(() => closed, 'watch closed', 5000, 5);
          },
        };
      },
    };
    const errors: unknown[] = [];
    const seen: string[] = [];
    const inf = new Informer(source, { initialBackoffMs: 10, onError: (e) => errors.push(e) })
      .onUpdate((_o, n) => seen.push(`update ${n.metadata?.name}`))
      .onDelete((o) => seen.push(`delete ${o.metadata?.name}`))
      .start();
    try {
      await waitFor(() => inf.listCount === 2, 'relist after ERROR');
      assert.deepEqual(inf.keys(), ['ns/a']);
      assert.deepEqual(seen, ['update a', 'delete b']);
      assert.match(String(errors[0]), /watch ERROR: boom/);
    } finally {
      await within(inf.stop(), 'stop');
    }
  });

  test('keys split into namespace and name', () => {
    assert.deepEqual(splitKey('ns/n'), { namespace: 'ns', name: 'n' });
    assert.deepEqual(splitKey('node1'), { namespace: '', name: 'node1' });
    assert.equal(keyOf({ metadata: { name: 'n', namespace: 'ns' } }), 'ns/n');
  });
});
