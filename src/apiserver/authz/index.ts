// The RBAC index the authorizer reads: bindings by subject (user name or
// group), roles by name, ClusterRole aggregation resolved. It is built from
// the API server's watch caches of the four RBAC resources and rebuilt only
// after one of them changed (the caches tell through a watch), so a request
// never lists roles or bindings: it looks up its user's and groups' keys.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef } from 'kubernetes-types/rbac/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { subjectKey, userKeys } from './rules.ts';
import type { User } from '../auth/user.ts';

/** The current RBAC objects (from the watch caches). */
export interface RBACSource {
  roles(): Role[];
  roleBindings(): RoleBinding[];
  clusterRoles(): ClusterRole[];
  clusterRoleBindings(): ClusterRoleBinding[];
}

/** Where one binding's rules come from, and the binding that grants them (for reasons and reviews). */
export interface Grant {
  binding: string;
  /** "" for ClusterRoleBindings. */
  namespace: string;
  rules: PolicyRule[];
  /** The role was missing: RBAC's reason names it. */
  missing?: string;
}

interface Built {
  cluster: Map<string, Grant[]>;
  /** namespace -> subject key -> grants. */
  namespaced: Map<string, Map<string, Grant[]>>;
  clusterRules(name: string): PolicyRule[] | undefined;
}

export class RBACIndex {
  private built?: Built;

  constructor(private readonly source: RBACSource) {}

  /** The rules of a ClusterRole with aggregation resolved (undefined: no such role). */
  clusterRoleRules(name: string): PolicyRule[] | undefined {
    const b = (this.built ??= this.build());
    return b.clusterRules(name);
  }

  /** Called on every change of an RBAC object. */
  invalidate(): void {
    this.built = undefined;
  }

  /** The grants that apply to a user in a namespace ("" = cluster-scoped requests: ClusterRoleBindings only). */
  grants(user: User, namespace: string): Grant[] {
    const b = (this.built ??= this.build());
    const out: Grant[] = [];
    const keys = userKeys(user);
    for (const k of keys) for (const g of b.cluster.get(k) ?? []) out.push(g);
    if (namespace) {
      const ns = b.namespaced.get(namespace);
      if (ns) for (const k of keys) for (const g of ns.get(k) ?? []) out.push(g);
    }
    return out;
  }

  private build(): Built {
    const clusterRoles = new Map<string, ClusterRole>();
    for (const cr of this.source.clusterRoles()) clusterRoles.set(cr.metadata!.name!, cr);
    const aggregated = new Map<string, PolicyRule[]>();
    const clusterRules = (name: string, visiting = new Set<string>()): PolicyRule[] | undefined => {
      const cr = clusterRoles.get(name);
      if (!cr) return undefined;
      return cr.aggregationRule?.clusterRoleSelectors?.length ? aggregate(cr, visiting) : (cr.rules ?? []);
    };
    // An aggregated role's rules are the union of its sources' rules (what
    // Kubernetes' aggregation controller writes into it), resolved transitively.
    const aggregate = (cr: ClusterRole, visiting: Set<string>): PolicyRule[] => {
      const name = cr.metadata!.name!;
      const done = aggregated.get(name);
      if (done) return done;
      if (visiting.has(name)) return [];
      visiting.add(name);
      const selectors = cr.aggregationRule!.clusterRoleSelectors!.map((s) => selectorFromLabelSelector(s));
      const rules: PolicyRule[] = [];
      const seen = new Set<string>();
      for (const other of [...clusterRoles.values()].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
        if (other === cr || !selectors.some((s) => s.matches(other.metadata?.labels ?? {}))) continue;
        for (const r of clusterRules(other.metadata!.name!, visiting) ?? []) {
          const k = JSON.stringify(r);
          if (!seen.has(k)) {
            seen.add(k);
            rules.push(r);
          }
        }
      }
      visiting.delete(name);
      aggregated.set(name, rules);
      return rules;
    };
    const roles = new Map<string, Role>();
    for (const r of this.source.roles()) roles.set(`${r.metadata!.namespace}/${r.metadata!.name}`, r);
    const resolve = (ref: RoleRef, namespace: string): { rules: PolicyRule[]; missing?: string } => {
      if (ref.kind === 'ClusterRole') {
        const rules = clusterRules(ref.name);
        return rules ? { rules } : { rules: [], missing: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` };
      }
      const role = roles.get(`${namespace}/${ref.name}`);
      return role ? { rules: role.rules ?? [] } : { rules: [], missing: `role.rbac.authorization.k8s.io "${ref.name}" not found` };
    };
    const add = (m: Map<string, Grant[]>, key: string, g: Grant) => {
      const l = m.get(key);
      if (l) l.push(g);
      else m.set(key, [g]);
    };
    const cluster = new Map<string, Grant[]>();
    for (const b of this.source.clusterRoleBindings()) {
      const g: Grant = { binding: `ClusterRoleBinding "${b.metadata!.name}"`, namespace: '', ...resolve(b.roleRef, '') };
      for (const s of b.subjects ?? []) {
        const k = subjectKey(s, '');
        if (k) add(cluster, k, g);
      }
    }
    const namespaced = new Map<string, Map<string, Grant[]>>();
    for (const b of this.source.roleBindings()) {
      const ns = b.metadata!.namespace!;
      const g: Grant = { binding: `RoleBinding "${b.metadata!.name}"`, namespace: ns, ...resolve(b.roleRef, ns) };
      let m = namespaced.get(ns);
      if (!m) namespaced.set(ns, (m = new Map()));
      for (const s of b.subjects ?? []) {
        const k = subjectKey(s, ns);
        if (k) add(m, k, g);
      }
    }
    return { cluster, namespaced, clusterRules: (n) => clusterRules(n) };
  }
}
