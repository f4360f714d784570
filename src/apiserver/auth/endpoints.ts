// authentication.k8s.io/v1 and the TokenRequest subresource:
// SelfSubjectReview (`kubectl auth whoami`), TokenReview, and
// POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token (`kubectl create
// token`, and what node agents call for projected tokens), which signs a
// ServiceAccount token, bound to a pod when boundObjectRef names one.

import * as errors from '../../api/errors.ts';
import * as field from '../../api/validation/field.ts';
import type { Authenticator } from './authenticator.ts';
import { DEFAULT_EXPIRATION_SECONDS, MIN_EXPIRATION_SECONDS, type BoundObject, type ServiceAccountTokens } from './satoken.ts';
import type { User } from './user.ts';

const GROUP = 'authentication.k8s.io';
export const AUTHENTICATION_RESOURCES = new Set(['selfsubjectreviews', 'tokenreviews']);

type Body = { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };

function userInfo(u: User): Record<string, unknown> {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) };
}

export function authenticationReview(resource: string, body: Body, user: User, authn: Authenticator): { code: number; body: unknown } {
  if (resource === 'selfsubjectreviews') {
    return { code: 201, body: { kind: 'SelfSubjectReview', apiVersion: `${GROUP}/v1`, metadata: { creationTimestamp: null }, status: { userInfo: userInfo(user) } } };
  }
  const spec = body.spec ?? {};
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (!token) throw errors.invalid(GROUP, 'TokenReview', '', [field.required('spec.token', 'token must not be empty')]);
  const r = authn.bearer(`Bearer ${token}`);
  const status = 'user' in r ? { authenticated: true, user: userInfo(r.user), audiences: spec.audiences } : { authenticated: false, error: r.error, user: {} };
  return { code: 201, body: { kind: 'TokenReview', apiVersion: `${GROUP}/v1`, metadata: { creationTimestamp: null }, spec, status } };
}

type Meta = { metadata?: { uid?: string; name?: string; deletionTimestamp?: string } };

export interface TokenRequestDeps {
  tokens: ServiceAccountTokens;
  getServiceAccount(namespace: string, name: string): Promise<Meta>;
  getPod(namespace: string, name: string): Promise<Meta & { spec?: { serviceAccountName?: string; nodeName?: string } }>;
  getSecret(namespace: string, name: string): Promise<Meta>;
}

/** Issues a TokenRequest for the ServiceAccount `name` in `namespace`. */
export async function tokenRequest(namespace: string, name: string, body: Body, deps: TokenRequestDeps, dryRun: boolean): Promise<{ code: number; body: unknown }> {
  const spec = (body.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number | null; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null };
  const errs: field.FieldError[] = [];
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) errs.push(field.invalid('spec.expirationSeconds', exp, 'must be an integer'));
  else if (exp < MIN_EXPIRATION_SECONDS) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
  else if (exp > 2 ** 32) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a) => typeof a === 'string' && a) : [];
  const ref = spec.boundObjectRef ?? undefined;
  if (ref && ref.kind !== 'Pod' && ref.kind !== 'Secret') errs.push(field.notSupported('spec.boundObjectRef.kind', ref.kind ?? '', ['Pod', 'Secret']));
  if (ref && !ref.name) errs.push(field.required('spec.boundObjectRef.name'));
  if (errs.length) throw errors.invalid(GROUP, 'TokenRequest', name, errs);
  const sa = await deps.getServiceAccount(namespace, name);
  let bound: BoundObject | undefined;
  if (ref) {
    const obj = ref.kind === 'Pod' ? await deps.getPod(namespace, ref.name!) : await deps.getSecret(namespace, ref.name!);
    const uid = obj.metadata?.uid ?? '';
    if (ref.uid && ref.uid !== uid) {
      throw errors.conflict({ group: '', resource: ref.kind === 'Pod' ? 'pods' : 'secrets' }, ref.name!, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (obj.metadata?.deletionTimestamp) throw errors.badRequest(`cannot bind token to object ${ref.name} which is being deleted`);
    if (ref.kind === 'Pod') {
      const podSA = (obj as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName ?? 'default';
      if (podSA !== name) throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
    }
    bound = { kind: ref.kind as 'Pod' | 'Secret', name: ref.name!, uid };
  }
  const { token, claims } = await deps.tokens.issue({ namespace, serviceAccount: { name, uid: sa.metadata?.uid ?? '' }, audiences, expirationSeconds: exp, bound });
  return {
    code: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: `${GROUP}/v1`,
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences: claims.aud, expirationSeconds: exp, boundObjectRef: ref ? { kind: ref.kind, apiVersion: ref.apiVersion ?? 'v1', name: ref.name, uid: bound!.uid } : null },
      status: { token: dryRun ? '' : token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
    },
  };
}
