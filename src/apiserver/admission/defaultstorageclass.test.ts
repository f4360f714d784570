import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admitDefaultStorageClass } from './defaultstorageclass.ts';

const cls = (name: string, isDefault: boolean, created = '2024-01-01T00:00:00Z'): { metadata: { name: string; creationTimestamp: string; annotations: Record<string, string> } } => ({
  metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
});

test('a claim without a class gets the default class', () => {
  const pvc: { spec: { storageClassName?: string | null } } = { spec: {} };
  admitDefaultStorageClass(pvc, [cls('slow', false), cls('local-path', true)]);
  assert.equal(pvc.spec.storageClassName, 'local-path');
});

test('an explicit class, even "", and the beta annotation are kept', () => {
  const explicit = { spec: { storageClassName: '' } };
  admitDefaultStorageClass(explicit, [cls('local-path', true)]);
  assert.equal(explicit.spec.storageClassName, '');
  const beta: { metadata: { annotations: Record<string, string> }; spec: { storageClassName?: string } } = { metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'x' } }, spec: {} };
  admitDefaultStorageClass(beta, [cls('local-path', true)]);
  assert.equal(beta.spec.storageClassName, undefined);
});

test('no default class leaves the claim alone; of several the newest wins', () => {
  const none: { spec: { storageClassName?: string } } = { spec: {} };
  admitDefaultStorageClass(none, [cls('a', false)]);
  assert.equal(none.spec.storageClassName, undefined);
  const two: { spec: { storageClassName?: string } } = { spec: {} };
  admitDefaultStorageClass(two, [cls('old', true, '2024-01-01T00:00:00Z'), cls('new', true, '2024-06-01T00:00:00Z')]);
  assert.equal(two.spec.storageClassName, 'new');
});
