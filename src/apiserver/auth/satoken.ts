// ServiceAccount tokens: JWTs signed (ES256, by `jose`) with the cluster's
// service-account key (<data-dir>/pki/sa.key, made on first start), carrying
// Kubernetes' claims: iss, sub system:serviceaccount:<ns>:<name>, aud, exp,
// iat, nbf, jti and the private `kubernetes.io` claim binding the token to
// the ServiceAccount (and pod) by name and uid. Verification is synchronous
// (node:crypto) so it can sit on every request; a token whose ServiceAccount
// or pod is gone, or was recreated with another uid, is refused.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { User } from './user.ts';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Kubernetes' TokenRequest default and minimum lifetimes. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const LEEWAY_SECONDS = 60;

export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    secret?: { name: string; uid: string };
  };
}

/** What verification needs to know about the cluster now (from the API server's caches). */
export interface TokenObjectLookup {
  serviceAccountUID(namespace: string, name: string): string | undefined;
  podUID(namespace: string, name: string): string | undefined;
  secretUID?(namespace: string, name: string): string | undefined;
}

/** Loads <dir>/sa.key, creating an EC P-256 key pair (sa.key, sa.pub) when missing. */
export function ensureServiceAccountKey(dir: string): { privateKey: string; publicKey: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, 'sa.key');
  const pubPath = join(dir, 'sa.pub');
  if (!existsSync(keyPath)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  const privateKey = readFileSync(keyPath, 'utf8');
  const publicKey = existsSync(pubPath) ? readFileSync(pubPath, 'utf8') : (createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string);
  return { privateKey, publicKey };
}

/** Kubernetes' key id: the base64url SHA-256 of the public key's DER. */
function keyID(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

export class TokenError extends Error {}

export class ServiceAccountTokens {
  private readonly signingKey: KeyObject;
  private readonly kid: string;
  private readonly verifyKeys = new Map<string, KeyObject>();
  readonly issuer: string;
  /** The audiences the API server accepts, and gives tokens that name none. */
  readonly audiences: string[];

  constructor(opts: { privateKey: string; extraPublicKeys?: string[]; issuer?: string; audiences?: string[] }) {
    this.signingKey = createPrivateKey(opts.privateKey);
    const pub = createPublicKey(this.signingKey);
    this.kid = keyID(pub);
    this.verifyKeys.set(this.kid, pub);
    for (const p of opts.extraPublicKeys ?? []) {
      const k = createPublicKey(p);
      this.verifyKeys.set(keyID(k), k);
    }
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.audiences = opts.audiences?.length ? opts.audiences : [this.issuer];
  }

  /** Signs a token for a ServiceAccount, bound to a pod or secret when given. */
  async issue(o: { namespace: string; serviceAccount: { name: string; uid: string }; audiences?: string[]; expirationSeconds?: number; bound?: BoundObject; now?: Date }): Promise<{ token: string; claims: TokenClaims }> {
    const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `system:serviceaccount:${o.namespace}:${o.serviceAccount.name}`,
      aud: o.audiences?.length ? o.audiences : this.audiences,
      exp: now + (o.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS),
      iat: now,
      nbf: now,
      jti: randomUUID(),
      'kubernetes.io': { namespace: o.namespace, serviceaccount: { ...o.serviceAccount } },
    };
    if (o.bound?.kind === 'Pod') claims['kubernetes.io'].pod = { name: o.bound.name, uid: o.bound.uid };
    if (o.bound?.kind === 'Secret') claims['kubernetes.io'].secret = { name: o.bound.name, uid: o.bound.uid };
    const token = await new SignJWT(claims as never).setProtectedHeader({ alg: 'ES256', kid: this.kid }).sign(this.signingKey);
    return { token, claims };
  }

  /** Whether a bearer token is shaped like a JWT (three base64url parts): the other authenticators skip it. */
  static looksLikeJWT(token: string): boolean {
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
  }

  /**
   * The user a token stands for. Throws TokenError for a token that is
   * malformed, signed by another key, expired, for another issuer or
   * audience, or whose ServiceAccount or bound object no longer exists.
   */
  verify(token: string, lookup: TokenObjectLookup, nowMs = Date.now()): User {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenError('malformed token');
    let header: { alg?: string; kid?: string };
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      throw new TokenError('malformed token');
    }
    if (header.alg !== 'ES256') throw new TokenError(`unsupported signing algorithm ${JSON.stringify(header.alg)}`);
    const keys = header.kid && this.verifyKeys.has(header.kid) ? [this.verifyKeys.get(header.kid)!] : [...this.verifyKeys.values()];
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    if (!keys.some((k) => verify('sha256', data, { key: k, dsaEncoding: 'ieee-p1363' }, sig))) throw new TokenError('invalid signature');
    const now = Math.floor(nowMs / 1000);
    if (claims.iss !== this.issuer) throw new TokenError('token issued by another issuer');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => this.audiences.includes(a))) throw new TokenError('token audiences are not accepted');
    if (typeof claims.exp !== 'number' || claims.exp + LEEWAY_SECONDS < now) throw new TokenError('token has expired');
    if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_SECONDS > now) throw new TokenError('token is not valid yet');
    const k8s = claims['kubernetes.io'];
    if (!k8s?.namespace || !k8s.serviceaccount?.name) throw new TokenError('token carries no service account');
    const ns = k8s.namespace;
    const saUID = lookup.serviceAccountUID(ns, k8s.serviceaccount.name);
    if (!saUID || saUID !== k8s.serviceaccount.uid) throw new TokenError(`service account ${ns}/${k8s.serviceaccount.name} has been deleted`);
    if (k8s.pod) {
      const podUID = lookup.podUID(ns, k8s.pod.name);
      if (!podUID || podUID !== k8s.pod.uid) throw new TokenError(`pod ${ns}/${k8s.pod.name} has been deleted`);
    }
    if (k8s.secret && lookup.secretUID) {
      const uid = lookup.secretUID(ns, k8s.secret.name);
      if (!uid || uid !== k8s.secret.uid) throw new TokenError(`secret ${ns}/${k8s.secret.name} has been deleted`);
    }
    const extra: Record<string, string[]> = {};
    if (k8s.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
    }
    if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    return {
      name: `system:serviceaccount:${ns}:${k8s.serviceaccount.name}`,
      uid: k8s.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      extra,
    };
  }
}
