// Controller references: claim decisions, resolving a reference against a
// cache, the shared informer indexes, and a controller's own newer writes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimDecision, resolveControllerRef } from './controllerref.ts';
import { controllerUIDIndex, namespaceIndex } from './indexes.ts';
import { OwnWrites } from './ownwrites.ts';

test('claim decisions', () => {
  const owner = { metadata: { uid: 'o', namespace: 'ns', name: 'rs' } };
  const ref = (uid: string) => ({ metadata: { namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid, controller: true }] } });
  assert.equal(claimDecision(ref('o'), owner, true), 'own');
  assert.equal(claimDecision(ref('o'), owner, false), 'release');
  assert.equal(claimDecision(ref('other'), owner, true), 'ignore');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, owner, true), 'adopt');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, owner, false), 'ignore');
  assert.equal(claimDecision({ metadata: { namespace: 'ns', deletionTimestamp: 'x' } }, owner, true), 'ignore', 'a terminating orphan is not adopted');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, { metadata: { ...owner.metadata, deletionTimestamp: 'x' } }, true), 'ignore', 'a deleted owner adopts nothing');
});

test('a controller reference resolves only to a cached owner of that kind with that uid', () => {
  const owner = { kind: 'ReplicaSet', metadata: { namespace: 'ns', name: 'rs', uid: 'u1' } };
  const cache = new Map([['ns/rs', owner]]);
  const ref = (kind: string, uid: string) => ({ apiVersion: 'apps/v1', kind, name: 'rs', uid, controller: true });
  assert.equal(resolveControllerRef(cache, 'ns', ref('ReplicaSet', 'u1'), 'ReplicaSet'), owner);
  assert.equal(resolveControllerRef(cache, 'ns', ref('ReplicaSet', 'u0'), 'ReplicaSet'), undefined, 'a recreated owner does not own the old one\'s children');
  assert.equal(resolveControllerRef(cache, 'ns', ref('Job', 'u1'), 'ReplicaSet'), undefined);
  assert.equal(resolveControllerRef(cache, 'other', ref('ReplicaSet', 'u1'), 'ReplicaSet'), undefined);
  assert.equal(resolveControllerRef(cache, 'ns', undefined, 'ReplicaSet'), undefined);
});

test('indexes: by namespace, and by the controller\'s uid (not by other owners)', () => {
  const pod = { metadata: { namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'other' }, { apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'ctl', controller: true }] } };
  assert.deepEqual(namespaceIndex(pod), ['ns']);
  assert.deepEqual(controllerUIDIndex(pod), ['ctl']);
  assert.deepEqual(controllerUIDIndex({ metadata: {} }), []);
});

test('own writes: the newer of the cache and our last write of the same object', () => {
  const w = new OwnWrites<{ metadata: { uid: string; resourceVersion: string } }>();
  const v = (uid: string, rv: string) => ({ metadata: { uid, resourceVersion: rv } });
  assert.deepEqual(w.newest('k', v('a', '5')), v('a', '5'), 'nothing written');
  w.remember('k', v('a', '7'));
  assert.deepEqual(w.newest('k', v('a', '5')), v('a', '7'), 'the watch lags behind our write');
  assert.deepEqual(w.newest('k', v('a', '9')), v('a', '9'), 'the cache caught up and moved on');
  assert.deepEqual(w.newest('k', v('b', '1')), v('b', '1'), 'another object of the same name');
  assert.equal(w.newest('k', undefined), undefined, 'gone from the cache');
  w.forget('k');
  assert.deepEqual(w.newest('k', v('a', '5')), v('a', '5'));
});
