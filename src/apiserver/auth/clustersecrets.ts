// The secrets every API server of one cluster must hold alike: the cluster
// CA (so each server's certificate, every client certificate and the agents'
// pinned CA agree), the ServiceAccount signing key (a token one server issued
// is good at the others) and the token file (the admin's token works
// everywhere). Servers sharing an etcd share them through it: the first one
// stores them under one key, sealed with AES-256-GCM under a key derived
// (scrypt) from the server token; the others open them with the same token and
// write them into their data dir before loading the PKI. The token never
// enters the datastore.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStoreError, type Store } from '../../storage/store.ts';

export const CLUSTER_SECRETS_KEY = '/skiff/bootstrap/cluster-secrets';

/** The files shared, relative to the data dir, and whether they are private. */
const SHARED_FILES: [path: string, secret: boolean][] = [
  ['pki/ca.crt', false],
  ['pki/ca.key', true],
  ['pki/sa.key', true],
  ['pki/sa.pub', false],
  ['tokens.json', true],
];

interface Sealed {
  v: 1;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

export class ClusterSecretsError extends Error {}

function keyOf(token: string, salt: Buffer): Buffer {
  return scryptSync(token, salt, 32, { N: 1 << 14, r: 8, p: 1 });
}

export function seal(files: Record<string, string>, token: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(token, salt), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(files), 'utf8'), cipher.final()]);
  const sealed: Sealed = { v: 1, salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(sealed);
}

export function unseal(value: string, token: string): Record<string, string> {
  let s: Sealed;
  try {
    s = JSON.parse(value) as Sealed;
  } catch {
    throw new ClusterSecretsError(`the datastore's ${CLUSTER_SECRETS_KEY} is not what skiff stores there: is this etcd used by something else?`);
  }
  if (s.v !== 1) throw new ClusterSecretsError(`the datastore's cluster secrets are in format v${String(s.v)}, which this skiff does not read: upgrade it`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(token, Buffer.from(s.salt, 'base64')), Buffer.from(s.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, string>;
  } catch {
    throw new ClusterSecretsError('the server token does not open the cluster secrets in this datastore: pass the token the first server made (--token, or the server-token file in its data dir)');
  }
}

/** Where a server keeps the server token, so a restart needs no --token. */
export const SERVER_TOKEN_FILE = 'server-token';

export interface ShareOptions {
  store: Store;
  dataDir: string;
  /** The server token (--token); absent: the one in the data dir, or a new one when this server is the first. */
  token?: string;
  /** Creates the local secrets that are missing (CA, ServiceAccount key, token file). */
  createLocal: () => void;
}

/**
 * Makes the data dir hold the cluster's shared secrets: adopts the ones in
 * the datastore, or stores this server's own when it is the first. A data
 * dir holding a different CA than the cluster's is refused, not overwritten.
 * Answers what happened.
 */
export async function shareClusterSecrets(o: ShareOptions): Promise<{ outcome: 'stored' | 'adopted'; token: string }> {
  const local = (rel: string) => join(o.dataDir, rel);
  const tokenPath = local(SERVER_TOKEN_FILE);
  const saved = existsSync(tokenPath) ? readFileSync(tokenPath, 'utf8').trim() : undefined;
  const keep = (token: string) => {
    if (token === saved) return;
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(tokenPath, token + '\n', { mode: 0o600 });
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const kv = await o.store.get(CLUSTER_SECRETS_KEY);
    if (kv) {
      const token = o.token ?? saved;
      if (!token) throw new ClusterSecretsError('this datastore already holds a cluster: pass its server token with --token (the server-token file in the first server\'s data dir)');
      adopt(unseal(kv.value, token), o.dataDir);
      keep(token);
      return { outcome: 'adopted', token };
    }
    const token = o.token ?? saved ?? randomBytes(24).toString('base64url');
    const hadLocal = SHARED_FILES.map(([rel]) => existsSync(local(rel)));
    o.createLocal();
    const files: Record<string, string> = {};
    for (const [rel] of SHARED_FILES) if (existsSync(local(rel))) files[rel] = readFileSync(local(rel), 'utf8');
    try {
      await o.store.create(CLUSTER_SECRETS_KEY, seal(files, token));
      keep(token);
      return { outcome: 'stored', token };
    } catch (e) {
      if (!isStoreError(e, 'AlreadyExists')) throw e;
      // Another server stored first, at the same moment: drop what was made just now and adopt its secrets.
      SHARED_FILES.forEach(([rel], i) => {
        if (!hadLocal[i]) rmSync(local(rel), { force: true });
      });
    }
  }
  throw new ClusterSecretsError('could not agree on the cluster secrets with the other servers: try again');
}

function adopt(files: Record<string, string>, dataDir: string): void {
  const ca = files['pki/ca.crt'];
  if (!ca || !files['pki/ca.key']) throw new ClusterSecretsError(`the datastore's cluster secrets hold no CA`);
  const localCA = join(dataDir, 'pki/ca.crt');
  if (existsSync(localCA) && readFileSync(localCA, 'utf8') !== ca) {
    throw new ClusterSecretsError(`${dataDir} belongs to another cluster (its CA differs from the one in the datastore): give this server a fresh --data-dir`);
  }
  for (const [rel, secret] of SHARED_FILES) {
    const content = files[rel];
    if (content === undefined) continue;
    const path = join(dataDir, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
  }
}
