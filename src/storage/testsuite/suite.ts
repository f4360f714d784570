// The Store contract: one suite that every backend must pass, so the layers
// above can rely on identical semantics whether the cluster runs on SQLite,
// etcd or memory (containerd's snapshotter testsuite is the model).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError, type Store, type Watch, type WatchEvent } from '../store.ts';
import { guaranteedUpdate } from '../guaranteed.ts';
import { waitFor, within } from '../../../test/support/wait.ts';

export interface StoreFactory {
  /** A fresh, empty store. */
  create(opts: { watchCapacity?: number }): Promise<Store>;
  /** Runs once before the suite (start a server, say). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

export async function take(w: Watch, n: number, what = `${n} watch events`): Promise<WatchEvent[]> {
  const it = w[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await within(it.next(), what);
    if (r.done) throw new Error(`watch ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}

const brief = (e: WatchEvent) => `${e.type} ${e.kv.key}=${e.kv.value}`;

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async (opts: { watchCapacity?: number } = {}) => {
      const s = await factory.create(opts);
      opened.push(s);
      return s;
    };
    before(async () => factory.setup?.());
    after(async () => {
      for (const s of opened) await s.close();
      await factory.teardown?.();
    });

    test('create then get returns the value with equal create and mod revisions', async () => {
      const s = await fresh();
      const kv = await s.create('/r/pods/default/a', 'one');
      assert.equal(kv.value, 'one');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.deepEqual(await s.get('/r/pods/default/a'), kv);
      assert.equal(await s.get('/r/pods/default/missing'), undefined);
    });

    test('creating an existing key fails with AlreadyExists and changes nothing', async () => {
      const s = await fresh();
      const kv = await s.create('/r/x', 'one');
      await assert.rejects(s.create('/r/x', 'two'), (e) => isStoreError(e, 'AlreadyExists'));
      assert.deepEqual(await s.get('/r/x'), kv);
    });

    test('every write gets a strictly greater revision, and currentRevision follows', async () => {
      const s = await fresh();
      const a = await s.create('/r/a', '1');
      const b = await s.create('/r/b', '1');
      const a2 = await s.update('/r/a', '2', a.modRevision);
      const d = await s.delete('/r/b');
      assert.ok(a.modRevision < b.modRevision && b.modRevision < a2.modRevision && a2.modRevision < d.modRevision);
      assert.equal(a2.createRevision, a.createRevision);
      assert.ok((await s.currentRevision()) >= d.modRevision);
    });

    test('update with the current revision succeeds; a stale one is a Conflict carrying the current value', async () => {
      const s = await fresh();
      const v1 = await s.create('/r/k', 'v1');
      const v2 = await s.update('/r/k', 'v2', v1.modRevision);
      await assert.rejects(s.update('/r/k', 'v3', v1.modRevision), (e) => {
        assert.ok(isStoreError(e, 'Conflict'));
        assert.deepEqual(e.current, v2);
        return true;
      });
      assert.equal((await s.get('/r/k'))!.value, 'v2');
      await assert.rejects(s.update('/r/none', 'x', 1), (e) => isStoreError(e, 'NotFound'));
    });

    test('delete returns the last value at the delete revision; preconditions and missing keys are refused', async () => {
      const s = await fresh();
      const v1 = await s.create('/r/k', 'v1');
      const v2 = await s.update('/r/k', 'v2', v1.modRevision);
      await assert.rejects(s.delete('/r/k', v1.modRevision), (e) => isStoreError(e, 'Conflict'));
      assert.equal((await s.get('/r/k'))!.value, 'v2');
      const gone = await s.delete('/r/k', v2.modRevision);
      assert.equal(gone.value, 'v2');
      assert.equal(gone.createRevision, v1.createRevision);
      assert.ok(gone.modRevision > v2.modRevision);
      assert.equal(await s.get('/r/k'), undefined);
      await assert.rejects(s.delete('/r/k'), (e) => isStoreError(e, 'NotFound'));
      const again = await s.create('/r/k', 'v3');
      assert.ok(again.createRevision > gone.modRevision, 'a re-created key starts a new incarnation');
    });

    test('list returns the keys under a prefix in key order, never a sibling prefix', async () => {
      const s = await fresh();
      for (const k of ['/r/pods/ns1/b', '/r/pods/ns1/a', '/r/pods/ns2/c', '/r/podsx/ns1/z', '/r/pod/q']) await s.create(k, k);
      const all = await s.list('/r/pods/');
      assert.deepEqual(all.items.map((i) => i.key), ['/r/pods/ns1/a', '/r/pods/ns1/b', '/r/pods/ns2/c']);
      assert.equal(all.more, false);
      assert.deepEqual((await s.list('/r/pods/ns1/')).items.map((i) => i.key), ['/r/pods/ns1/a', '/r/pods/ns1/b']);
      assert.equal(await s.count('/r/pods/'), 3);
      assert.equal(await s.count('/r/nothing/'), 0);
    });

    test('list pages with limit and startKey, all pages consistent at one revision', async () => {
      const s = await fresh();
      for (let i = 0; i < 7; i++) await s.create(`/r/p/${i}`, String(i));
      const p1 = await s.list('/r/p/', { limit: 3 });
      assert.deepEqual(p1.items.map((i) => i.value), ['0', '1', '2']);
      assert.equal(p1.more, true);
      await s.update('/r/p/4', 'changed', (await s.get('/r/p/4'))!.modRevision);
      await s.create('/r/p/35', 'late');
      const next = (after: string) => after + '\0';
      const p2 = await s.list('/r/p/', { limit: 3, startKey: next(p1.items[2]!.key), revision: p1.revision });
      assert.deepEqual(p2.items.map((i) => i.value), ['3', '4', '5'], 'the second page reads as of the first page, not later writes');
      const p3 = await s.list('/r/p/', { limit: 3, startKey: next(p2.items[2]!.key), revision: p1.revision });
      assert.deepEqual(p3.items.map((i) => i.value), ['6']);
      assert.equal(p3.more, false);
    });

    test('list at an old revision sees the state of that moment, including since-deleted keys', async () => {
      const s = await fresh();
      const a = await s.create('/r/a', 'a1');
      await s.create('/r/b', 'b1');
      const mid = await s.currentRevision();
      await s.update('/r/a', 'a2', a.modRevision);
      await s.delete('/r/b');
      await s.create('/r/c', 'c1');
      const then = await s.list('/r/', { revision: mid });
      assert.deepEqual(then.items.map((i) => `${i.key}=${i.value}`), ['/r/a=a1', '/r/b=b1']);
      const now = await s.list('/r/');
      assert.deepEqual(now.items.map((i) => `${i.key}=${i.value}`), ['/r/a=a2', '/r/c=c1']);
    });

    test('a watch from now delivers later changes in order, with previous values', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const w = s.watch('/r/', { sinceRevision: start });
      const a = await s.create('/r/a', '1');
      await s.create('/q/other', 'not watched');
      await s.update('/r/a', '2', a.modRevision);
      await s.delete('/r/a');
      const evs = await take(w, 3);
      w.close();
      assert.deepEqual(evs.map(brief), ['ADDED /r/a=1', 'MODIFIED /r/a=2', 'DELETED /r/a=2']);
      assert.equal(evs[1]!.prevKv!.value, '1');
      assert.equal(evs[2]!.prevKv!.value, '2');
      assert.ok(evs[0]!.kv.modRevision < evs[1]!.kv.modRevision && evs[1]!.kv.modRevision < evs[2]!.kv.modRevision);
    });

    test('a watch from an old revision replays every change since, then continues live without gaps or repeats', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const written: string[] = [];
      for (let i = 0; i < 20; i++) {
        await s.create(`/r/k${i}`, `v${i}`);
        written.push(`ADDED /r/k${i}=v${i}`);
      }
      const cur = await s.get('/r/k3');
      await s.update('/r/k3', 'v3b', cur!.modRevision);
      written.push('MODIFIED /r/k3=v3b');
      await s.delete('/r/k5');
      written.push('DELETED /r/k5=v5');
      const w = s.watch('/r/', { sinceRevision: start });
      await s.create('/r/k99', 'live');
      await s.update('/r/k4', 'v4b', (await s.get('/r/k4'))!.modRevision);
      written.push('ADDED /r/k99=live', 'MODIFIED /r/k4=v4b');
      const evs = await take(w, written.length);
      assert.deepEqual(evs.map(brief), written);
      for (let i = 1; i < evs.length; i++) assert.ok(evs[i - 1]!.kv.modRevision < evs[i]!.kv.modRevision, 'revision order');
      // Replaying from the middle yields exactly the tail.
      const w2 = s.watch('/r/', { sinceRevision: evs[9]!.kv.modRevision });
      assert.deepEqual((await take(w2, written.length - 10)).map(brief), written.slice(10));
      w.close();
      w2.close();
    });

    test('compaction keeps current state, refuses reads and watches below it with Compacted, and serves those above', async () => {
      const s = await fresh();
      const a = await s.create('/r/a', '1');
      const b = await s.create('/r/b', '1');
      const old = await s.currentRevision();
      const a2 = await s.update('/r/a', '2', a.modRevision);
      await s.delete('/r/b', b.modRevision);
      const c = await s.create('/r/c', '1');
      const point = await s.currentRevision();
      await s.update('/r/a', '3', a2.modRevision);
      await s.compact(point);
      assert.ok((await s.compactRevision()) >= point);
      assert.deepEqual((await s.list('/r/')).items.map((i) => `${i.key}=${i.value}`), ['/r/a=3', '/r/c=1']);
      assert.deepEqual((await s.list('/r/', { revision: point })).items.map((i) => `${i.key}=${i.value}`), ['/r/a=2', '/r/c=1']);
      await assert.rejects(s.list('/r/', { revision: old }), (e) => isStoreError(e, 'Compacted'));
      const w = s.watch('/r/', { sinceRevision: old });
      await assert.rejects(within(w[Symbol.asyncIterator]().next(), 'a Compacted error from a watch below the compaction point'), (e) =>
        isStoreError(e, 'Compacted'),
      );
      const w2 = s.watch('/r/', { sinceRevision: point });
      const evs = await take(w2, 1);
      assert.deepEqual(evs.map(brief), ['MODIFIED /r/a=3']);
      assert.equal(evs[0]!.prevKv?.value, '2', 'the previous value of the first event after the point survives compaction');
      w2.close();
      assert.equal((await s.get('/r/c'))!.createRevision, c.createRevision);
    });

    test('concurrent writers using guaranteedUpdate (revision preconditions) never lose an update', async () => {
      const s = await fresh();
      await s.create('/r/counter', '0');
      const writers = 8;
      const each = 25;
      let attempts = 0;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < each; i++) {
            await guaranteedUpdate(s, '/r/counter', (cur) => {
              attempts++;
              return String(Number(cur.value) + 1);
            });
          }
        }),
      );
      assert.equal((await s.get('/r/counter'))!.value, String(writers * each));
      // With 8 interleaved writers some attempts must collide; if none did, the preconditions were never exercised.
      assert.ok(attempts > writers * each, 'expected conflicts between concurrent writers');
    });

    test('guaranteedUpdate writes nothing when the update function returns undefined, and reports a missing key', async () => {
      const s = await fresh();
      const kv = await s.create('/r/same', 'v');
      assert.deepEqual(await guaranteedUpdate(s, '/r/same', () => undefined), kv);
      assert.equal(await s.currentRevision() >= kv.modRevision, true);
      assert.deepEqual(await s.get('/r/same'), kv);
      await assert.rejects(guaranteedUpdate(s, '/r/none', (c) => c.value), (e) => isStoreError(e, 'NotFound'));
    });

    test('a watcher that falls behind is told with TooSlow after the events it was given, never silently skipped', async () => {
      const capacity = 20;
      const s = await fresh({ watchCapacity: capacity });
      const start = await s.currentRevision();
      const slow = s.watch('/r/', { sinceRevision: start });
      for (let i = 0; i < capacity + 10; i++) await s.create(`/r/k${String(i).padStart(3, '0')}`, String(i));
      await waitFor(() => slow.isClosed, 'the slow watcher to be cut off');
      const it = slow[Symbol.asyncIterator]();
      const got: WatchEvent[] = [];
      let failure: unknown;
      for (;;) {
        try {
          const r = await within(it.next(), 'queued events then the failure');
          if (r.done) break;
          got.push(r.value);
        } catch (e) {
          failure = e;
          break;
        }
      }
      assert.ok(isStoreError(failure, 'TooSlow'), `expected TooSlow, got ${String(failure)}`);
      assert.equal(got.length, capacity, 'every event queued before the cut-off is delivered');
      assert.deepEqual(got.map((e) => e.kv.value), Array.from({ length: capacity }, (_, i) => String(i)));
    });

    test('requestProgress answers with a PROGRESS event after every earlier event, even when nothing under the prefix changed', async () => {
      const s = await fresh();
      const w = s.watch('/r/', { sinceRevision: await s.currentRevision() });
      await s.create('/r/a', '1');
      const outside = await s.create('/q/b', '1');
      w.requestProgress();
      const [added, progress] = await take(w, 2);
      assert.equal(added!.type, 'ADDED');
      assert.equal(progress!.type, 'PROGRESS');
      assert.ok(progress!.kv.modRevision >= outside.modRevision, 'progress covers writes outside the prefix');
      const later = await s.create('/q/c', '1');
      w.requestProgress();
      const [again] = await take(w, 1);
      assert.equal(again!.type, 'PROGRESS');
      assert.ok(again!.kv.modRevision >= later.modRevision);
      w.close();
      // However a backend proves progress, nothing of it shows in reads.
      assert.deepEqual((await s.list('/r/')).items.map((i) => i.key), ['/r/a']);
      assert.deepEqual((await s.list('/r/', { limit: 1 })).items.map((i) => i.key), ['/r/a']);
      assert.equal(await s.count('/r/'), 1);
    });

    test('closing a watch ends its iteration', async () => {
      const s = await fresh();
      const w = s.watch('/r/', { sinceRevision: await s.currentRevision() });
      const pending = w[Symbol.asyncIterator]().next();
      w.close();
      assert.deepEqual(await within(pending, 'the iterator to end'), { value: undefined, done: true });
    });
  });
}
