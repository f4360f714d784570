import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../cache/cache.ts';
import { CycleState, type Status } from '../../framework/types.ts';
import type { PodInfo } from '../../framework/podinfo.ts';
import { defaultFramework } from '../../profile.ts';
import { makeNode, makePod, info, withRequests } from '../../testing.ts';
import { pickCandidate } from './defaultpreemption.ts';

function setup() {
  const cache = new SchedulerCache();
  const evicted: string[] = [];
  const fw = defaultFramework({ cache, preemption: { evict: async (v: PodInfo) => void evicted.push(v.name) } });
  return { cache, fw, evicted };
}

function statusesFor(fw: ReturnType<typeof setup>['fw'], cache: SchedulerCache, p: PodInfo, st: CycleState) {
  fw.runPreFilter(st, p, cache.nodeList());
  const m = new Map<string, Status>();
  for (const n of cache.nodeList()) {
    const s = fw.runFilter(st, p, n);
    if (s) m.set(n.name, s);
  }
  return m;
}

test('DefaultPreemption', async (t) => {
  await t.test('evicts the fewest, lowest-priority pods on the best node and nominates it', async () => {
    const { cache, fw, evicted } = setup();
    cache.addNode(makeNode('a', { cpu: '2' }));
    cache.addNode(makeNode('b', { cpu: '2' }));
    for (const [name, node, prio] of [['a-low', 'a', 10], ['a-mid', 'a', 50], ['b-mid1', 'b', 50], ['b-mid2', 'b', 50]] as const) cache.addPod(makePod(name, withRequests('1'), { nodeName: node, priority: prio }));
    const p = info(makePod('high', withRequests('1'), { priority: 100 }));
    const st = new CycleState();
    const r = await fw.runPostFilter(st, p, statusesFor(fw, cache, p, st));
    assert.equal(r.status, null);
    assert.equal(r.result?.nominatedNodeName, 'a');
    assert.deepEqual(evicted, ['a-low']);
  });
  await t.test('no lower-priority pods: Kubernetes\' message, per node', async () => {
    const { cache, fw, evicted } = setup();
    cache.addNode(makeNode('a', { cpu: '1' }));
    cache.addNode(makeNode('t', { cpu: '4', taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    cache.addPod(makePod('same', withRequests('1'), { nodeName: 'a', priority: 100 }));
    const p = info(makePod('p', withRequests('1'), { priority: 100 }));
    const st = new CycleState();
    const r = await fw.runPostFilter(st, p, statusesFor(fw, cache, p, st));
    assert.equal(r.status?.message, 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
    assert.deepEqual(evicted, []);
  });
  await t.test('preemptionPolicy Never is not eligible', async () => {
    const { cache, fw } = setup();
    cache.addNode(makeNode('a', { cpu: '1' }));
    const p = info(makePod('p', { ...withRequests('2'), preemptionPolicy: 'Never' }, { priority: 100 }));
    const st = new CycleState();
    const r = await fw.runPostFilter(st, p, statusesFor(fw, cache, p, st));
    assert.equal(r.status?.message, 'preemption: not eligible due to preemptionPolicy=Never.');
  });
  await t.test('candidate order: lowest top priority, then lowest sum, then fewest victims', () => {
    const v = (priority: number) => ({ priority }) as PodInfo;
    assert.equal(pickCandidate([{ node: 'x', victims: [v(5)] }, { node: 'y', victims: [v(1), v(1)] }])?.node, 'y');
    assert.equal(pickCandidate([{ node: 'x', victims: [v(1), v(1)] }, { node: 'y', victims: [v(1)] }])?.node, 'y');
  });
});
