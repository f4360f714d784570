// How the admission chain meets the server: its plugins read other objects
// from the server's watch caches (LimitRanges, ServiceAccounts, namespaces,
// PriorityClasses, StorageClasses, ResourceQuotas) and write quota usage
// through the ResourceQuota REST; each resource's REST calls the chain's
// mutating phase before validation and its validating phase after.

import type { LimitRange, ResourceQuota, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { objectKey, type StoredObject } from '../../storage/objects.ts';
import type { WatchCache } from '../../storage/watchcache.ts';
import type { ResourceREST } from '../rest/resource.ts';
import type { AdmissionChain, AdmissionSources } from './chain.ts';
import type { PriorityClassLike } from './priority.ts';
import type { AnyObject } from './types.ts';

type CacheFor = (groupResource: string) => WatchCache<StoredObject> | undefined;
type RestFor = (group: string, version: string, resource: string) => ResourceREST | undefined;

/** How long a pod create waits for the `default` ServiceAccount of a namespace made a moment ago. */
const DEFAULT_SA_WAIT_MS = 3000;

export function admissionSources(cacheFor: CacheFor, restFor: RestFor): AdmissionSources {
  const items = <T>(gr: string, prefix?: string): T[] => (cacheFor(gr)?.list(prefix ? { prefix } : {}).items ?? []).map((e) => e.object as unknown as T);
  const one = <T>(gr: string, ns: string | undefined, name: string): T | undefined => cacheFor(gr)?.get(objectKey(gr, ns, name))?.object as unknown as T | undefined;
  const inNamespace = (gr: string, ns: string) => `/registry/${gr}/${ns}/`;
  return {
    limitRanges: (ns) => items<LimitRange>('limitranges', inNamespace('limitranges', ns)),
    namespaceLabels: (ns) => one<{ metadata?: { labels?: Record<string, string> } }>('namespaces', undefined, ns)?.metadata?.labels,
    priorityClasses: {
      get: (name) => one<PriorityClassLike>('priorityclasses.scheduling.k8s.io', undefined, name),
      list: () => items<PriorityClassLike>('priorityclasses.scheduling.k8s.io'),
    },
    storageClasses: () => items('storageclasses.storage.k8s.io'),
    serviceAccounts: {
      async get(ns, name) {
        const found = one<ServiceAccount>('serviceaccounts', ns, name);
        if (found || name !== 'default') return found;
        // A namespace's default account is made by its controller right after the namespace.
        const deadline = Date.now() + DEFAULT_SA_WAIT_MS;
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 25));
          const sa = one<ServiceAccount>('serviceaccounts', ns, name);
          if (sa) return sa;
        }
        return undefined;
      },
    },
    quotas: {
      list: (ns) => items<ResourceQuota>('resourcequotas', inNamespace('resourcequotas', ns)),
      get: async (ns, name) => (await restFor('', 'v1', 'resourcequotas')!.get(ns, name)) as unknown as ResourceQuota,
      async updateUsed(quota, used) {
        const next = { ...quota, status: { ...(quota.status ?? {}), used } };
        await restFor('', 'v1', 'resourcequotas')!.update(quota.metadata!.namespace!, quota.metadata!.name!, next as never, { subresource: 'status', fieldManager: 'resourcequota-admission' });
      },
    },
  };
}

export function wireRESTAdmission(rest: ResourceREST, chain: AdmissionChain): void {
  const base = (obj: AnyObject, dryRun?: boolean, subresource?: string) => ({
    resource: rest.info,
    subresource: subresource ?? '',
    namespace: rest.info.namespaced ? ((obj.metadata?.namespace as string | undefined) ?? '') : '',
    name: (obj.metadata?.name as string | undefined) ?? '',
    object: obj,
    dryRun,
  });
  rest.admitCreate = (obj, opts) => chain.admit({ ...base(obj as AnyObject, opts.dryRun), operation: 'CREATE' });
  rest.admitUpdate = (obj, old, opts) => chain.admit({ ...base(obj as AnyObject, opts.dryRun, opts.subresource), operation: 'UPDATE', oldObject: old as AnyObject });
  rest.validateAdmission = (obj, old, opts) => chain.validate({ ...base(obj as AnyObject, opts.dryRun, opts.subresource), operation: old ? 'UPDATE' : 'CREATE', oldObject: old as AnyObject | undefined });
}
