import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { lastRevision, maxRevision, REVISION, REVISION_HISTORY, setNewReplicaSetAnnotations } from './rollback.ts';

const rs = (rev?: string, extra: Record<string, string> = {}): ReplicaSet => ({ metadata: { name: 'x', annotations: rev === undefined ? { ...extra } : { [REVISION]: rev, ...extra } } });
const d: Deployment = {
  metadata: { name: 'd', annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', [REVISION]: '9' } },
  spec: { replicas: 4, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
};

test('max and last revisions skip bad annotations', () => {
  const list = [rs('1'), rs('5'), rs('3'), rs('bad'), rs()];
  assert.equal(maxRevision(list), 5);
  assert.equal(lastRevision(list), 3);
  assert.equal(lastRevision([rs('2')]), 0);
});

test('a new ReplicaSet gets the revision, the copied annotations and the replicas annotations', () => {
  const r = rs();
  assert.equal(setNewReplicaSetAnnotations(d, r, 4, false), true);
  assert.deepEqual(r.metadata!.annotations, {
    'kubernetes.io/change-cause': 'v2',
    [REVISION]: '4',
    'deployment.kubernetes.io/desired-replicas': '4',
    'deployment.kubernetes.io/max-replicas': '5',
  });
  assert.equal(setNewReplicaSetAnnotations(d, r, 4, true), false, 'nothing changes twice');
});

test('an old ReplicaSet that becomes new again keeps its old revisions in revision-history', () => {
  const r = rs('2', { [REVISION_HISTORY]: '1' });
  setNewReplicaSetAnnotations(d, r, 5, true);
  assert.equal(r.metadata!.annotations![REVISION], '5');
  assert.equal(r.metadata!.annotations![REVISION_HISTORY], '1,2');
  // The history is bounded: the oldest entries go first.
  const long = rs('7', { [REVISION_HISTORY]: '1,2,3,4' });
  setNewReplicaSetAnnotations(d, long, 8, true, 6);
  assert.equal(long.metadata!.annotations![REVISION_HISTORY], '3,4,7');
  // A lower revision never replaces a higher one.
  const higher = rs('9');
  setNewReplicaSetAnnotations(d, higher, 3, true);
  assert.equal(higher.metadata!.annotations![REVISION], '9');
});
