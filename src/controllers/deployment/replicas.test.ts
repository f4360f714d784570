import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportionalSizes, resolveFenceposts, scaledValue } from './replicas.ts';
import { maxScaledDown } from './rolling.ts';

const dep = (replicas: number, surge: number | string, unavailable: number | string, extra: Partial<Deployment> = {}): Deployment => ({
  metadata: { name: 'd' },
  spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
  ...extra,
});
const rs = (name: string, replicas: number, opts: { max?: number; created?: string; available?: number } = {}): ReplicaSet => ({
  metadata: { name, creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z', annotations: opts.max === undefined ? {} : { 'deployment.kubernetes.io/max-replicas': String(opts.max) } },
  spec: { replicas, selector: {}, template: {} },
  status: { replicas, availableReplicas: opts.available ?? replicas },
});

test('percentages: surge rounds up, unavailable rounds down', () => {
  const rows: [number | string, number | string, number, number, number][] = [
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    ['25%', '25%', 4, 1, 1],
    [0, 0, 5, 0, 1], // both zero: one may be unavailable
    ['0%', '0%', 5, 0, 1],
    [2, 1, 6, 2, 1],
    ['100%', '100%', 3, 3, 3],
  ];
  for (const [s, u, n, wantS, wantU] of rows) assert.deepEqual(resolveFenceposts(s, u, n), { surge: wantS, unavailable: wantU }, `${s}/${u} of ${n}`);
  assert.equal(scaledValue('33%', 10, true), 4);
  assert.equal(scaledValue('33%', 10, false), 3);
  assert.throws(() => scaledValue('3x', 10, true), /not a percentage/);
});

test('maxSurge and maxUnavailable of a Deployment', () => {
  assert.equal(maxSurge(dep(10, '25%', '25%')), 3);
  assert.equal(maxUnavailable(dep(10, '25%', '25%')), 2);
  assert.equal(maxUnavailable(dep(0, '25%', '25%')), 0, 'nothing to be unavailable');
  assert.equal(maxUnavailable(dep(2, 0, 5)), 2, 'never more than replicas');
  const recreate: Deployment = { spec: { replicas: 3, selector: {}, template: {}, strategy: { type: 'Recreate' } } };
  assert.equal(maxSurge(recreate), 0);
  assert.equal(maxUnavailable(recreate), 0);
});

test('the new ReplicaSet grows only within replicas + surge', () => {
  const d = dep(10, 3, 2);
  const newRS = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), newRS], newRS), 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 13), newRS], newRS), 0, 'surge used up');
  assert.equal(newRSNewReplicas(d, [rs('old', 2), rs('new', 8)], rs('new', 8)), 10, 'never beyond replicas');
  assert.equal(newRSNewReplicas({ spec: { replicas: 4, selector: {}, template: {}, strategy: { type: 'Recreate' } } }, [rs('old', 4)], newRS), 4);
});

test('old pods may go down to minAvailable, less the new pods not yet available', () => {
  // 10 replicas, maxUnavailable 2: 13 pods, 3 of them new and unavailable -> 13 - 8 - 3 = 2.
  assert.equal(maxScaledDown(13, 10, 2, 3), 2);
  assert.equal(maxScaledDown(10, 10, 0, 0), 0);
});

test('proportional scaling during a rollout', () => {
  // Kubernetes' example: 10 replicas (surge 3) mid-rollout at 8 + 5, scaled to 20 (allowed 23).
  const d = dep(20, 3, 2);
  const sizes = proportionalSizes(d, [rs('old', 8, { max: 13, created: '2024-01-01T00:00:00Z' }), rs('new', 5, { max: 13, created: '2024-01-02T00:00:00Z' })]);
  assert.deepEqual(Object.fromEntries(sizes), { old: 14, new: 9 });
  // Scaling down to 5 (allowed 5 + 2 = 7 with 25%): 13 -> 7.
  const down = proportionalSizes(dep(5, '25%', '25%'), [rs('old', 8, { max: 13 }), rs('new', 5, { max: 13, created: '2024-01-02T00:00:00Z' })]);
  assert.equal([...down.values()].reduce((a, b) => a + b, 0), 7);
  assert.deepEqual(Object.fromEntries(down), { old: 4, new: 3 });
  // To zero: everything goes.
  assert.deepEqual(Object.fromEntries(proportionalSizes(dep(0, 3, 2), [rs('old', 8, { max: 13 }), rs('new', 5, { max: 13 })])), { old: 0, new: 0 });
});
