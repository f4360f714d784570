import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../framework/types.ts';
import { info, makeNode, makePod, nodeInfo } from '../../testing.ts';
import { TaintToleration } from './tainttoleration.ts';
import { tolerates } from './tolerations.ts';

const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

test('toleration matching (ToleratesTaint)', async (t) => {
  const rows: { name: string; tol: Toleration; taint: Taint; want: boolean }[] = [
    { name: 'Equal with same key, value, effect', tol: { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint: gpu, want: true },
    { name: 'Equal with another value', tol: { key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, taint: gpu, want: false },
    { name: 'empty operator means Equal', tol: { key: 'dedicated', value: 'gpu' }, taint: gpu, want: true },
    { name: 'Exists on the key, any value', tol: { key: 'dedicated', operator: 'Exists' }, taint: gpu, want: true },
    { name: 'empty key with Exists tolerates everything', tol: { operator: 'Exists' }, taint: gpu, want: true },
    { name: 'effect must match when set', tol: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint: gpu, want: false },
    { name: 'an unknown operator tolerates nothing', tol: { key: 'dedicated', operator: 'Sometimes', value: 'gpu' }, taint: gpu, want: false },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(tolerates(r.tol, r.taint), r.want));
});

test('TaintToleration Filter and Score', async (t) => {
  const pl = new TaintToleration();
  const rows = [
    { name: 'untainted node fits', taints: [] as Taint[], tol: [] as Toleration[], want: null },
    { name: 'NoSchedule taint not tolerated', taints: [gpu], tol: [], want: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'NoExecute taint not tolerated', taints: [{ key: 'k', effect: 'NoExecute' }], tol: [], want: 'node(s) had untolerated taint {k: }' },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }], tol: [], want: null },
    { name: 'tolerated taint fits', taints: [gpu], tol: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], want: null },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const s = pl.filter(new CycleState(), info(makePod('p', { tolerations: r.tol })), nodeInfo(makeNode('n', { taints: r.taints })));
      assert.equal(s?.message ?? null, r.want);
      if (s) assert.equal(s.code, 'UnschedulableAndUnresolvable');
    });
  }
  await t.test('PreferNoSchedule taints lower the score, reversed and normalized', () => {
    const st = new CycleState();
    const p = info(makePod('p'));
    pl.preScore(st, p);
    const nodes = [makeNode('a'), makeNode('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), makeNode('c', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] })];
    const scores = nodes.map((n) => pl.score(st, p, nodeInfo(n)));
    pl.normalizeScore(st, p, scores);
    assert.deepEqual(scores, [100, 50, 0]);
  });
});
