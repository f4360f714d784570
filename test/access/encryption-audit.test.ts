// Secrets encrypted at rest (an EncryptionConfiguration with an aesgcm key)
// and the audit log of write requests, on an API server over a memory store
// whose raw values the test reads.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/storage/memory/memory.ts';
import { ApiServer } from '../../src/apiserver/server.ts';
import { loadEncryptionConfig } from '../../src/apiserver/auth/encryption.ts';
import { waitFor } from '../support/wait.ts';

const ADMIN = 'Bearer admin-token';
const VIEWER = 'Bearer viewer-token';

describe('encryption at rest and the audit log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-enc-'));
  const store = new MemoryStore();
  let server: ApiServer;
  let url: string;
  const call = async (method: string, path: string, body?: unknown, auth = ADMIN) => {
    const r = await fetch(url + path, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };

  before(async () => {
    writeFileSync(
      join(dir, 'enc.yaml'),
      `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: key1\n              secret: ${randomBytes(32).toString('base64')}\n      - identity: {}\n`,
    );
    server = new ApiServer({
      store,
      port: 0,
      authenticate: (h) => (h === ADMIN ? { name: 'admin', groups: ['system:masters'] } : h === VIEWER ? { name: 'viewer', groups: [] } : undefined),
      access: {},
      encryptionConfig: join(dir, 'enc.yaml'),
      auditLogPath: join(dir, 'audit.log'),
    });
    url = (await server.start()).url;
  });
  after(async () => {
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('secret values are stored encrypted with the key name and read back in plaintext', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } });
    assert.equal(created.status, 201);
    const raw = (await store.get('/registry/secrets/default/s'))!.value;
    assert.match(raw, /^k8s:enc:aesgcm:v1:key1:/);
    assert.ok(!raw.includes('aHVudGVyMg'), 'the base64 of the value is not in the store');
    const read = await call('GET', '/api/v1/namespaces/default/secrets/s');
    assert.equal(Buffer.from(read.body.data.password, 'base64').toString(), 'hunter2');
    const cm = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } });
    assert.equal(cm.status, 201);
    assert.match((await store.get('/registry/configmaps/default/c'))!.value, /^\{/);
  });

  test('a bad configuration is refused with a clear error', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'kind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n            - name: k\n              secret: c2hvcnQ=\n');
    assert.throws(() => loadEncryptionConfig(join(dir, 'bad.yaml')), /key k must be 16, 24 or 32 bytes/);
  });

  test('each write request is one audit line with user, verb, resource, namespace, name and code', async () => {
    const denied = await call('DELETE', '/api/v1/namespaces/default/configmaps/c', undefined, VIEWER);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'configmaps "c" is forbidden: User "viewer" cannot delete resource "configmaps" in API group "" in the namespace "default"');
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/c')).status, 200);
    const lines = await waitFor(() => {
      const l = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').filter(Boolean).map((x) => JSON.parse(x));
      return l.some((e) => e.user.username === 'viewer') ? l : undefined;
    }, 'audit lines');
    const del = lines.find((e) => e.user.username === 'viewer')!;
    assert.equal(del.verb, 'delete');
    assert.deepEqual(del.objectRef, { resource: 'configmaps', namespace: 'default', name: 'c', apiGroup: '', apiVersion: 'v1' });
    assert.equal(del.responseStatus.code, 403);
    const create = lines.find((e) => e.verb === 'create' && e.objectRef.resource === 'secrets')!;
    assert.equal(create.user.username, 'admin');
    assert.equal(create.responseStatus.code, 201);
    assert.ok(!lines.some((e) => e.verb === 'get' || e.verb === 'list'), 'reads are not audited');
  });
});
