// The authorizer: system:masters may do anything (Kubernetes' privileged
// group), everyone else what RBAC grants. Denials carry Kubernetes' exact
// Forbidden wording, built from the request's attributes.

import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import * as errors from '../../api/errors.ts';
import { GROUP_MASTERS, type User } from '../auth/user.ts';
import type { RBACIndex } from './index.ts';
import { ruleAllows, type Attributes } from './rules.ts';

export interface Decision {
  allowed: boolean;
  /** Why (RBAC names the binding that allowed, or the roles it could not find). */
  reason: string;
}

export class Authorizer {
  constructor(private readonly rbac: RBACIndex) {}

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(GROUP_MASTERS)) return { allowed: true, reason: '' };
    const missing: string[] = [];
    for (const g of this.rbac.grants(a.user, a.isResourceRequest ? a.namespace : '')) {
      if (g.missing) missing.push(g.missing);
      for (const rule of g.rules) {
        if (ruleAllows(rule, a)) return { allowed: true, reason: `RBAC: allowed by ${g.binding}` };
      }
    }
    return { allowed: false, reason: missing.length ? `RBAC: ${missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`}` : '' };
  }

  /** Every rule a user holds in a namespace (SelfSubjectRulesReview), with errors for roles not found. */
  rulesFor(user: User, namespace: string): { rules: PolicyRule[]; missing: string[]; superuser: boolean } {
    if (user.groups.includes(GROUP_MASTERS)) {
      return { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], missing: [], superuser: true };
    }
    const rules: PolicyRule[] = [];
    const missing: string[] = [];
    for (const g of this.rbac.grants(user, namespace)) {
      if (g.missing) missing.push(g.missing);
      rules.push(...g.rules);
    }
    return { rules, missing, superuser: false };
  }
}

/** Kubernetes' message for a denied request ("User "jane" cannot list resource "pods" in API group "" in the namespace "default""). */
export function forbiddenMessage(a: Attributes): string {
  const user = a.user.name;
  if (!a.isResourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (a.namespace) return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} in the namespace ${JSON.stringify(a.namespace)}`;
  return `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} at the cluster scope`;
}

/** The 403 a denied request answers. */
export function forbiddenError(a: Attributes, reason: string): errors.StatusError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResourceRequest) {
    return new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `forbidden: ${msg}`, reason: 'Forbidden', details: {}, code: 403 });
  }
  return errors.forbidden({ group: a.apiGroup, resource: a.resource }, a.name, msg);
}
