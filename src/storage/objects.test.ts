import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, encodeForStorage, objectKey, resourcePrefix } from './objects.ts';
import { MemoryStore } from './memory/memory.ts';

test('keys: namespaced, cluster-scoped and group-qualified resources have distinct, prefix-safe keys', () => {
  assert.equal(objectKey('pods', 'default', 'web-1'), '/registry/pods/default/web-1');
  assert.equal(objectKey('nodes', undefined, 'node-1'), '/registry/nodes/node-1');
  assert.equal(objectKey('deployments.apps', 'prod', 'web'), '/registry/deployments.apps/prod/web');
  assert.equal(resourcePrefix('pods', 'default'), '/registry/pods/default/');
  assert.ok(!objectKey('pods', 'default-2', 'x').startsWith(resourcePrefix('pods', 'default')), 'namespace "default" does not cover "default-2"');
  assert.throws(() => objectKey('pods', 'default', 'a/b'), /bad object name/);
  assert.throws(() => objectKey('pods', 'default', ''), /bad object name/);
});

test('resourceVersion is not stored and comes back as the revision of the write', async () => {
  const s = new MemoryStore();
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', resourceVersion: '999' }, spec: {} };
  const stored = encodeForStorage(pod);
  assert.ok(!stored.includes('resourceVersion'));
  assert.equal(pod.metadata.resourceVersion, '999', 'the caller object is not mutated');
  const kv = await s.create(objectKey('pods', 'd', 'p'), stored);
  const back = decodeObject(kv);
  assert.equal(back.metadata!.resourceVersion, String(kv.modRevision));
  assert.deepEqual({ ...back, metadata: { ...back.metadata, resourceVersion: '999' } }, pod);
  await s.close();
});
