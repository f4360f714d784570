import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePod } from '../testing.ts';
import { SchedulingQueue } from './queue.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('scheduling queue', async (t) => {
  await t.test('active: higher priority first, then first come', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    q.add(makePod('low', {}, { priority: 1 }));
    c.advance(1);
    q.add(makePod('high-late', {}, { priority: 10 }));
    c.advance(1);
    q.add(makePod('low-late', {}, { priority: 1 }));
    q.add(makePod('high-later', {}, { priority: 10 }));
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop())!.info.name);
    assert.deepEqual(order, ['high-late', 'high-later', 'low', 'low-late']);
  });

  await t.test('backoff: 1 s doubling per attempt, capped at 10 s', () => {
    const q = new SchedulingQueue();
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a)), [1000, 2000, 4000, 8000, 10000, 10000]);
  });

  await t.test('a failed pod waits unschedulable until a helpful event, then backs off before active', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now, eventCanHelp: (e, plugins) => !plugins.has('NodeAffinity') || e === 'NodeUpdate' });
    q.add(makePod('p'));
    const p = (await q.pop())!;
    const cycle = q.cycle;
    q.addUnschedulable(p, cycle, { plugins: new Set(['NodeAffinity']) });
    assert.equal(q.poolOf('default/p'), 'unschedulable');
    q.moveAllOnEvent('AssignedPodDelete');
    assert.equal(q.poolOf('default/p'), 'unschedulable', 'a pod delete cannot change node labels');
    q.moveAllOnEvent('NodeUpdate');
    assert.equal(q.poolOf('default/p'), 'backoff', 'still within its 1 s backoff');
    c.advance(1001);
    q.flushBackoffCompleted();
    assert.equal(q.poolOf('default/p'), 'active');
  });

  await t.test('an event during the attempt sends the failed pod to backoff, not unschedulable', async () => {
    const q = new SchedulingQueue();
    q.add(makePod('p'));
    const p = (await q.pop())!;
    const cycle = q.cycle;
    q.moveAllOnEvent('NodeAdd');
    q.addUnschedulable(p, cycle, { plugins: new Set(['NodeResourcesFit']) });
    assert.equal(q.poolOf('default/p'), 'backoff');
  });

  await t.test('unschedulable pods are retried after 5 minutes anyway', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now, eventCanHelp: () => false });
    q.add(makePod('p'));
    const p = (await q.pop())!;
    q.addUnschedulable(p, q.cycle, { plugins: new Set(['X']) });
    c.advance(4 * 60_000);
    q.flushUnschedulableLeftover();
    assert.equal(q.poolOf('default/p'), 'unschedulable');
    c.advance(60_000);
    q.flushUnschedulableLeftover();
    assert.equal(q.poolOf('default/p'), 'active');
  });

  await t.test('a user edit moves an unschedulable pod; a status-only change does not', async () => {
    const q = new SchedulingQueue({ eventCanHelp: () => false });
    const pod = makePod('p');
    q.add(pod);
    const p = (await q.pop())!;
    q.addUnschedulable(p, q.cycle, { plugins: new Set(['X']) });
    const statusOnly = { ...pod, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    q.update(pod, statusOnly);
    assert.equal(q.poolOf('default/p'), 'unschedulable');
    q.update(statusOnly, { ...statusOnly, spec: { ...pod.spec!, nodeSelector: { a: 'b' } } });
    assert.notEqual(q.poolOf('default/p'), 'unschedulable');
  });

  await t.test('pop waits for a pod; delete removes it; close ends waiting', async () => {
    const q = new SchedulingQueue();
    const waiting = q.pop();
    q.add(makePod('w'));
    assert.equal((await waiting)?.info.name, 'w');
    q.add(makePod('gone'));
    q.delete(makePod('gone'));
    assert.equal(q.counts.active, 0);
    const w2 = q.pop();
    q.close();
    assert.equal(await w2, undefined);
  });
});
