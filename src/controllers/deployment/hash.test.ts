import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJSON, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.ts';

const template = (image: string): PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

test('FNV-32a matches the published test vectors', () => {
  assert.equal(fnv32a(Buffer.from('')), 0x811c9dc5);
  assert.equal(fnv32a(Buffer.from('a')), 0xe40c292c);
  assert.equal(fnv32a(Buffer.from('foobar')), 0xbf9cf968);
});

test('safe encoding maps each digit onto the no-vowel alphabet', () => {
  // '0' is 48: 48 % 27 = 21 -> '4'; '9' is 57 -> 3 -> 'f'.
  assert.equal(safeEncodeString('09'), '4f');
  assert.match(computeHash(template('nginx')), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
});

test('the hash depends on the template and the collision count, not on key order', () => {
  const a = computeHash(template('nginx:1'));
  assert.equal(computeHash(template('nginx:1')), a);
  assert.notEqual(computeHash(template('nginx:2')), a);
  assert.notEqual(computeHash(template('nginx:1'), 1), a);
  assert.notEqual(computeHash(template('nginx:1'), 1), computeHash(template('nginx:1'), 2));
  const reordered: PodTemplateSpec = { spec: { containers: [{ image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } };
  assert.equal(computeHash(reordered), a);
  assert.equal(canonicalJSON({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
});

test('templates compare equal ignoring the pod-template-hash label and empty fields', () => {
  const withHash = template('nginx');
  withHash.metadata!.labels!['pod-template-hash'] = 'abc';
  assert.ok(equalIgnoreHash(withHash, template('nginx')));
  assert.ok(equalIgnoreHash({ ...template('nginx'), metadata: { labels: { app: 'web' }, annotations: {} } }, template('nginx')));
  assert.ok(!equalIgnoreHash(template('nginx:2'), template('nginx')));
});
