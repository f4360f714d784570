// Access control as the API server uses it: authentication (client
// certificates, static and ServiceAccount tokens, anonymous), RBAC
// authorization over an index kept fresh by the watch caches, and the
// endpoints that belong to it (TokenRequest, SelfSubjectReview,
// TokenReview, the access reviews). The server asks three things of it:
// who is this, may they, and is this one of your endpoints.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../../api/errors.ts';
import { objectKey, type StoredObject } from '../../storage/objects.ts';
import type { WatchCache } from '../../storage/watchcache.ts';
import { Authorizer, forbiddenError } from '../authz/authorizer.ts';
import { RBACIndex } from '../authz/index.ts';
import { review, REVIEW_RESOURCES } from '../authz/reviews.ts';
import type { Attributes } from '../authz/rules.ts';
import { decodeBody } from '../http/negotiate.ts';
import { readBody, writeJSON } from '../http/respond.ts';
import type { RequestInfo } from '../request.ts';
import type { ResourceREST } from '../rest/resource.ts';
import { Authenticator } from './authenticator.ts';
import { authenticationReview, AUTHENTICATION_RESOURCES, tokenRequest } from './endpoints.ts';
import { ServiceAccountTokens } from './satoken.ts';
import { ANONYMOUS_USER, type User } from './user.ts';

export interface AccessOptions {
  /** The static token file's lookup (admin, nodes). */
  tokens?: (authorization: string) => { name: string; groups: string[] } | undefined;
  /** Verify client certificates against this CA (PEM); absent: certificates are not asked for. */
  clientCA?: string;
  /** The ServiceAccount signing key (PEM, PKCS#8) and older public keys still accepted. */
  serviceAccountKey?: { privateKey: string; publicKeys?: string[] };
  issuer?: string;
  audiences?: string[];
  /** "RBAC" (default) or "AlwaysAllow" (authentication only). */
  authorization?: 'RBAC' | 'AlwaysAllow';
  /** Requests without credentials are system:anonymous (default true). */
  anonymous?: boolean;
}

type CacheFor = (groupResource: string) => WatchCache<StoredObject> | undefined;
type RestFor = (group: string, version: string, resource: string) => ResourceREST | undefined;

/** Exec, attach and port-forward by WebSocket are GETs that Kubernetes also checks as create. */
const STREAMING = new Set(['exec', 'attach', 'portforward']);

export class AccessControl {
  readonly authn: Authenticator;
  readonly serviceAccounts?: ServiceAccountTokens;
  readonly rbac: RBACIndex;
  readonly authorizer: Authorizer;
  private readonly watches: { close(): void }[] = [];

  constructor(
    readonly opts: AccessOptions,
    private readonly cacheFor: CacheFor,
    private readonly restFor: RestFor,
  ) {
    if (opts.serviceAccountKey) {
      this.serviceAccounts = new ServiceAccountTokens({ privateKey: opts.serviceAccountKey.privateKey, extraPublicKeys: opts.serviceAccountKey.publicKeys, issuer: opts.issuer, audiences: opts.audiences });
    }
    const uidOf = (gr: string) => (ns: string, name: string) => (this.cacheFor(gr)?.get(objectKey(gr, ns, name))?.object.metadata as { uid?: string } | undefined)?.uid;
    this.authn = new Authenticator({
      tokens: opts.tokens,
      serviceAccounts: this.serviceAccounts,
      lookup: { serviceAccountUID: uidOf('serviceaccounts'), podUID: uidOf('pods'), secretUID: uidOf('secrets') },
      clientCerts: !!opts.clientCA,
      anonymous: opts.anonymous,
    });
    const objects = <T>(gr: string) => () => (this.cacheFor(gr)?.list().items ?? []).map((e) => e.object as unknown as T);
    this.rbac = new RBACIndex({
      roles: objects('roles.rbac.authorization.k8s.io'),
      roleBindings: objects('rolebindings.rbac.authorization.k8s.io'),
      clusterRoles: objects('clusterroles.rbac.authorization.k8s.io'),
      clusterRoleBindings: objects('clusterrolebindings.rbac.authorization.k8s.io'),
    });
    this.authorizer = new Authorizer(this.rbac);
  }

