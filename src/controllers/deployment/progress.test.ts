import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { calculateStatus, requeueStuckAfter, rolloutStatus, setCondition, newCondition } from './progress.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const dep = (status: Deployment['status'] = {}, deadline = 600): Deployment => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas: 4, selector: {}, template: {}, progressDeadlineSeconds: deadline, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  status,
});
const rs = (name: string, spec: number, replicas: number, available: number, ready = available): ReplicaSet => ({ metadata: { name }, spec: { replicas: spec, selector: {}, template: {} }, status: { replicas, availableReplicas: available, readyReplicas: ready } });
const cond = (d: { conditions?: { type: string }[] } | undefined, type: string) => d?.conditions?.find((c) => c.type === type) as any;

test('counters and the Available condition', () => {
  const newRS = rs('web-new', 2, 2, 1);
  const s = calculateStatus([rs('web-old', 3, 3, 3), newRS], newRS, dep(), T0);
  assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 2, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 1, conditions: undefined });
  assert.equal(cond(s, 'Available').reason, 'MinimumReplicasAvailable');
  // 4 replicas, maxUnavailable 1: 2 available is too few.
  const low = calculateStatus([rs('web-new', 4, 4, 2)], undefined, dep(), T0);
  assert.deepEqual([cond(low, 'Available').status, cond(low, 'Available').reason, cond(low, 'Available').message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
});

test('Progressing: progress, completion, and the deadline', () => {
  const created = newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'Created new replica set "web-new"', T0);
  const before = dep({ replicas: 4, updatedReplicas: 0, availableReplicas: 4, conditions: [created] });
  const newRS = rs('web-new', 1, 1, 0);
  const progressing = rolloutStatus([rs('web-old', 4, 4, 4), newRS], newRS, before, T0 + 5000);
  const p = cond(progressing, 'Progressing');
  assert.deepEqual([p.status, p.reason, p.message], ['True', 'ReplicaSetUpdated', 'ReplicaSet "web-new" is progressing.']);
  assert.equal(p.lastTransitionTime, created.lastTransitionTime, 'still True: the transition time stays');
  assert.equal(p.lastUpdateTime, '2024-05-01T10:00:05Z');

  const doneRS = rs('web-new', 4, 4, 4);
  const done = rolloutStatus([rs('web-old', 0, 0, 0), doneRS], doneRS, dep({ ...progressing }), T0 + 9000);
  assert.deepEqual([cond(done, 'Progressing').reason, cond(done, 'Progressing').message], ['NewReplicaSetAvailable', 'ReplicaSet "web-new" has successfully progressed.']);

  // No change since the condition's last update, past the deadline: timed out.
  const stuck = dep({ ...progressing }, 10);
  assert.equal(cond(rolloutStatus([rs('web-old', 4, 4, 4), newRS], newRS, stuck, T0 + 9000), 'Progressing').reason, 'ReplicaSetUpdated', 'not yet');
  const timedOut = rolloutStatus([rs('web-old', 4, 4, 4), newRS], newRS, stuck, T0 + 16_000);
  assert.deepEqual([cond(timedOut, 'Progressing').status, cond(timedOut, 'Progressing').reason, cond(timedOut, 'Progressing').message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-new" has timed out progressing.']);
  // ... and the controller looks again right after the deadline passes.
  assert.equal(requeueStuckAfter(stuck, stuck.status!, T0 + 9000), 7000);
});

test('a ReplicaSet failure becomes the Deployment condition', () => {
  const failing = rs('web-new', 2, 0, 0);
  failing.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', lastTransitionTime: '2024-05-01T10:00:00Z' }];
  const s = rolloutStatus([failing], failing, dep(), T0);
  assert.deepEqual([cond(s, 'ReplicaFailure').reason, cond(s, 'ReplicaFailure').message], ['FailedCreate', 'pods "x" is forbidden: exceeded quota']);
});

test('setCondition keeps the transition time when only the reason changes, and no-ops on the same reason', () => {
  const s = { conditions: [newCondition('Available', 'True', 'A', 'a', T0)] };
  setCondition(s, newCondition('Available', 'True', 'A', 'other', T0 + 1000));
  assert.equal(cond(s, 'Available').message, 'a');
  setCondition(s, newCondition('Available', 'True', 'B', 'b', T0 + 2000));
  assert.equal(cond(s, 'Available').lastTransitionTime, '2024-05-01T10:00:00Z');
  assert.equal(cond(s, 'Available').lastUpdateTime, '2024-05-01T10:00:02Z');
});
