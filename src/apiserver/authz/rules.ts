// RBAC's matching, pure: whether a PolicyRule covers a request's
// attributes, and whether a binding's subject is the user. Wildcards and
// the "*/subresource" and "/path/*" forms are Kubernetes' own.

import type { PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';
import type { User } from '../auth/user.ts';

/** What authorization decides on: Kubernetes' authorizer.Attributes. */
export interface Attributes {
  user: User;
  verb: string;
  isResourceRequest: boolean;
  /** For non-resource requests: the URL path. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

const has = (list: readonly string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.isResourceRequest) return nonResourceURLMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  if (!resourceMatches(rule, a.resource, a.subresource)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** The user name a ServiceAccount subject stands for. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The index key of a subject: "user:NAME" or "group:NAME" (ServiceAccounts are users). */
export function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `user:${s.name}`;
    case 'Group':
      return `group:${s.name}`;
    case 'ServiceAccount':
      return `user:${serviceAccountUser(s.namespace || bindingNamespace, s.name)}`;
    default:
      return undefined;
  }
}

/** The keys a user is found under: its name and each of its groups. */
export function userKeys(u: User): string[] {
  return [`user:${u.name}`, ...u.groups.map((g) => `group:${g}`)];
}