  /** Follows the RBAC caches: any change invalidates the index (rebuilt on the next request). */
  async start(): Promise<void> {
    for (const gr of ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].map((r) => `${r}.rbac.authorization.k8s.io`)) {
      const cache = this.cacheFor(gr);
      if (!cache) continue;
      const q = await cache.watch({ sinceRevision: cache.revision || 0 });
      this.watches.push(q);
      void (async () => {
        try {
          for await (const _ of q) this.rbac.invalidate();
        } catch {
          // The cache stopped: so does the server.
        }
      })();
    }
    this.rbac.invalidate();
  }

  stop(): void {
    for (const w of this.watches) w.close();
  }

  /** The request's user; throws 401 for credentials that do not hold. */
  authenticate(req: IncomingMessage): User {
    const r = this.authn.authenticate(req);
    if ('error' in r) throw errors.unauthorized();
    return r.user;
  }

  /** Throws 401 (anonymous) or 403 (Kubernetes' wording) when RBAC does not allow the request. */
  authorize(user: User, info: RequestInfo): void {
    if (this.opts.authorization === 'AlwaysAllow') return;
    const base: Attributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      namespace: info.namespace,
      apiGroup: info.group,
      apiVersion: info.version,
      resource: info.resource,
      subresource: info.subresource,
      name: info.name,
    };
    const checks = [base];
    if (info.isResourceRequest && info.verb === 'get' && !info.group && info.resource === 'pods' && STREAMING.has(info.subresource)) checks.push({ ...base, verb: 'create' });
    for (const a of checks) {
      const d = this.authorizer.authorize(a);
      if (d.allowed) continue;
      if (user.name === ANONYMOUS_USER) throw errors.unauthorized();
      throw forbiddenError(a, d.reason);
    }
  }

  /** Serves the access endpoints; false for any other request. */
  async serve(req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: User, query: URLSearchParams, protobuf?: (b: Buffer) => unknown): Promise<boolean> {
    if (!info.isResourceRequest || info.version !== 'v1') return false;
    const isTokenRequest = info.group === '' && info.resource === 'serviceaccounts' && info.subresource === 'token';
    const isAuthz = info.group === 'authorization.k8s.io' && REVIEW_RESOURCES.has(info.resource) && !info.name;
    const isAuthn = info.group === 'authentication.k8s.io' && AUTHENTICATION_RESOURCES.has(info.resource) && !info.name;
    if (!isTokenRequest && !isAuthz && !isAuthn) return false;
    if (info.verb !== 'create') throw errors.methodNotAllowed();
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    if (raw.length) {
      const v = decodeBody(req.headers['content-type'], raw, protobuf).value;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequest('the body of the request must be a JSON object');
      body = v as Record<string, unknown>;
    }
    let answer: { code: number; body: unknown };
    if (isTokenRequest) {
      if (!this.serviceAccounts) throw errors.serviceUnavailable('no service account signing key is configured');
      const get = (resource: string) => async (ns: string, name: string) => (await this.restFor('', 'v1', resource)!.get(ns, name)) as never;
      answer = await tokenRequest(info.namespace, info.name, body, { tokens: this.serviceAccounts, getServiceAccount: get('serviceaccounts'), getPod: get('pods'), getSecret: get('secrets') }, query.getAll('dryRun').includes('All'));
    } else if (isAuthz) {
      answer = review(info.resource, body, user, this.authorizer, info.namespace);
    } else {
      answer = authenticationReview(info.resource, body, user, this.authn);
    }
    writeJSON(res, answer.code, answer.body);
    return true;
  }
}
