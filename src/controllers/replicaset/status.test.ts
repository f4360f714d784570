import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { calculateStatus } from './status.ts';
import type { Replicated } from './kinds.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const rs: Replicated = { metadata: { name: 'rs', generation: 3 }, spec: { replicas: 3, minReadySeconds: 10, template: { metadata: { labels: { app: 'a', tier: 'web' } } } } };
const pod = (labels: Record<string, string>, readySince?: string): Pod => ({ metadata: { labels }, status: { conditions: readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] : [] } });

test('counts: fully labeled, ready, available after minReadySeconds, observedGeneration', () => {
  const pods = [pod({ app: 'a', tier: 'web' }, '2024-05-01T09:00:00Z'), pod({ app: 'a', tier: 'web' }, '2024-05-01T09:59:55Z'), pod({ app: 'a' })];
  const s = calculateStatus(rs, pods, undefined, T0);
  assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
});

test('a create error sets ReplicaFailure/FailedCreate once; success clears it', () => {
  const failed = calculateStatus(rs, [], new Error('pods "rs-x" is forbidden: exceeded quota: q'), T0);
  assert.deepEqual(failed.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'FailedCreate', message: 'pods "rs-x" is forbidden: exceeded quota: q' }]);
  const again = calculateStatus({ ...rs, status: failed }, [], new Error('other'), T0 + 5000);
  assert.equal(again.conditions?.[0]?.message, 'pods "rs-x" is forbidden: exceeded quota: q', 'the first failure stays until success');
  const cleared = calculateStatus({ ...rs, status: failed }, [], undefined, T0 + 5000);
  assert.equal(cleared.conditions, undefined);
  const tooMany = calculateStatus(rs, [pod({ app: 'a' }), pod({ app: 'a' }), pod({ app: 'a' }), pod({ app: 'a' })], new Error('x'), T0);
  assert.equal(tooMany.conditions?.[0]?.reason, 'FailedDelete');
});
