import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJSON, computeHash, fnv32a, safeEncodeString } from './hash.ts';

test('fnv32a matches the published FNV-1a vectors', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test('canonical JSON ignores key order and undefined keys', () => {
  assert.equal(canonicalJSON({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  assert.equal(canonicalJSON({ b: 1, a: 2 }), canonicalJSON({ a: 2, b: 1 }));
});

test('safe encoding uses only the safe alphabet', () => {
  assert.match(safeEncodeString('0123456789'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

test('the hash is stable, depends on content and on the collision count', () => {
  const t = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
  const same = { spec: { containers: [{ image: 'i:1', name: 'c' }] }, metadata: { labels: { app: 'x' } } };
  assert.equal(computeHash(t), computeHash(same));
  assert.notEqual(computeHash(t), computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'i:2' }] } }));
  assert.notEqual(computeHash(t, 0), computeHash(t, 1));
  assert.notEqual(computeHash(t), computeHash(t, 0), 'no collision count and a count of 0 differ, as in Kubernetes');
});
