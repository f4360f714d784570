import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { planDaemonSet, scaledValue, surgeAndUnavailable } from './plan.ts';
import { nodeNameAffinity } from './pod.ts';

const nodes = (...names: string[]): Node[] => names.map((name) => ({ metadata: { name } }));
const ds = (ru: { maxUnavailable?: number | string; maxSurge?: number | string } = {}): DaemonSet => ({
  metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 2 },
  spec: { selector: {}, template: { spec: { containers: [{ name: 'c' }] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru } },
});
let seq = 0;
const pod = (node: string, hash: string, o: { ready?: boolean; bound?: boolean; terminating?: boolean } = {}): Pod => ({
  metadata: { name: `p${++seq}`, uid: `uid${seq}`, creationTimestamp: `2024-01-01T00:00:${String(seq).padStart(2, '0')}Z`, labels: { 'controller-revision-hash': hash }, deletionTimestamp: o.terminating ? '2024-01-01T00:00:00Z' : undefined },
  spec: { containers: [{ name: 'c' }], nodeName: o.bound === false ? undefined : node, affinity: nodeNameAffinity(undefined, node) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('int-or-percent scaling', () => {
  assert.equal(scaledValue('25%', 10, true), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(scaledValue(2, 10, true), 2);
  assert.throws(() => scaledValue('x', 10, true), /invalid value/);
  assert.deepEqual(surgeAndUnavailable(ds({ maxUnavailable: 0, maxSurge: 0 }), 3), { maxSurge: 0, maxUnavailable: 1 });
});

test('creates on nodes without a pod, keeps the oldest of duplicates, removes pods of vanished nodes', () => {
  const a1 = pod('a', 'h');
  const a2 = pod('a', 'h');
  const gone = pod('zz', 'h');
  const p = planDaemonSet(ds(), nodes('a', 'b'), [a2, a1, gone], 'h');
  assert.deepEqual(p.createOn, ['b']);
  assert.deepEqual(p.remove.map((r) => [r.pod.metadata!.name, r.force]).sort(), [[a2.metadata!.name, false], [gone.metadata!.name, true]].sort());
  assert.equal(p.status.desiredNumberScheduled, 2);
  assert.equal(p.status.currentNumberScheduled, 1);
});

test('a terminating pod holds its node until it is gone', () => {
  const p = planDaemonSet(ds(), nodes('a'), [pod('a', 'h', { terminating: true })], 'h');
  assert.deepEqual(p.createOn, []);
  assert.deepEqual(p.remove, []);
});

test('rolling update deletes at most maxUnavailable available old pods, counting unavailable ones', () => {
  const olds = ['a', 'b', 'c', 'd'].map((n) => pod(n, 'old'));
  assert.equal(planDaemonSet(ds({ maxUnavailable: 1 }), nodes('a', 'b', 'c', 'd'), olds, 'new').remove.length, 1);
  assert.equal(planDaemonSet(ds({ maxUnavailable: 2 }), nodes('a', 'b', 'c', 'd'), olds, 'new').remove.length, 2);
  // One new pod not ready yet uses the whole budget of 1.
  const withUnready = [pod('a', 'new', { ready: false }), ...olds.slice(1)];
  assert.equal(planDaemonSet(ds({ maxUnavailable: 1 }), nodes('a', 'b', 'c', 'd'), withUnready, 'new').remove.length, 0);
  // An old pod that is unavailable anyway goes at once.
  const oldUnready = [pod('a', 'old', { ready: false }), ...olds.slice(1)];
  const p = planDaemonSet(ds({ maxUnavailable: 1 }), nodes('a', 'b', 'c', 'd'), oldUnready, 'new');
  assert.deepEqual(p.remove.map((r) => r.pod.metadata!.name), [oldUnready[0]!.metadata!.name]);
});

test('rolling update with surge creates new pods first, then deletes old ones whose replacement is available', () => {
  const olds = ['a', 'b', 'c'].map((n) => pod(n, 'old'));
  const p = planDaemonSet(ds({ maxSurge: 1, maxUnavailable: 0 }), nodes('a', 'b', 'c'), olds, 'new');
  assert.deepEqual(p.createOn, ['a']);
  assert.deepEqual(p.remove, []);
  const p2 = planDaemonSet(ds({ maxSurge: 1, maxUnavailable: 0 }), nodes('a', 'b', 'c'), [...olds, pod('a', 'new')], 'new');
  assert.deepEqual(p2.remove.map((r) => r.pod.metadata!.name), [olds[0]!.metadata!.name]);
  assert.deepEqual(p2.createOn, ['b']);
});

test('status counts ready, available and updated pods', () => {
  const p = planDaemonSet(ds(), nodes('a', 'b', 'c'), [pod('a', 'h'), pod('b', 'old', { ready: false })], 'h');
  assert.deepEqual(
    { ...p.status },
    { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2, observedGeneration: 2, collisionCount: undefined },
  );
});
