import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopy, semanticEqual } from './equality.ts';

describe('semanticEqual', () => {
  const cases: Array<[string, unknown, unknown, boolean]> = [
    ['identical primitives', 'a', 'a', true],
    ['different strings', 'a', 'b', false],
    ['numbers by value', 1.5, 1.5, true],
    ['0 and -0 are the same number', 0, -0, true],
    ['number vs numeric string', 1, '1', false],
    ['true vs 1', true, 1, false],
    ['null equals null', null, null, true],
    ['undefined equals undefined', undefined, undefined, true],
    ['null is not undefined', null, undefined, false],
    ['missing key equals key set to undefined', { a: 1 }, { a: 1, b: undefined }, true],
    ['key set to undefined equals missing key (either side)', { a: 1, b: undefined }, { a: 1 }, true],
    ['missing key is not null', { a: 1 }, { a: 1, b: null }, false],
    ['missing key is not an empty array', {}, { a: [] }, false],
    ['missing key is not an empty object', {}, { a: {} }, false],
    ['missing key is not an empty string', {}, { a: '' }, false],
    ['missing key is not zero', {}, { a: 0 }, false],
    ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['nested objects compared deeply', { a: { b: { c: [1, 2] } } }, { a: { b: { c: [1, 2] } } }, true],
    ['nested difference is found', { a: { b: { c: [1, 2] } } }, { a: { b: { c: [1, 3] } } }, false],
    ['nested undefined equals nested missing', { a: { b: undefined } }, { a: {} }, true],
    ['arrays are ordered', [1, 2], [2, 1], false],
    ['arrays of different length', [1], [1, 1], false],
    ['array is not an object with index keys', [1], { 0: 1 }, false],
    ['empty array is not empty object', [], {}, false],
    ['object is not null', {}, null, false],
    ['arrays of objects compared elementwise', [{ a: 1 }, { b: undefined }], [{ a: 1 }, {}], true],
  ];
  for (const [name, a, b, want] of cases) {
    test(name, () => {
      assert.equal(semanticEqual(a, b), want);
      assert.equal(semanticEqual(b, a), want, 'symmetric');
    });
  }
});

describe('deepCopy', () => {
  test('copy is equal but shares no nested objects with the original', () => {
    const orig = { metadata: { labels: { a: 'b' }, finalizers: ['x'] }, spec: { list: [{ n: 1 }] } };
    const copy = deepCopy(orig);
    assert.deepEqual(copy, orig);
    copy.metadata.labels.a = 'changed';
    copy.metadata.finalizers.push('y');
    copy.spec.list[0]!.n = 2;
    assert.deepEqual(orig, { metadata: { labels: { a: 'b' }, finalizers: ['x'] }, spec: { list: [{ n: 1 }] } });
  });
});
