import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyMergePatch, createMergePatch } from './mergepatch.ts';
import { PatchError } from './errors.ts';

describe('applyMergePatch: RFC 7386 section 3-style cases', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['a member is replaced', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['a member is added', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['null removes a member', { a: 'b' }, { a: null }, {}],
    ['null removes only that member', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['a list is replaced by a string', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
    ['a string is replaced by a list', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    ['nested objects merge, nested null removes', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    ['lists are replaced whole, never merged', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    ['a list patch replaces a list document', ['a', 'b'], ['c', 'd'], ['c', 'd']],
    ['a list patch replaces an object document', { a: 'b' }, ['c'], ['c']],
    ['a null patch replaces the document', { a: 'foo' }, null, null],
    ['a string patch replaces the document', { a: 'foo' }, 'bar', 'bar'],
    ['nulls already in the document are kept', { e: null }, { a: 1 }, { e: null, a: 1 }],
    ['an object patch on a list document starts from {}', [1, 2], { a: 'b', c: null }, { a: 'b' }],
    ['nulls under a new member are dropped', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ['kubectl label: adds a label', { metadata: { name: 'w', labels: { app: 'web' } } }, { metadata: { labels: { tier: 'front' } } }, { metadata: { name: 'w', labels: { app: 'web', tier: 'front' } } }],
    ['kubectl annotate key-: removes an annotation', { metadata: { annotations: { a: '1', b: '2' } } }, { metadata: { annotations: { a: null } } }, { metadata: { annotations: { b: '2' } } }],
    ['kubectl scale: sets spec.replicas', { spec: { replicas: 1, selector: {} } }, { spec: { replicas: 3 } }, { spec: { replicas: 3, selector: {} } }],
  ];
  for (const [name, doc, patch, want] of cases) {
    test(name, () => assert.deepEqual(applyMergePatch(doc, patch), want));
  }

  test('inputs are not modified and the result shares nothing with them', () => {
    const doc = { a: { b: [1] }, c: { d: 1 } };
    const patch = { c: { e: { f: 1 } } };
    const out = applyMergePatch(doc, patch) as { a: { b: number[] }; c: { e: { f: number } } };
    assert.deepEqual(doc, { a: { b: [1] }, c: { d: 1 } });
    assert.deepEqual(patch, { c: { e: { f: 1 } } });
    out.a.b.push(2);
    out.c.e.f = 2;
    assert.deepEqual(doc.a.b, [1]);
    assert.equal(patch.c.e.f, 1);
  });
});

describe('createMergePatch', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['no change is an empty patch', { a: 1, l: [1] }, { a: 1, l: [1] }, {}],
    ['a label added (kubectl label)', { metadata: { labels: { app: 'web' } } }, { metadata: { labels: { app: 'web', tier: 'front' } } }, { metadata: { labels: { tier: 'front' } } }],
    ['a label removed becomes null', { metadata: { labels: { app: 'web', tier: 'x' } } }, { metadata: { labels: { app: 'web' } } }, { metadata: { labels: { tier: null } } }],
    ['a label overwritten', { metadata: { labels: { v: '1' } } }, { metadata: { labels: { v: '2' } } }, { metadata: { labels: { v: '2' } } }],
    ['replicas changed (kubectl scale)', { spec: { replicas: 1, template: {} } }, { spec: { replicas: 4, template: {} } }, { spec: { replicas: 4 } }],
    ['a changed list is sent whole', { l: [1, 2, 3] }, { l: [1, 3] }, { l: [1, 3] }],
    ['a new nested object is sent whole', { a: 1 }, { a: 1, m: { x: { y: 1 } } }, { m: { x: { y: 1 } } }],
    ['an object replaced by a scalar', { m: { x: 1 } }, { m: 'x' }, { m: 'x' }],
    ['all labels removed leaves nulls for each', { metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: {} } }, { metadata: { labels: { a: null, b: null } } }],
  ];
  for (const [name, original, modified, want] of cases) {
    test(name, () => assert.deepEqual(createMergePatch(original, modified), want));
  }

  test('non-object documents are rejected', () => {
    assert.throws(() => createMergePatch([1], {}), PatchError);
  });

  test('property: applying the created patch to the original gives the modified object', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const { tree } = fc.letrec((tie) => ({
      tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('tree')), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(tree, tree, (x, y) => {
        // fast-check's dictionaries have no prototype; compare plain JSON.
        const [a, b] = [JSON.parse(JSON.stringify(x)) as unknown, JSON.parse(JSON.stringify(y)) as unknown];
        assert.deepEqual(applyMergePatch(a, createMergePatch(a, b)), b);
      }),
      { numRuns: 300 },
    );
  });
});
