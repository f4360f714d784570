import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from './field.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';

const NS = { namespaced: true, nameFn: nameIsDNSSubdomain };
const CLUSTER = { namespaced: false, nameFn: nameIsDNSLabel };
const msgs = (errs: { field: string }[]): string[] => errs.map((e) => errorString(e as never));

describe('validateObjectMeta', () => {
  const rows: [string, Parameters<typeof validateObjectMeta>[0], typeof NS, string[]][] = [
    ['a plain namespaced object is valid', { name: 'web', namespace: 'default' }, NS, []],
    ['name is required without generateName', { namespace: 'default' }, NS, ['metadata.name: Required value: name or generateName is required']],
    ['generateName alone is accepted (server generates the name)', { generateName: 'web-', namespace: 'default' }, NS, []],
    ['a bad generateName is reported', { generateName: 'Web-', namespace: 'default' }, NS, [
      `metadata.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]],
    ['namespace is required for namespaced kinds', { name: 'web' }, NS, ['metadata.namespace: Required value']],
    ['namespace is forbidden for cluster-scoped kinds', { name: 'n1', namespace: 'default' }, CLUSTER, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['a bad label value is reported against the map', { name: 'w', namespace: 'd', labels: { app: 'a b' } }, NS, [
      `metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]],
    ['annotations over 256 KiB are too long', { name: 'w', namespace: 'd', annotations: { a: 'x'.repeat(262144) } }, NS, [
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]],
    ['annotation keys are case-insensitive qualified names', { name: 'w', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } }, NS, []],
    ['owner references need apiVersion, kind, name and uid', { name: 'w', namespace: 'd', ownerReferences: [{} as never] }, NS, [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ]],
    ['only one controller owner', {
      name: 'w', namespace: 'd', ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
      ],
    }, NS, [
      'metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
    ]],
    ['finalizers without a domain must be standard', { name: 'w', namespace: 'd', finalizers: ['custom'] }, NS, [
      'metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]],
    ['qualified finalizers are fine', { name: 'w', namespace: 'd', finalizers: ['example.com/cleanup', 'kubernetes'] }, NS, []],
  ];
  for (const [name, meta, opts, want] of rows) test(name, () => assert.deepEqual(msgs(validateObjectMeta(meta, opts)), want));
});

describe('validateObjectMetaUpdate', () => {
  const old = { name: 'web', namespace: 'default', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  const rows: [string, object, string[]][] = [
    ['unchanged identity is fine', { ...old, labels: { a: 'b' } }, []],
    ['name is immutable', { ...old, name: 'other' }, ['metadata.name: Invalid value: "other": field is immutable']],
    ['namespace is immutable', { ...old, namespace: 'x' }, ['metadata.namespace: Invalid value: "x": field is immutable']],
    ['uid is immutable', { ...old, uid: 'u2' }, ['metadata.uid: Invalid value: "u2": field is immutable']],
    ['creationTimestamp is immutable', { ...old, creationTimestamp: '2025-01-01T00:00:00Z' }, [
      'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
    ]],
  ];
  for (const [name, meta, want] of rows) test(name, () => assert.deepEqual(msgs(validateObjectMetaUpdate(meta, old)), want));
  test('no new finalizers while deleting', () =>
    assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, deletionTimestamp: 't', finalizers: ['example.com/a'] }, { ...old, deletionTimestamp: 't' })), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a"}',
    ]));
});
