import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../../api/labels.ts';
import { CycleState } from '../../framework/types.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { info, makeNode, makePod, nodeInfo } from '../../testing.ts';
import { PodTopologySpread, REASON, REASON_MISSING_LABEL } from './podtopologyspread.ts';

const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const app = { app: 'web' };
const hard = (maxSkew: number, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({ maxSkew, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: app }, ...extra });
const web = (n: string) => makePod(n, {}, { labels: app });

function cluster(): NodeInfo[] {
  // zone a: 2 matching pods; zone b: 0; zone c: 1. Node "nolabel" has no zone.
  return [nodeInfo(makeNode('a1', { labels: zone('a') }), [web('w1'), web('w2')]), nodeInfo(makeNode('b1', { labels: zone('b') })), nodeInfo(makeNode('c1', { labels: zone('c') }), [web('w3'), makePod('other', {}, { labels: { app: 'db' } })]), nodeInfo(makeNode('nolabel'))];
}

test('PodTopologySpread Filter (DoNotSchedule)', async (t) => {
  const rows = [
    { name: 'maxSkew 1: only the emptiest zone', c: hard(1), want: { a1: REASON, b1: null, c1: REASON, nolabel: REASON_MISSING_LABEL } },
    { name: 'maxSkew 2: zone c too', c: hard(2), want: { a1: REASON, b1: null, c1: null, nolabel: REASON_MISSING_LABEL } },
    { name: 'minDomains above the domain count makes the global minimum 0', c: hard(2, { minDomains: 5 }), want: { a1: REASON, b1: null, c1: null, nolabel: REASON_MISSING_LABEL } },
    { name: 'a pod not matching its own selector does not count itself', c: { ...hard(2), labelSelector: { matchLabels: { app: 'other' } } }, want: { a1: null, b1: null, c1: null, nolabel: REASON_MISSING_LABEL } },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const nodes = cluster();
      const pl = new PodTopologySpread(() => nodes);
      const p = info(makePod('new', { topologySpreadConstraints: [r.c] }, { labels: app }));
      const st = new CycleState();
      assert.equal(pl.preFilter(st, p).status, null);
      const got = Object.fromEntries(nodes.map((n) => [n.name, pl.filter(st, p, n)?.message ?? null]));
      assert.deepEqual(got, r.want);
    });
  }
  await t.test('no constraints: PreFilter skips', () => {
    assert.equal(new PodTopologySpread(() => []).preFilter(new CycleState(), info(makePod('x'))).status?.code, 'Skip');
  });
});

test('PodTopologySpread Score (ScheduleAnyway and system defaults)', async (t) => {
  await t.test('fewer matching pods in the zone score higher', () => {
    const nodes = cluster().slice(0, 3);
    const pl = new PodTopologySpread(() => nodes);
    const p = info(makePod('new', { topologySpreadConstraints: [{ ...hard(1), whenUnsatisfiable: 'ScheduleAnyway' }] }, { labels: app }));
    const st = new CycleState();
    assert.equal(pl.preScore(st, p, nodes), null);
    const scores = nodes.map((n) => pl.score(st, p, n));
    pl.normalizeScore(st, p, scores);
    assert.ok(scores[1]! > scores[2]! && scores[2]! > scores[0]!, `b > c > a: ${scores}`);
    assert.equal(scores[1], 100);
  });
  await t.test('without own constraints, the system defaults spread pods a service selects', () => {
    const nodes = cluster().slice(0, 3);
    const pl = new PodTopologySpread(() => nodes, () => [selectorFromSet(app)]);
    const p = info(makePod('new', {}, { labels: app }));
    const st = new CycleState();
    assert.equal(pl.preScore(st, p, nodes), null);
    const scores = nodes.map((n) => pl.score(st, p, n));
    pl.normalizeScore(st, p, scores);
    assert.equal(Math.max(...scores), scores[1]);
  });
  await t.test('without own constraints or selecting workloads, scoring is skipped', () => {
    const nodes = cluster();
    assert.equal(new PodTopologySpread(() => nodes, () => []).preScore(new CycleState(), info(makePod('x', {}, { labels: app })), nodes)?.code, 'Skip');
  });
});
