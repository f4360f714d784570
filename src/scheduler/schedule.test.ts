import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './cache/cache.ts';
import { FitError, fitErrorMessage } from './framework/fiterror.ts';
import { CycleState, unresolvable, unschedulable } from './framework/types.ts';
import { defaultFramework } from './profile.ts';
import { Algorithm, numFeasibleNodesToFind } from './schedule.ts';
import { info, makeNode, makePod, withRequests } from './testing.ts';

test('percentageOfNodesToScore (adaptive)', async (t) => {
  const rows = [
    [50, 50],
    [100, 100],
    [500, 230], // 50 - 4 = 46%
    [1000, 420], // 42%
    [5000, 500], // 50 - 40 = 10%
    [6000, 300], // 2% -> 5%
    [1500, 570], // 38%
  ];
  for (const [n, want] of rows) await t.test(`${n} nodes -> ${want}`, () => assert.equal(numFeasibleNodesToFind(0, n!), want));
  await t.test('an explicit percentage still finds at least 100', () => assert.equal(numFeasibleNodesToFind(1, 1000), 100));
});

test('FitError message: counts per reason, sorted as strings, preemption appended', () => {
  const st = new Map([
    ['a', unschedulable('Insufficient cpu')],
    ['b', unresolvable('node(s) had untolerated taint {dedicated: gpu}')],
    ['c', unschedulable('Insufficient cpu', 'Insufficient memory')],
  ]);
  assert.equal(fitErrorMessage(3, st, '', ''), '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.');
  const e = new FitError(3, st);
  e.setPostFilterMsg('preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  assert.equal(e.message, '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
});

test('the algorithm', async (t) => {
  await t.test('spreads equal pods over equal nodes by least allocation, counting assumed pods', () => {
    const cache = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) cache.addNode(makeNode(n, { cpu: '3' }));
    const alg = new Algorithm(defaultFramework({ cache }), cache);
    const placed: Record<string, number> = {};
    for (let i = 0; i < 9; i++) {
      const p = info(makePod(`p${i}`, withRequests('1')));
      const r = alg.schedule(new CycleState(), p);
      cache.assumePod(p, r.node);
      placed[r.node] = (placed[r.node] ?? 0) + 1;
    }
    assert.deepEqual(placed, { a: 3, b: 3, c: 3 });
    assert.throws(() => alg.schedule(new CycleState(), info(makePod('extra', withRequests('1')))), (e: Error) => e instanceof FitError && e.message === '0/3 nodes are available: 3 Insufficient cpu.');
  });
  await t.test('at 1000 nodes it stops filtering after 420 feasible nodes, starting where it left off', () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 1000; i++) cache.addNode(makeNode(`n${i}`));
    const alg = new Algorithm(defaultFramework({ cache }), cache);
    const r1 = alg.schedule(new CycleState(), info(makePod('a')));
    assert.equal(r1.evaluatedNodes, 420);
    assert.equal(r1.feasibleNodes, 420);
  });
  await t.test('an expired assumption frees the node again', () => {
    let now = 0;
    const cache = new SchedulerCache({ assumedTTLMs: 1000, now: () => now });
    cache.addNode(makeNode('a', { cpu: '1' }));
    const p = info(makePod('p', withRequests('1')));
    cache.assumePod(p, 'a');
    cache.finishBinding(p.uid);
    assert.equal(cache.node('a')!.requested.milliCPU, 1000);
    now = 999;
    assert.equal(cache.cleanupExpired(), 0);
    now = 1000;
    assert.equal(cache.cleanupExpired(), 1);
    assert.equal(cache.node('a')!.requested.milliCPU, 0);
  });
  await t.test('no nodes at all is an error, not a fit error', () => {
    const cache = new SchedulerCache();
    assert.throws(() => new Algorithm(defaultFramework({ cache }), cache).schedule(new CycleState(), info(makePod('p'))), /no nodes available to schedule pods/);
  });
});
