import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { desiredConditionTaints, evictionTime, reconcileTaints } from './taints.ts';

const node = (ready: string, taints?: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never, unschedulable = false): Node => ({
  metadata: { name: 'n' },
  spec: { taints, unschedulable },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});

describe('condition taints', () => {
  test('Ready False -> not-ready, Unknown -> unreachable, True -> none; unschedulable', () => {
    assert.deepEqual(desiredConditionTaints(node('False')), [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(desiredConditionTaints(node('Unknown')), [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(desiredConditionTaints(node('True', undefined, true)), [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  });

  test('reconcile keeps foreign taints and times, swaps managed ones, answers undefined when equal', () => {
    const n = node('Unknown', [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' },
    ]);
    const next = reconcileTaints(n, desiredConditionTaints(n), '2024-01-01T00:01:00Z');
    assert.deepEqual(next, [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:01:00Z' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
    assert.equal(reconcileTaints({ ...n, spec: { taints: next } }, desiredConditionTaints(n), '2024-01-01T00:02:00Z'), undefined);
    assert.deepEqual(reconcileTaints({ ...node('True'), spec: { taints: next } }, [], 'x'), [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
  });
});

describe('eviction time', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' };
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  test('an untolerated NoExecute taint evicts now', () => assert.equal(evictionTime([], [taint], 0), -Infinity));
  test('tolerated for N seconds from timeAdded; the shortest wins', () =>
    assert.equal(
      evictionTime(
        [
          { key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          { operator: 'Exists', tolerationSeconds: 5 },
        ],
        [taint],
        0,
      ),
      t0 + 5000,
    ));
  test('tolerated forever without tolerationSeconds', () => assert.equal(evictionTime([{ key: taint.key, operator: 'Exists' }], [taint], 0), Infinity));
  test('NoSchedule taints never evict', () => assert.equal(evictionTime([], [{ key: 'x', effect: 'NoSchedule' }], 0), Infinity));
  test('Equal needs the value', () => assert.equal(evictionTime([{ key: 'k', operator: 'Equal', value: 'a', effect: 'NoExecute' }], [{ key: 'k', value: 'b', effect: 'NoExecute' }], 0), -Infinity));
});
