import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyJSONPatch, parsePointer } from './jsonpatch.ts';
import { PatchError } from './errors.ts';

describe('applyJSONPatch: RFC 6902 Appendix A-style cases', () => {
  const cases: Array<[string, unknown, unknown[], unknown]> = [
    ['adds an object member', { app: 'web' }, [{ op: 'add', path: '/tier', value: 'front' }], { app: 'web', tier: 'front' }],
    ['adds an array element before the given index', { ports: [80, 443] }, [{ op: 'add', path: '/ports/1', value: 8080 }], { ports: [80, 8080, 443] }],
    ['adds at index == length (appends)', { ports: [80] }, [{ op: 'add', path: '/ports/1', value: 443 }], { ports: [80, 443] }],
    ['"-" appends to an array', { ports: [80] }, [{ op: 'add', path: '/ports/-', value: 443 }], { ports: [80, 443] }],
    ['add on an existing member replaces it', { replicas: 1 }, [{ op: 'add', path: '/replicas', value: 3 }], { replicas: 3 }],
    ['removes an object member', { app: 'web', tier: 'front' }, [{ op: 'remove', path: '/tier' }], { app: 'web' }],
    ['removes an array element and shifts the rest', { args: ['a', 'b', 'c'] }, [{ op: 'remove', path: '/args/1' }], { args: ['a', 'c'] }],
    ['replaces a value', { spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 5 }], { spec: { replicas: 5 } }],
    ['moves a value between objects', { a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/y' }], { a: {}, b: { y: 1 } }],
    ['moves an array element', { l: ['a', 'b', 'c', 'd'] }, [{ op: 'move', from: '/l/1', path: '/l/3' }], { l: ['a', 'c', 'd', 'b'] }],
    ['copies a value (deeply)', { a: { k: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { k: [1] }, b: { k: [1] } }],
    ['test passes on an equal value, keys in any order', { m: { a: 1, b: [1, 2] } }, [{ op: 'test', path: '/m', value: { b: [1, 2], a: 1 } }], { m: { a: 1, b: [1, 2] } }],
    ['adds a nested member object', { spec: {} }, [{ op: 'add', path: '/spec/selector', value: { app: 'web' } }], { spec: { selector: { app: 'web' } } }],
    ['ignores unrecognized members of an operation', { a: 1 }, [{ op: 'add', path: '/b', value: 2, extra: 'x' }], { a: 1, b: 2 }],
    ['"~1" in a token is "/"', { 'app.kubernetes.io/name': 'x' }, [{ op: 'replace', path: '/app.kubernetes.io~1name', value: 'y' }], { 'app.kubernetes.io/name': 'y' }],
    ['"~0" in a token is "~"', { 'a~b': 1 }, [{ op: 'remove', path: '/a~0b' }], {}],
    ['"~01" is "~1", not "/"', { '~1': 1 }, [{ op: 'replace', path: '/~01', value: 2 }], { '~1': 2 }],
    ['adds an array value', { a: 1 }, [{ op: 'add', path: '/l', value: ['x', ['y']] }], { a: 1, l: ['x', ['y']] }],
    ['the empty path replaces the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    ['an empty key is a key', { '': 1 }, [{ op: 'replace', path: '/', value: 2 }], { '': 2 }],
    ['operations apply in order', {}, [{ op: 'add', path: '/a', value: [] }, { op: 'add', path: '/a/-', value: 1 }, { op: 'test', path: '/a/0', value: 1 }], { a: [1] }],
    ['test of a missing member against null passes', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
    [
      'kubectl rollout undo: replaces /spec/template and /metadata/annotations',
      { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
      [
        { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } },
        { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
      ],
      { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } },
    ],
  ];
  for (const [name, doc, ops, want] of cases) {
    test(name, () => assert.deepEqual(applyJSONPatch(doc, ops), want));
  }
});

describe('applyJSONPatch: failures reject the whole patch', () => {
  const cases: Array<[string, unknown, unknown, number, RegExp]> = [
    ['add under a missing parent', { spec: {} }, [{ op: 'add', path: '/spec/foo/bar', value: 1 }], 422, /^add operation does not apply: doc is missing path: "\/spec\/foo\/bar": missing value$/],
    ['remove of a missing path', { spec: {} }, [{ op: 'remove', path: '/spec/x/y' }], 422, /^remove operation does not apply: doc is missing path: "\/spec\/x\/y": missing value$/],
    ['remove of a missing key', { spec: {} }, [{ op: 'remove', path: '/spec/foo' }], 422, /^Unable to remove nonexistent key: foo: missing value$/],
    ['replace of a missing key', { spec: {} }, [{ op: 'replace', path: '/spec/foo', value: 1 }], 422, /^replace operation does not apply: doc is missing key: \/spec\/foo: missing value$/],
    ['test of an unequal value', { a: 'x' }, [{ op: 'test', path: '/a', value: 'y' }], 422, /^testing value \/a failed: test failed$/],
    ['test compares types: "10" is not 10', { a: 10 }, [{ op: 'test', path: '/a', value: '10' }], 422, /test failed/],
    ['test under a missing parent', { a: 1 }, [{ op: 'test', path: '/x/y', value: null }], 422, /^test operation does not apply: is missing path: \/x\/y: missing value$/],
    ['an unknown op', {}, [{ op: 'merge', path: '/a', value: 1 }], 422, /^Unexpected kind: merge$/],
    ['an index past the end', { l: [1] }, [{ op: 'add', path: '/l/2', value: 3 }], 422, /invalid index referenced/],
    ['an index with a leading zero', { l: [1, 2] }, [{ op: 'replace', path: '/l/01', value: 3 }], 422, /doc is missing key/],
    ['"-" is not an index for remove', { l: [1] }, [{ op: 'remove', path: '/l/-' }], 422, /invalid index referenced/],
    ['a pointer without a leading slash', { a: 1 }, [{ op: 'remove', path: 'a' }], 422, /JSON pointer/],
    ['move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 422, /is a prefix of path/],
    ['move from a missing path', { a: 1 }, [{ op: 'move', from: '/x', path: '/y' }], 422, /^move operation does not apply: doc is missing from path: \/x: missing value$/],
    ['copy from a missing path', { a: 1 }, [{ op: 'copy', from: '/x', path: '/y' }], 422, /doc is missing from path/],
    ['add without a value', {}, [{ op: 'add', path: '/a' }], 422, /has no value/],
    ['a body that is not a list', {}, { op: 'add', path: '/a', value: 1 }, 400, /cannot unmarshal/],
  ];
  for (const [name, doc, ops, code, message] of cases) {
    test(name, () => {
      assert.throws(() => applyJSONPatch(doc, ops), (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.code, code);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  test('a failing later operation leaves the input untouched', () => {
    const doc = { a: 1 };
    assert.throws(() => applyJSONPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/zz' }]), PatchError);
    assert.deepEqual(doc, { a: 1 });
  });
});

describe('applyJSONPatch: purity', () => {
  test('neither the document nor the operations are modified, and the result shares nothing with them', () => {
    const doc = { spec: { containers: [{ name: 'web' }] } };
    const value = { name: 'side' };
    const ops = [{ op: 'add', path: '/spec/containers/-', value }];
    const out = applyJSONPatch(doc, ops) as { spec: { containers: Array<{ name: string }> } };
    assert.deepEqual(doc, { spec: { containers: [{ name: 'web' }] } });
    out.spec.containers[1]!.name = 'changed';
    assert.equal(value.name, 'side');
  });
});

describe('parsePointer', () => {
  test('splits and unescapes tokens', () => {
    assert.deepEqual(parsePointer(''), []);
    assert.deepEqual(parsePointer('/a~1b/c~0d/'), ['a/b', 'c~d', '']);
  });
  test('rejects "~" not followed by 0 or 1', () => {
    assert.throws(() => parsePointer('/a~2'), PatchError);
    assert.throws(() => parsePointer('/a~'), PatchError);
  });
});
