import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Path, aggregateMessage, duplicate, errorMessage, errorString, forbidden, invalid, notFound, notSupported,
  required, statusCauses, statusMessage, tooLong, tooMany, type FieldError,
} from './field.ts';

describe('Path', () => {
  const rows: [string, Path, string][] = [
    ['children join with dots', new Path('spec').child('template', 'spec').child('containers').index(0).child('name'), 'spec.template.spec.containers[0].name'],
    ['keys are bracketed without quotes', new Path('metadata').child('labels').key('app'), 'metadata.labels[app]'],
    ['constructor takes several names', new Path('spec', 'template'), 'spec.template'],
    ['keys may contain dots and slashes', new Path('data').key('a.b/c'), 'data[a.b/c]'],
    ['empty root means the whole object', new Path(''), ''],
    ['a key straight after the root', new Path('spec').child('resources').key('storage'), 'spec.resources[storage]'],
  ];
  for (const [name, path, want] of rows) test(name, () => assert.equal(path.toString(), want));
});

describe('errorMessage renders like field.Error.ErrorBody', () => {
  const rows: [string, FieldError, string][] = [
    ['required has no value', required('spec.x'), 'Required value'],
    ['required with detail', required('m.name', 'name or generateName is required'), 'Required value: name or generateName is required'],
    ['strings are Go-quoted', invalid('m.name', 'Foo', 'bad'), 'Invalid value: "Foo": bad'],
    ['numbers are bare', invalid('spec.replicas', -1, 'must be greater than or equal to 0'), 'Invalid value: -1: must be greater than or equal to 0'],
    ['booleans are bare', invalid('x', true, 'no'), 'Invalid value: true: no'],
    ['objects are JSON with map keys sorted', invalid('l', { b: 'x', a: 'y' }, 'd'), 'Invalid value: {"a":"y","b":"x"}: d'],
    ['null renders as null', invalid('x', null, 'd'), 'Invalid value: null: d'],
    ['quotes and newlines are escaped', invalid('x', 'a"b\n', 'd'), 'Invalid value: "a\\"b\\n": d'],
    ['JSON escapes HTML characters like Go', invalid('x', { k: '<&>' }, 'd'), 'Invalid value: {"k":"\\u003c\\u0026\\u003e"}: d'],
    ['not supported lists quoted values', notSupported('t', 'x', ['a', 'b']), 'Unsupported value: "x": supported values: "a", "b"'],
    ['duplicate shows the value', duplicate('n', 'web'), 'Duplicate value: "web"'],
    ['not found shows the value', notFound('n', 'cfg'), 'Not found: "cfg"'],
    ['forbidden omits the value', forbidden('n', 'not allowed on this type'), 'Forbidden: not allowed on this type'],
    ['too long omits the value', tooLong('m.annotations', 262144), 'Too long: may not be more than 262144 bytes'],
    ['too long singular', tooLong('x', 1), 'Too long: may not be more than 1 byte'],
    ['too many shows the count', tooMany('x', 5, 3), 'Too many: 5: must have at most 3 items'],
    ['too many hides negative counts', tooMany('x', -1, 1), 'Too many: must have at most 1 item'],
  ];
  for (const [name, e, want] of rows) test(name, () => assert.equal(errorMessage(e), want));
});

describe('aggregation', () => {
  const a = invalid('spec.replicas', -1, 'must be greater than or equal to 0');
  const b = required('spec.selector');
  test('errorString prefixes the field', () => assert.equal(errorString(b), 'spec.selector: Required value'));
  test('one error is not bracketed', () =>
    assert.equal(aggregateMessage('Deployment', 'bad', [a]), 'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'));
  test('several errors are bracketed and comma-joined', () =>
    assert.equal(aggregateMessage('Deployment', 'bad', [a, b]),
      'The Deployment "bad" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]'));
  test('identical errors are reported once', () =>
    assert.equal(aggregateMessage('Pod', 'p', [b, b]), 'The Pod "p" is invalid: spec.selector: Required value'));
  test('status message qualifies the kind by group', () =>
    assert.equal(statusMessage('apps', 'Deployment', 'bad', [b]), 'Deployment.apps "bad" is invalid: spec.selector: Required value'));
  test('status message leaves core kinds bare', () => assert.equal(statusMessage('', 'Pod', 'p', [b]), 'Pod "p" is invalid: spec.selector: Required value'));
  test('causes carry reason, field and body', () =>
    assert.deepEqual(statusCauses([a]), [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]));
});
