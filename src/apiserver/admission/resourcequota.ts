// The ResourceQuota admission plugin (validating, last in the chain): an
// object created in a namespace with quotas is charged to each quota that
// limits something it uses. The charge is written to the quota's
// status.used with a resourceVersion precondition before the object is
// admitted, so concurrent creates (in this server or another sharing the
// store) can never both take the last unit: a conflict re-reads the quota
// and re-checks. Requests in one namespace are serialized in this process
// to avoid needless conflicts. Messages are Kubernetes' ("exceeded quota",
// "must specify", "status unknown"). Releasing usage is the controller's job.

import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import * as errors from '../../api/errors.ts';
import { addLists, exceeded, missingPodResources, prettyPrint, usageOf, type ResourceList } from '../../api/quota/usage.ts';
import type { AdmissionPlugin, Attributes } from './types.ts';

export interface QuotaAccess {
  /** The namespace's quotas (from the cache). */
  list(namespace: string): ResourceQuota[];
  /** One quota as stored now. */
  get(namespace: string, name: string): Promise<ResourceQuota>;
  /** Writes status.used under a resourceVersion precondition; Conflict when it moved. */
  updateUsed(quota: ResourceQuota, used: ResourceList): Promise<void>;
}

const MAX_ATTEMPTS = 10;

export function resourceQuota(access: QuotaAccess): AdmissionPlugin {
  const lanes = new Map<string, Promise<unknown>>();
  const serialized = <T>(ns: string, fn: () => Promise<T>): Promise<T> => {
    const prev = lanes.get(ns) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    lanes.set(ns, tail);
    void tail.then(() => {
      if (lanes.get(ns) === tail) lanes.delete(ns);
    });
    return run;
  };

  return {
    name: 'ResourceQuota',
    async validate(a: Attributes) {
      if (a.operation !== 'CREATE' || a.subresource || !a.resource.namespaced || !a.namespace) return;
      if (!access.list(a.namespace).length) return;
      const requested = usageOf(a.resource.resource, a.resource.group, a.object);
      if (!Object.keys(requested).length) return;
      await serialized(a.namespace, () => charge(a, requested));
    },
  };

  async function charge(a: Attributes, requested: ResourceList): Promise<void> {
    const gr = { group: a.resource.group, resource: a.resource.resource };
    for (const cached of access.list(a.namespace)) {
      const hard = cached.status?.hard ?? {};
      if (!a.resource.group && a.resource.resource === 'pods') {
        const missing = missingPodResources(a.object, cached.spec?.hard ?? {});
        if (missing.length) throw errors.forbidden(gr, a.name, `failed quota: ${cached.metadata!.name}: must specify ${missing.map((m) => `${m.resource} for: ${m.containers.join(',')}`).join('; ')}`);
      }
      const limited = Object.keys(requested).filter((k) => k in (cached.spec?.hard ?? {}));
      if (!limited.length) continue;
      const unknown = limited.filter((k) => !(k in hard) || !(k in (cached.status?.used ?? {})));
      if (unknown.length) throw errors.forbidden(gr, a.name, `status unknown for quota: ${cached.metadata!.name}, resource: ${unknown.sort().join(',')}`);
      let quota = cached;
      for (let attempt = 0; ; attempt++) {
        const used = quota.status?.used ?? {};
        const hardNow = quota.status?.hard ?? {};
        const over = exceeded(used, requested, hardNow);
        if (over.length) {
          const mask = (l: ResourceList) => Object.fromEntries(over.map((k) => [k, l[k] ?? '0']));
          throw errors.forbidden(gr, a.name, `exceeded quota: ${quota.metadata!.name}, requested: ${prettyPrint(mask(requested))}, used: ${prettyPrint(mask(used))}, limited: ${prettyPrint(mask(hardNow))}`);
        }
        if (a.dryRun) break;
        const charged = addLists(used, Object.fromEntries(Object.entries(requested).filter(([k]) => k in hardNow)));
        try {
          await access.updateUsed(quota, charged);
          break;
        } catch (e) {
          if (!errors.isStatusError(e, 'Conflict') || attempt >= MAX_ATTEMPTS) throw e;
          quota = await access.get(a.namespace, quota.metadata!.name!);
        }
      }
    }
  }
}
