import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodAffinityTerm, PodSpec } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../framework/types.ts';
import type { NodeInfo } from '../../framework/nodeinfo.ts';
import { info, makeNode, makePod, nodeInfo } from '../../testing.ts';
import { InterPodAffinity, REASON_AFFINITY, REASON_ANTI_AFFINITY, REASON_EXISTING_ANTI_AFFINITY } from './interpodaffinity.ts';

const term = (labels: Record<string, string>, topologyKey = 'zone', namespaces?: string[]): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey, namespaces });
const aff = (t: PodAffinityTerm): Partial<PodSpec> => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } });
const anti = (t: PodAffinityTerm): Partial<PodSpec> => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } });

function run(nodes: NodeInfo[], spec: Partial<PodSpec>, labels: Record<string, string> = {}, namespace = 'default') {
  const pl = new InterPodAffinity(() => nodes);
  const p = info(makePod('new', spec, { labels, namespace }));
  const st = new CycleState();
  if (pl.preFilter(st, p).status?.code === 'Skip') return Object.fromEntries(nodes.map((n) => [n.name, null]));
  return Object.fromEntries(nodes.map((n) => [n.name, pl.filter(st, p, n)?.message ?? null]));
}

test('InterPodAffinity Filter', async (t) => {
  const mk = (withPods: Parameters<typeof nodeInfo>[1] = []) => [nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), withPods), nodeInfo(makeNode('a2', { labels: { zone: 'a' } })), nodeInfo(makeNode('b1', { labels: { zone: 'b' } })), nodeInfo(makeNode('x'))];
  const db = makePod('db', {}, { labels: { app: 'db' } });
  const rows = [
    { name: 'affinity: only the zone holding a matching pod', nodes: mk([db]), spec: aff(term({ app: 'db' })), want: { a1: null, a2: null, b1: REASON_AFFINITY, x: REASON_AFFINITY } },
    { name: 'affinity to itself: the first pod may go anywhere the key exists', nodes: mk(), spec: aff(term({ app: 'web' })), labels: { app: 'web' }, want: { a1: null, a2: null, b1: null, x: REASON_AFFINITY } },
    { name: 'affinity with no match anywhere and not self-matching', nodes: mk(), spec: aff(term({ app: 'db' })), want: { a1: REASON_AFFINITY, a2: REASON_AFFINITY, b1: REASON_AFFINITY, x: REASON_AFFINITY } },
    { name: 'anti-affinity: keeps out of the zone with a matching pod', nodes: mk([db]), spec: anti(term({ app: 'db' })), want: { a1: REASON_ANTI_AFFINITY, a2: REASON_ANTI_AFFINITY, b1: null, x: null } },
    { name: 'anti-affinity in another namespace does not see the pod', nodes: mk([db]), spec: anti(term({ app: 'db' })), namespace: 'other', want: { a1: null, a2: null, b1: null, x: null } },
    { name: 'anti-affinity with explicit namespaces sees the pod', nodes: mk([db]), spec: anti(term({ app: 'db' }, 'zone', ['default'])), namespace: 'other', want: { a1: REASON_ANTI_AFFINITY, a2: REASON_ANTI_AFFINITY, b1: null, x: null } },
    {
      name: "an existing pod's anti-affinity keeps a matching newcomer out",
      nodes: mk([makePod('loner', anti(term({ app: 'web' }, 'kubernetes.io/hostname')), { labels: { app: 'x' } })]),
      spec: {},
      labels: { app: 'web' },
      want: { a1: REASON_EXISTING_ANTI_AFFINITY, a2: null, b1: null, x: null },
    },
  ];
  for (const r of rows) await t.test(r.name, () => assert.deepEqual(run(r.nodes, r.spec, r.labels, r.namespace), r.want));
});

test('InterPodAffinity Score: preferred affinity attracts, preferred anti-affinity repels', () => {
  const nodes = [nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), [makePod('db', {}, { labels: { app: 'db' } })]), nodeInfo(makeNode('b1', { labels: { zone: 'b' } }))];
  const pl = new InterPodAffinity(() => nodes);
  const score = (spec: Partial<PodSpec>) => {
    const p = info(makePod('new', spec));
    const st = new CycleState();
    if (pl.preScore(st, p)?.code === 'Skip') return [0, 0];
    const s = nodes.map((n) => pl.score(st, p, n));
    pl.normalizeScore(st, p, s);
    return s;
  };
  assert.deepEqual(score({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }) }] } } }), [100, 0]);
  assert.deepEqual(score({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }) }] } } }), [0, 100]);
});
