import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorRequirement } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../framework/types.ts';
import { info, makeNode, makePod, nodeInfo } from '../../testing.ts';
import { NodeAffinity, REASON } from './nodeaffinity.ts';
import { requirementMatches } from './match.ts';

test('node selector requirements', async (t) => {
  const rows: { name: string; r: NodeSelectorRequirement; v: string | undefined; want: boolean }[] = [
    { name: 'In matches a listed value', r: { key: 'k', operator: 'In', values: ['a', 'b'] }, v: 'b', want: true },
    { name: 'In without the label', r: { key: 'k', operator: 'In', values: ['a'] }, v: undefined, want: false },
    { name: 'NotIn without the label matches', r: { key: 'k', operator: 'NotIn', values: ['a'] }, v: undefined, want: true },
    { name: 'Exists', r: { key: 'k', operator: 'Exists' }, v: '', want: true },
    { name: 'DoesNotExist', r: { key: 'k', operator: 'DoesNotExist' }, v: 'x', want: false },
    { name: 'Gt compares integers', r: { key: 'k', operator: 'Gt', values: ['10'] }, v: '11', want: true },
    { name: 'Lt compares integers, not strings', r: { key: 'k', operator: 'Lt', values: ['10'] }, v: '9', want: true },
    { name: 'Gt with a non-integer label fails', r: { key: 'k', operator: 'Gt', values: ['10'] }, v: 'big', want: false },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(requirementMatches(r.r, r.v), r.want));
});

test('NodeAffinity Filter', async (t) => {
  const pl = new NodeAffinity();
  const node = nodeInfo(makeNode('n1', { labels: { zone: 'a', disk: 'ssd' } }));
  const rows = [
    { name: 'no selector: PreFilter skips', spec: {}, skip: true, want: null },
    { name: 'nodeSelector matches', spec: { nodeSelector: { zone: 'a' } }, want: null },
    { name: 'nodeSelector mismatch', spec: { nodeSelector: { zone: 'b' } }, want: REASON },
    { name: 'terms are ORed', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] } } } }, want: null },
    { name: 'expressions in a term are ANDed', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'DoesNotExist' }] }] } } } }, want: REASON },
    { name: 'matchFields on metadata.name', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } }, want: null },
    { name: 'an empty term matches nothing', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }, want: REASON },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const p = info(makePod('p', r.spec as never));
      const st = new CycleState();
      assert.equal(pl.preFilter(st, p).status?.code === 'Skip', r.skip ?? false);
      assert.equal(pl.filter(st, p, node)?.message ?? null, r.want);
    });
  }
});

test('NodeAffinity preferred terms score by weight', () => {
  const pl = new NodeAffinity();
  const p = info(makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }, { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } }));
  const st = new CycleState();
  assert.equal(pl.preScore(st, p), null);
  const scores = [makeNode('x', { labels: { zone: 'a' } }), makeNode('y', { labels: { zone: 'a', disk: 'ssd' } }), makeNode('z')].map((n) => pl.score(st, p, nodeInfo(n)));
  assert.deepEqual(scores, [20, 100, 0]);
  pl.normalizeScore(st, p, scores);
  assert.deepEqual(scores, [20, 100, 0]);
});
