// Encryption at rest: a Store wrapper that encrypts the values of chosen
// resources (Secrets) with AES-256-GCM before they reach the backend and
// decrypts them on every read and watch event, as Kubernetes' aesgcm
// provider does. Stored values read `k8s:enc:aesgcm:v1:<key name>:<base64
// of nonce|ciphertext|tag>`. The configuration is a Kubernetes
// EncryptionConfiguration file (YAML or JSON): the first provider writes;
// every listed aesgcm key (and identity, when listed) can read.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isStoreError, StoreError, type KeyValue, type ListOptions, type Store, type Watch, type WatchEvent, type WatchOptions } from '../../storage/store.ts';

const PREFIX = 'k8s:enc:aesgcm:v1:';

export interface EncryptionConfig {
  /** Store key prefixes whose values are encrypted (/registry/secrets/). */
  prefixes: string[];
  /** The writing key (undefined: identity writes plaintext). */
  write?: { name: string; key: Buffer };
  keys: Map<string, Buffer>;
  /** Plaintext values can still be read (identity provider listed). */
  identity: boolean;
}

type Provider = { aesgcm?: { keys?: { name: string; secret: string }[] }; identity?: object; aescbc?: unknown; secretbox?: unknown };

/** Reads an EncryptionConfiguration (apiserver.config.k8s.io/v1); clear errors for what it cannot use. */
export function loadEncryptionConfig(path: string): EncryptionConfig {
  let doc: { kind?: string; resources?: { resources?: string[]; providers?: Provider[] }[] };
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`encryption config ${path}: ${(e as Error).message}`);
  }
  if (doc?.kind !== 'EncryptionConfiguration') throw new Error(`encryption config ${path}: kind must be EncryptionConfiguration`);
  const cfg: EncryptionConfig = { prefixes: [], keys: new Map(), identity: false };
  for (const r of doc.resources ?? []) {
    for (const res of r.resources ?? []) {
      const [resource, group] = res.split('.', 2) as [string, string | undefined];
      cfg.prefixes.push(`/registry/${group ? `${resource}.${group}` : resource}/`);
    }
    for (const [i, p] of (r.providers ?? []).entries()) {
      if (p.identity) {
        cfg.identity = true;
        continue;
      }
      if (!p.aesgcm) throw new Error(`encryption config ${path}: only aesgcm and identity providers are supported`);
      for (const k of p.aesgcm.keys ?? []) {
        const key = Buffer.from(k.secret, 'base64');
        if (key.length !== 32 && key.length !== 16 && key.length !== 24) throw new Error(`encryption config ${path}: key ${k.name} must be 16, 24 or 32 bytes (base64), got ${key.length}`);
        cfg.keys.set(k.name, key);
        if (i === 0 && !cfg.write) cfg.write = { name: k.name, key };
      }
    }
  }
  return cfg;
}

export function encryptValue(cfg: EncryptionConfig, plaintext: string): string {
  if (!cfg.write) return plaintext;
  const nonce = randomBytes(12);
  const c = createCipheriv(`aes-${cfg.write.key.length * 8}-gcm` as 'aes-256-gcm', cfg.write.key, nonce);
  const body = Buffer.concat([nonce, c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
  return `${PREFIX}${cfg.write.name}:${body.toString('base64')}`;
}

export function decryptValue(cfg: EncryptionConfig, stored: string): string {
  if (!stored.startsWith(PREFIX)) {
    if (!cfg.identity && cfg.write && stored.startsWith('k8s:enc:')) throw new Error('value encrypted by an unknown provider');
    return stored;
  }
  const rest = stored.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  const name = rest.slice(0, colon);
  const key = cfg.keys.get(name);
  if (!key) throw new Error(`no key named ${JSON.stringify(name)} to decrypt a stored value`);
  const body = Buffer.from(rest.slice(colon + 1), 'base64');
  const d = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, body.subarray(0, 12));
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString('utf8');
}

/** The Store seen through encryption for the configured prefixes. */
export function encryptingStore(inner: Store, cfg: EncryptionConfig): Store {
  const covered = (key: string) => cfg.prefixes.some((p) => key.startsWith(p));
  const out = (kv: KeyValue): KeyValue => (covered(kv.key) && kv.value ? { ...kv, value: decryptValue(cfg, kv.value) } : kv);
  const into = (key: string, value: string) => (covered(key) ? encryptValue(cfg, value) : value);
  const outEvent = (e: WatchEvent): WatchEvent => (e.type === 'PROGRESS' ? e : { ...e, kv: out(e.kv), ...(e.prevKv ? { prevKv: out(e.prevKv) } : {}) });
  return {
    backend: inner.backend,
    get: async (key) => {
      const kv = await inner.get(key);
      return kv && out(kv);
    },
    list: async (prefix: string, opts?: ListOptions) => {
      const r = await inner.list(prefix, opts);
      return { ...r, items: r.items.map(out) };
    },
    count: (prefix) => inner.count(prefix),
    create: async (key, value) => out(await inner.create(key, into(key, value))),
    update: async (key, value, rev) => {
      try {
        return out(await inner.update(key, into(key, value), rev));
      } catch (e) {
        // A conflict carries the current value for the retry: in plaintext, like every read.
        if (isStoreError(e, 'Conflict') && e.current) throw new StoreError('Conflict', e.message, { key: e.key, current: out(e.current) });
        throw e;
      }
    },
    delete: async (key, rev) => out(await inner.delete(key, rev)),
    watch(prefix: string, opts: WatchOptions): Watch {
      const w = inner.watch(prefix, opts);
      return {
        close: () => w.close(),
        requestProgress: () => w.requestProgress(),
        get isClosed() {
          return w.isClosed;
        },
        async *[Symbol.asyncIterator]() {
          for await (const e of w) yield outEvent(e);
        },
      };
    },
    currentRevision: () => inner.currentRevision(),
    compactRevision: () => inner.compactRevision(),
    compact: (rev) => inner.compact(rev),
    close: () => inner.close(),
  };
}
