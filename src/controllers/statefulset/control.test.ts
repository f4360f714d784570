import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { syncStatefulSet, type Revisions, type StatefulSetOps } from './control.ts';
import { newStatefulSetPod } from './identity.ts';

const tpl = { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const revs: Revisions = { current: { name: 'w-old', template: tpl }, update: { name: 'w-new', template: tpl } };
const set = (o: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'w', namespace: 'ns', uid: 'u', generation: 1 },
  spec: { selector: { matchLabels: { app: 'w' } }, serviceName: 'w', replicas: 3, template: tpl, ...o },
});
const pod = (s: StatefulSet, ord: number, rev: string, ready = true): Pod => {
  const p = newStatefulSetPod(s, tpl, ord, rev);
  return {
    ...p,
    metadata: { ...p.metadata, uid: `uid-${ord}` },
    status: ready ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } : { phase: 'Pending' },
  };
};
function fakeOps() {
  const log: string[] = [];
  const ops: StatefulSetOps = {
    claimExists: () => false,
    createClaim: async (_s, c) => void log.push(`claim ${c.metadata!.name}`),
    createPod: async (_s, p) => void log.push(`create ${p.metadata!.name}`),
    deletePod: async (_s, p) => void log.push(`delete ${p.metadata!.name}`),
  };
  return { ops, log };
}

test('OrderedReady creates one pod and waits; Parallel creates all', async () => {
  const a = fakeOps();
  await syncStatefulSet(set(), [pod(set(), 0, 'w-new', false)], revs, a.ops);
  assert.deepEqual(a.log, [], 'web-0 is not ready: nothing more');
  const b = fakeOps();
  await syncStatefulSet(set(), [pod(set(), 0, 'w-new')], revs, b.ops);
  assert.deepEqual(b.log, ['create w-1']);
  const c = fakeOps();
  await syncStatefulSet(set({ podManagementPolicy: 'Parallel' }), [], revs, c.ops);
  assert.deepEqual(c.log, ['create w-0', 'create w-1', 'create w-2']);
});

test('claims come before their pod', async () => {
  const s = set({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] });
  const f = fakeOps();
  await syncStatefulSet(s, [], revs, f.ops);
  assert.deepEqual(f.log, ['claim data-w-0', 'create w-0']);
});

test('scale down removes the highest ordinal first, and only when the rest are healthy', async () => {
  const s = set({ replicas: 1 });
  const f = fakeOps();
  await syncStatefulSet(s, [0, 1, 2].map((o) => pod(s, o, 'w-new')), revs, f.ops);
  assert.deepEqual(f.log, ['delete w-2']);
  const g = fakeOps();
  await syncStatefulSet(s, [pod(s, 0, 'w-new', false), pod(s, 1, 'w-new'), pod(s, 2, 'w-new')], revs, g.ops);
  assert.deepEqual(g.log, [], 'an unready replica blocks scale down');
});

test('rolling update deletes the highest old pod at or above the partition', async () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
  const f = fakeOps();
  await syncStatefulSet(s, [pod(s, 0, 'w-old'), pod(s, 1, 'w-old'), pod(s, 2, 'w-new')], revs, f.ops);
  assert.deepEqual(f.log, ['delete w-1']);
  const g = fakeOps();
  await syncStatefulSet(s, [pod(s, 0, 'w-old'), pod(s, 1, 'w-new'), pod(s, 2, 'w-new')], revs, g.ops);
  assert.deepEqual(g.log, [], 'the partition keeps w-0');
  const h = fakeOps();
  const onDelete = set({ updateStrategy: { type: 'OnDelete' } });
  await syncStatefulSet(onDelete, [0, 1, 2].map((o) => pod(onDelete, o, 'w-old')), revs, h.ops);
  assert.deepEqual(h.log, [], 'OnDelete never deletes');
});
