// What the API server makes on start, after its caches are loaded: the
// default RBAC policy (missing roles and bindings created; roles marked
// rbac.authorization.kubernetes.io/autoupdate get missing rules back, as
// Kubernetes reconciles them) and the `kubernetes` Service in `default`
// with the service range's first address (its endpoints: endpoints.ts).

import { ensure, type Obj, type RestFor } from './ensure.ts';
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from './policy.ts';

/** Creates the default ClusterRoles and ClusterRoleBindings; `aggregatedRules` gives an aggregated role its union of rules. */
export async function bootstrapPolicy(restFor: RestFor, aggregatedRules: (name: string) => unknown[] | undefined): Promise<void> {
  const roles = restFor('rbac.authorization.k8s.io', 'v1', 'clusterroles');
  const bindings = restFor('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings');
  if (!roles || !bindings) return;
  // Sources before the roles that aggregate them.
  const ordered = [...DEFAULT_CLUSTER_ROLES].sort((a, b) => Number(!!a.aggregationRule) - Number(!!b.aggregationRule));
  for (const role of ordered) {
    await ensure(roles, '', role as Obj, (cur) => {
      const c = cur as typeof role;
      if (c.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] !== 'true' || role.aggregationRule) return undefined;
      const have = new Set((c.rules ?? []).map((r) => JSON.stringify(r)));
      const missing = (role.rules ?? []).filter((r) => !have.has(JSON.stringify(r)));
      return missing.length ? ({ ...c, rules: [...(c.rules ?? []), ...missing] } as Obj) : undefined;
    });
  }
  for (const b of DEFAULT_CLUSTER_ROLE_BINDINGS) await ensure(bindings, '', b as unknown as Obj);
  // Aggregated roles show their rules, as the aggregation controller writes them.
  for (const role of DEFAULT_CLUSTER_ROLES.filter((r) => r.aggregationRule)) {
    const rules = aggregatedRules(role.metadata!.name!);
    if (!rules) continue;
    const cur = (await roles.get('', role.metadata!.name!)) as Obj & { rules?: unknown[] };
    if (JSON.stringify(cur.rules ?? []) !== JSON.stringify(rules)) await roles.update('', role.metadata!.name!, { ...cur, rules } as Obj, { fieldManager: 'clusterrole-aggregation-controller' });
  }
}

/** The first usable address of a CIDR ("10.43.0.0/16" -> "10.43.0.1"). */
export function firstServiceIP(cidr: string): string {
  const [base] = cidr.split('/');
  const parts = base!.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

/** The `kubernetes` Service (ClusterIP, port 443 -> the API server's port). */
export async function bootstrapKubernetesService(restFor: RestFor, o: { serviceCIDR: string; port: number }): Promise<void> {
  const services = restFor('', 'v1', 'services');
  if (!services) return;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }];
  // The API server's port may change between starts (--port 0): the Service's targetPort follows it.
  await ensure(services, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: { type: 'ClusterIP', clusterIP: firstServiceIP(o.serviceCIDR), ports, sessionAffinity: 'None' },
  } as Obj, (cur) => {
    const c = cur as { spec?: { ports?: { name?: string; port?: number; protocol?: string; targetPort?: number | string }[] } };
    const have = (c.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort }));
    return JSON.stringify(have) === JSON.stringify(ports) ? undefined : ({ ...cur, spec: { ...c.spec, ports } } as Obj);
  });
  // Its Endpoints and EndpointSlices list every live API server: endpoints.ts.
}
