// authorization.k8s.io/v1: SelfSubjectAccessReview (`kubectl auth can-i`),
// SelfSubjectRulesReview (`can-i --list`) and SubjectAccessReview. Each is
// a create that stores nothing and answers the object with its status.

import * as errors from '../../api/errors.ts';
import * as field from '../../api/validation/field.ts';
import type { User } from '../auth/user.ts';
import type { Authorizer } from './authorizer.ts';
import type { Attributes } from './rules.ts';

const GROUP = 'authorization.k8s.io';
export const REVIEW_RESOURCES = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews']);

type Review = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
interface ResourceAttributes { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttributes { path?: string; verb?: string }

function attributesOf(user: User, spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }, kind: string): Attributes {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (ra && nra) throw errors.invalid(GROUP, kind, '', [field.invalid('spec.resourceAttributes', ra, 'cannot be specified in combination with nonResourceAttributes')]);
  if (!ra && !nra) throw errors.invalid(GROUP, kind, '', [field.required('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
  if (ra) {
    return { user, verb: ra.verb ?? '', isResourceRequest: true, path: '', namespace: ra.namespace ?? '', apiGroup: ra.group ?? '', apiVersion: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '' };
  }
  return { user, verb: nra!.verb ?? '', isResourceRequest: false, path: nra!.path ?? '', namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

/** Answers a review create; `namespace` is the URL's (localsubjectaccessreviews). */
export function review(resource: string, body: Review, user: User, authorizer: Authorizer, namespace: string): { code: number; body: unknown } {
  const spec = (body.spec ?? {}) as Record<string, unknown>;
  const out = (kind: string, status: unknown) => ({ code: 201, body: { kind, apiVersion: `${GROUP}/v1`, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec, status } });
  switch (resource) {
    case 'selfsubjectaccessreviews': {
      const d = authorizer.authorize(attributesOf(user, spec, 'SelfSubjectAccessReview'));
      return out('SelfSubjectAccessReview', { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) });
    }
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const kind = resource === 'subjectaccessreviews' ? 'SubjectAccessReview' : 'LocalSubjectAccessReview';
      const subject: User = { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? (spec.groups as string[]) : [], uid: spec.uid as string | undefined, extra: spec.extra as Record<string, string[]> | undefined };
      if (!subject.name && !subject.groups.length) throw errors.invalid(GROUP, kind, '', [field.required('spec.user', 'at least one of user or group must be specified')]);
      const attrs = attributesOf(subject, spec, kind);
      if (kind === 'LocalSubjectAccessReview') {
        if (attrs.isResourceRequest && attrs.namespace && attrs.namespace !== namespace) {
          throw errors.invalid(GROUP, kind, '', [field.invalid('spec.resourceAttributes.namespace', attrs.namespace, 'must match metadata.namespace')]);
        }
        attrs.namespace = namespace;
      }
      const d = authorizer.authorize(attrs);
      return out(kind, { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) });
    }
    case 'selfsubjectrulesreviews': {
      const ns = String(spec.namespace ?? '');
      if (!ns) throw errors.invalid(GROUP, 'SelfSubjectRulesReview', '', [field.required('spec.namespace')]);
      const { rules, missing } = authorizer.rulesFor(user, ns);
      const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return out('SelfSubjectRulesReview', { resourceRules, nonResourceRules, incomplete: missing.length > 0, ...(missing.length ? { evaluationError: missing.join(', ') } : {}) });
    }
  }
  throw errors.notFound({ group: GROUP, resource }, '');
}
