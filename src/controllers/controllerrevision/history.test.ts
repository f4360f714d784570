import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { equalRevision, findEqualRevisions, newControllerRevision, nextRevision, revisionsToTruncate, templateOf } from './history.ts';

const parent = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', annotations: { 'kubernetes.io/change-cause': 'why' } },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
});
const rev = (image: string, n: number): ControllerRevision => newControllerRevision(parent(image), n, 0, { hashLabel: 'controller.kubernetes.io/hash' });

test('a revision holds a replace patch of the template, labels, annotations and a controller reference', () => {
  const r = rev('a:1', 1);
  assert.match(r.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(r.metadata!.labels!.app, 'web');
  assert.equal(r.metadata!.labels!['controller.kubernetes.io/hash'], r.metadata!.name!.slice('web-'.length));
  assert.equal(r.metadata!.annotations!['kubernetes.io/change-cause'], 'why');
  assert.deepEqual(r.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  assert.equal((r.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
  assert.deepEqual(templateOf(r), parent('a:1').spec.template);
});

test('equal templates give equal revisions whatever their number; the next number follows the highest', () => {
  assert.ok(equalRevision(rev('a:1', 1), rev('a:1', 7)));
  assert.ok(!equalRevision(rev('a:1', 1), rev('a:2', 1)));
  assert.equal(rev('a:1', 1).metadata!.name, rev('a:1', 5).metadata!.name, 'the name depends on the template only');
  const revs = [rev('a:1', 1), rev('a:2', 3), rev('a:1', 2)];
  assert.deepEqual(findEqualRevisions(revs, rev('a:1', 9)).map((r) => r.revision), [1, 2]);
  assert.equal(nextRevision(revs), 4);
  assert.equal(nextRevision([]), 1);
});

test('truncation removes the oldest unused revisions beyond the limit', () => {
  const revs = [1, 2, 3, 4, 5].map((n) => rev(`a:${n}`, n));
  const live = new Set([revs[0]!.metadata!.name!, revs[4]!.metadata!.name!]);
  assert.deepEqual(revisionsToTruncate(revs, live, 2).map((r) => r.revision), [2]);
  assert.deepEqual(revisionsToTruncate(revs, live, 0).map((r) => r.revision), [2, 3, 4]);
  assert.deepEqual(revisionsToTruncate(revs, live, 10), []);
});
