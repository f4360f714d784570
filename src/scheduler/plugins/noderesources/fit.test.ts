import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework/types.ts';
import { podRequests } from '../../framework/podinfo.ts';
import { info, makeNode, makePod, nodeInfo, withRequests } from '../../testing.ts';
import { NodeResourcesFit } from './fit.ts';
import { BalancedAllocation } from './balanced.ts';

const fit = new NodeResourcesFit();

test('NodeResourcesFit Filter', async (t) => {
  const rows: { name: string; node: ReturnType<typeof makeNode>; placed?: ReturnType<typeof makePod>[]; pod: ReturnType<typeof makePod>; want: string | null; code?: string }[] = [
    { name: 'fits in free cpu and memory', node: makeNode('n', { cpu: '2', memory: '1Gi' }), pod: makePod('p', withRequests('1', '512Mi')), want: null },
    { name: 'not enough cpu left', node: makeNode('n', { cpu: '2' }), placed: [makePod('a', withRequests('1500m'))], pod: makePod('p', withRequests('1')), want: 'Insufficient cpu', code: 'Unschedulable' },
    { name: 'cpu and memory both short are both reported', node: makeNode('n', { cpu: '1', memory: '1Gi' }), placed: [makePod('a', withRequests('800m', '900Mi'))], pod: makePod('p', withRequests('500m', '200Mi')), want: 'Insufficient cpu, Insufficient memory', code: 'Unschedulable' },
    { name: 'a request beyond the whole node is unresolvable', node: makeNode('n', { cpu: '1' }), pod: makePod('p', withRequests('2')), want: 'Insufficient cpu', code: 'UnschedulableAndUnresolvable' },
    { name: 'pod count', node: makeNode('n', { pods: '1' }), placed: [makePod('a')], pod: makePod('p'), want: 'Too many pods', code: 'Unschedulable' },
    { name: 'extended resource missing on the node', node: makeNode('n'), pod: makePod('p', withRequests('100m', undefined, { 'example.com/gpu': '1' })), want: 'Insufficient example.com/gpu', code: 'UnschedulableAndUnresolvable' },
    { name: 'extended resource present', node: makeNode('n', { extra: { 'example.com/gpu': '2' } }), pod: makePod('p', withRequests('100m', undefined, { 'example.com/gpu': '2' })), want: null },
    { name: 'a best-effort pod fits a full node with pod slots left', node: makeNode('n', { cpu: '1' }), placed: [makePod('a', withRequests('1'))], pod: makePod('p'), want: null },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const s = fit.filter(new CycleState(), info(r.pod), nodeInfo(r.node, r.placed));
      assert.equal(s?.message ?? null, r.want);
      if (r.code) assert.equal(s?.code, r.code);
    });
  }
});

test('pod requests: init containers, sidecars and overhead (Kubernetes PodRequests)', async (t) => {
  const c = (cpu: string, restartPolicy?: string) => ({ name: `c${cpu}${restartPolicy ?? ''}`, image: 'x', resources: { requests: { cpu } }, ...(restartPolicy ? { restartPolicy } : {}) });
  const rows = [
    { name: 'containers sum', spec: { containers: [c('1'), c('2')] }, want: 3000 },
    { name: 'a big init container dominates', spec: { containers: [c('1')], initContainers: [c('3')] }, want: 3000 },
    { name: 'a small init container does not add', spec: { containers: [c('2')], initContainers: [c('1')] }, want: 2000 },
    { name: 'sidecars add to the containers', spec: { containers: [c('1')], initContainers: [c('500m', 'Always')] }, want: 1500 },
    { name: 'an init step after a sidecar counts the sidecar', spec: { containers: [c('100m')], initContainers: [c('1', 'Always'), c('2')] }, want: 3000 },
    { name: 'overhead is added', spec: { containers: [c('1')], overhead: { cpu: '250m' } }, want: 1250 },
    { name: 'limits stand in for missing requests', spec: { containers: [{ name: 'l', image: 'x', resources: { limits: { cpu: '700m' } } }] }, want: 700 },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(podRequests(makePod('p', r.spec as never)).milliCPU, r.want));
});

test('NodeResourcesFit LeastAllocated and BalancedAllocation scores', async (t) => {
  const empty = nodeInfo(makeNode('a', { cpu: '4', memory: '8Gi' }));
  const half = nodeInfo(makeNode('b', { cpu: '4', memory: '8Gi' }), [makePod('x', withRequests('2', '4Gi'))]);
  const p = info(makePod('p', withRequests('1', '2Gi')));
  await t.test('the emptier node scores higher', () => {
    assert.equal(fit.score(new CycleState(), p, empty), 75);
    assert.equal(fit.score(new CycleState(), p, half), 25);
  });
  await t.test('balanced use of cpu and memory scores 100, lopsided less', () => {
    const b = new BalancedAllocation();
    assert.equal(b.score(new CycleState(), p, empty), 100);
    const cpuHeavy = info(makePod('q', withRequests('4', '0')));
    assert.equal(b.score(new CycleState(), cpuHeavy, empty), 50);
    assert.equal(b.preScore(new CycleState(), info(makePod('be')))?.code, 'Skip');
  });
});
