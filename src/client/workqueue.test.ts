import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor, within } from '../../test/support/wait.ts';
import { runWorkers } from './controller.ts';
import { ExponentialRateLimiter, WorkQueue } from './workqueue.ts';

describe('WorkQueue', () => {
  test('a key added many times while it waits is handed out once, in first-add order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
    assert.equal(q.length, 0);
  });

  test('a key being processed is not handed to a second worker; re-added, it comes back after done', async () => {
    const q = new WorkQueue();
    q.add('k');
    const first = await q.get();
    assert.equal(first, 'k');
    q.add('k');
    q.add('k');
    assert.equal(q.length, 0, 'the re-added key waits for done');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, undefined, 'a second worker gets nothing while k is processing');
    q.done('k');
    await waitFor(() => second === 'k', 'k handed out again after done');
    q.done('k');
    assert.equal(q.length, 0);
  });

  test('workers never sync one key concurrently, and every add after a sync started is seen', async () => {
    const q = new WorkQueue();
    const active = new Set<string>();
    const synced: string[] = [];
    let overlap = false;
    const workers = runWorkers(q, 4, async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      await new Promise((r) => setImmediate(r));
      synced.push(key);
      active.delete(key);
    });
    for (let i = 0; i < 50; i++) {
      q.add(`k${i % 3}`);
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => q.length === 0 && active.size === 0, 'queue idle');
    await within(q.shutDown(), 'shutdown');
    await within(workers, 'workers exit');
    assert.equal(overlap, false);
    for (const k of ['k0', 'k1', 'k2']) assert.ok(synced.includes(k));
  });

  test('the rate limiter doubles from 5 ms per failure up to 1000 s, and forget resets it', () => {
    const rl = new ExponentialRateLimiter<string>();
    const delays = Array.from({ length: 5 }, () => rl.when('x'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(rl.when('y'), 5, 'keys are counted separately');
    assert.equal(rl.numRequeues('x'), 5);
    for (let i = 0; i < 100; i++) rl.when('x');
    assert.equal(rl.when('x'), 1_000_000);
    rl.forget('x');
    assert.equal(rl.numRequeues('x'), 0);
    assert.equal(rl.when('x'), 5);
  });

  test('addRateLimited requeues after a growing delay; forget starts over', async () => {
    const q = new WorkQueue();
    const t0 = Date.now();
    q.addRateLimited('a'); // 5 ms
    assert.equal(q.length, 0, 'not queued at once');
    assert.equal(await within(q.get(), 'first retry'), 'a');
    q.done('a');
    q.addRateLimited('a'); // 10 ms
    q.addRateLimited('a'); // 20 ms, but the earlier 10 ms wait stands
    assert.equal(q.numRequeues('a'), 3);
    assert.equal(await within(q.get(), 'second retry'), 'a');
    assert.ok(Date.now() - t0 >= 15, 'both delays elapsed');
    q.done('a');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  test('addAfter delays a key, and a shorter later addAfter wins', async () => {
    const q = new WorkQueue();
    const t0 = Date.now();
    q.addAfter('slow', 60_000);
    q.addAfter('slow', 20);
    assert.equal(await within(q.get(), 'delayed key', 2000), 'slow');
    assert.ok(Date.now() - t0 >= 19);
    q.done('slow');
  });

  test('runWorkers requeues a failing key with backoff and forgets it once it succeeds', async () => {
    const q = new WorkQueue();
    let calls = 0;
    const errors: unknown[] = [];
    const workers = runWorkers(
      q,
      2,
      async () => {
        calls++;
        if (calls < 4) throw new Error(`fail ${calls}`);
      },
      { onError: (_k, e) => errors.push(e) },
    );
    q.add('flaky');
    await waitFor(() => calls === 4, 'four syncs of the flaky key');
    await waitFor(() => q.numRequeues('flaky') === 0, 'failures forgotten after success');
    assert.equal(errors.length, 3);
    await within(q.shutDown(), 'shutdown');
    await within(workers, 'workers exit');
  });

  test('shutDown wakes idle getters, ignores new adds, drops delayed keys and waits for keys in processing', async () => {
    const q = new WorkQueue();
    const idle = q.get();
    q.add('busy'); // goes straight to the idle getter
    assert.equal(await idle, 'busy');
    const idle2 = q.get();
    q.addAfter('later', 60_000); // a pending timer that must not keep the process alive
    let drained = false;
    const shut = q.shutDown().then(() => (drained = true));
    assert.equal(await within(idle2, 'idle getter woken'), undefined);
    q.add('new');
    assert.equal(q.length, 0, 'adds after shutdown are ignored');
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false, 'busy is still processing');
    q.done('busy');
    await within(shut, 'drain');
    assert.equal(drained, true);
    assert.equal(await q.get(), undefined);
  });

  test('keys queued before shutDown are still handed out', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    const shut = q.shutDown();
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(await q.get(), 'b');
    q.done('b');
    await within(shut, 'drain');
    assert.equal(await q.get(), undefined);
  });
});
