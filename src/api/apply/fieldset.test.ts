import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from './fieldset.ts';

describe('FieldSet', () => {
  test('FieldsV1 round-trips, with "." for a member that has owned children', () => {
    const v1 = { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} } };
    const s = FieldSet.fromFieldsV1(v1);
    assert.ok(s.has(['f:spec', 'f:containers', 'k:{"name":"web"}']));
    assert.ok(!s.has(['f:spec']));
    assert.deepEqual(s.toFieldsV1(), { 'f:spec': { 'f:replicas': {}, 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } } });
  });

  const ops: { name: string; run: (a: FieldSet, b: FieldSet) => FieldSet; want: string[][] }[] = [
    { name: 'union keeps the members of both', run: (a, b) => a.union(b), want: [['f:a'], ['f:b'], ['f:x', 'f:y']] },
    { name: 'difference is member by member', run: (a, b) => a.difference(b), want: [['f:a']] },
    { name: 'intersection keeps shared members', run: (a, b) => a.intersection(b), want: [['f:x', 'f:y']] },
  ];
  for (const o of ops) {
    test(o.name, () => {
      const a = FieldSet.of(['f:a'], ['f:x', 'f:y']);
      const b = FieldSet.of(['f:b'], ['f:x', 'f:y']);
      assert.deepEqual(o.run(a, b).members(), o.want);
    });
  }

  test('withoutSubtreesOf drops everything under a member', () => {
    const s = FieldSet.of(['f:status', 'f:replicas'], ['f:spec', 'f:replicas']);
    assert.deepEqual(s.withoutSubtreesOf(FieldSet.of(['f:status'])).members(), [['f:spec', 'f:replicas']]);
  });

  test('withNamedAncestors makes field ancestors members, not list items', () => {
    const s = FieldSet.of(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']);
    assert.deepEqual(s.withNamedAncestors().members(), [
      ['f:spec'],
      ['f:spec', 'f:containers'],
      ['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image'],
    ]);
  });

  test('members come in structured-merge-diff order: a level\'s members, then its children', () => {
    const s = FieldSet.of(['f:spec', 'f:template', 'f:x'], ['f:spec', 'f:replicas'], ['f:metadata', 'f:labels', 'f:app']);
    assert.deepEqual(s.members().map(pathString), ['.metadata.labels.app', '.spec.replicas', '.spec.template.x']);
  });
});

describe('pathString', () => {
  const cases: [string[], string][] = [
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
    [['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a/b"'], '.metadata.finalizers[="a/b"]'],
    [['f:list', 'i:3'], '.list[3]'],
  ];
  for (const [path, want] of cases) test(`${want}`, () => assert.equal(pathString(path), want));
});
