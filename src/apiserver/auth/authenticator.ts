// Request authentication, Kubernetes' union in its order: a client
// certificate the cluster CA signed (CN user, O groups), then a bearer token
// (the static token file, then ServiceAccount JWTs). A request with no
// credentials at all is system:anonymous (authorization decides whether that
// is enough); credentials that fail are 401.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ServiceAccountTokens, TokenError, type TokenObjectLookup } from './satoken.ts';
import { ANONYMOUS, withAuthenticated, type User } from './user.ts';

export type AuthResult = { user: User } | { error: string };

export interface AuthenticatorOptions {
  /** The static bearer tokens (admin, nodes): the token file. */
  tokens?: (authorization: string) => { name: string; groups: string[] } | undefined;
  serviceAccounts?: ServiceAccountTokens;
  lookup?: TokenObjectLookup;
  /** Accept client certificates (the TLS server verifies them against the cluster CA). */
  clientCerts?: boolean;
  /** Requests without credentials are system:anonymous (default true); false: 401. */
  anonymous?: boolean;
}

export class Authenticator {
  constructor(private readonly opts: AuthenticatorOptions) {}

  /** The lookup of ServiceAccounts and pods, given once the server's caches exist. */
  setLookup(lookup: TokenObjectLookup): void {
    this.opts.lookup = lookup;
  }

  authenticate(req: IncomingMessage): AuthResult {
    if (this.opts.clientCerts) {
      const cert = fromClientCertificate(req);
      if (cert) return cert;
    }
    const authz = req.headers.authorization;
    if (authz !== undefined) return this.bearer(authz);
    if (this.opts.anonymous === false) return { error: 'no credentials' };
    return { user: ANONYMOUS };
  }

  /** A bearer token alone (the Authorization header value). */
  bearer(authorization: string): AuthResult {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { error: 'invalid bearer token' };
    const token = m[1]!;
    if (this.opts.serviceAccounts && ServiceAccountTokens.looksLikeJWT(token)) {
      if (!this.opts.lookup) return { error: 'service account tokens are not ready' };
      try {
        return { user: this.opts.serviceAccounts.verify(token, this.opts.lookup) };
      } catch (e) {
        if (e instanceof TokenError) return { error: e.message };
        throw e;
      }
    }
    const u = this.opts.tokens?.(`Bearer ${token}`);
    if (u) return { user: withAuthenticated({ name: u.name, groups: u.groups }) };
    return { error: 'invalid bearer token' };
  }
}

/** The user of a verified client certificate; an unverified one is an error; none: undefined. */
function fromClientCertificate(req: IncomingMessage): AuthResult | undefined {
  const sock = req.socket as TLSSocket;
  if (typeof sock.getPeerCertificate !== 'function') return undefined;
  const cert = sock.getPeerCertificate();
  if (!cert || !cert.subject || Object.keys(cert).length === 0) return undefined;
  if (!sock.authorized) return { error: `x509: ${sock.authorizationError ?? 'certificate signed by unknown authority'}` };
  const cn = cert.subject.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return { error: 'x509: subject with no common name' };
  const o = cert.subject.O as string | string[] | undefined;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { user: withAuthenticated({ name, groups }) };
}
