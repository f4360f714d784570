import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MemoryStore } from '../../storage/memory/memory.ts';
import { CLUSTER_SECRETS_KEY, SERVER_TOKEN_FILE, seal, shareClusterSecrets, unseal } from './clustersecrets.ts';
import { ensurePKI } from './pki.ts';
import { ensureServiceAccountKey } from './satoken.ts';
import { TokenAuthenticator } from './tokens.ts';

const createLocal = (dir: string) => () => {
  ensurePKI(join(dir, 'pki'));
  ensureServiceAccountKey(join(dir, 'pki'));
  TokenAuthenticator.open(join(dir, 'tokens.json'));
};

test('sealed secrets open with the same token only', () => {
  const sealed = seal({ a: 'secret-a' }, 'tok-1');
  assert.ok(!sealed.includes('secret-a'));
  assert.deepEqual(unseal(sealed, 'tok-1'), { a: 'secret-a' });
  assert.throws(() => unseal(sealed, 'tok-2'), /server token does not open/);
  assert.throws(() => unseal('not json', 'tok-1'), /not what skiff stores/);
});

test('the first server stores the secrets; the next adopts them; a wrong token or a foreign data dir changes nothing', async () => {
  const store = new MemoryStore();
  const dirs = [0, 1, 2, 3].map(() => mkdtempSync(join(tmpdir(), 'skiff-secrets-')));
  try {
    const [a, b, c, d] = dirs as [string, string, string, string];
    const first = await shareClusterSecrets({ store, dataDir: a, createLocal: createLocal(a) });
    assert.equal(first.outcome, 'stored');
    // A token was made and kept for restarts; the datastore holds only the sealed form.
    assert.equal(readFileSync(join(a, SERVER_TOKEN_FILE), 'utf8').trim(), first.token);
    const kv = await store.get(CLUSTER_SECRETS_KEY);
    assert.ok(kv && !kv.value.includes('PRIVATE KEY'));

    // Another server with the token: the same CA, ServiceAccount key and admin token.
    const second = await shareClusterSecrets({ store, dataDir: b, token: first.token, createLocal: createLocal(b) });
    assert.equal(second.outcome, 'adopted');
    for (const f of ['pki/ca.crt', 'pki/ca.key', 'pki/sa.key', 'pki/sa.pub', 'tokens.json']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    // Its own serving certificate is then issued from the shared CA.
    const pki = ensurePKI(join(b, 'pki'));
    assert.equal(pki.caCert, readFileSync(join(a, 'pki/ca.crt'), 'utf8'));

    // A wrong token, or none, is refused and writes nothing.
    await assert.rejects(shareClusterSecrets({ store, dataDir: c, token: 'wrong', createLocal: createLocal(c) }), /does not open the cluster secrets/);
    await assert.rejects(shareClusterSecrets({ store, dataDir: c, createLocal: createLocal(c) }), /already holds a cluster: pass its server token/);
    assert.equal(existsSync(join(c, 'pki/ca.crt')), false);
    assert.equal(existsSync(join(c, SERVER_TOKEN_FILE)), false);

    // A data dir of another cluster keeps its CA and is refused.
    createLocal(d)();
    const own = readFileSync(join(d, 'pki/ca.crt'), 'utf8');
    await assert.rejects(shareClusterSecrets({ store, dataDir: d, token: first.token, createLocal: createLocal(d) }), /belongs to another cluster/);
    assert.equal(readFileSync(join(d, 'pki/ca.crt'), 'utf8'), own);

    // A restart of the first server needs no --token.
    assert.equal((await shareClusterSecrets({ store, dataDir: a, createLocal: createLocal(a) })).outcome, 'adopted');
  } finally {
    await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});
