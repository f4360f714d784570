// The admission chain in Kubernetes' order (AllOrderedPlugins, the subset
// Skiff has): NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity,
// Priority, DefaultTolerationSeconds, DefaultStorageClass, ResourceQuota.
// Every mutating step runs first, in order; then the object's own
// validation; then every validating step, in order. The server hands each
// resource's REST these entry points.

import type { LimitRange } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../registry/resources.ts';
import { currentRequest } from './context.ts';
import { admitDefaultStorageClass } from './defaultstorageclass.ts';
import { admitDefaultTolerationSeconds } from './defaulttolerationseconds.ts';
import { limitRanger } from './limitranger.ts';
import { namespaceLifecycle } from './namespacelifecycle.ts';
import { podSecurity } from './podsecurity/plugin.ts';
import { admitPodPriority, type PriorityClassLister } from './priority.ts';
import { resourceQuota, type QuotaAccess } from './resourcequota.ts';
import { serviceAccountAdmission, type ServiceAccountLookup } from './serviceaccount.ts';
import type { AdmissionPlugin, AnyObject, Attributes, Operation } from './types.ts';

export interface AdmissionSources {
  limitRanges(namespace: string): LimitRange[];
  serviceAccounts: ServiceAccountLookup;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  priorityClasses: PriorityClassLister;
  storageClasses(): unknown[];
  quotas: QuotaAccess;
}

/** The plugins Skiff runs, in Kubernetes' order. */
export function defaultPlugins(s: AdmissionSources, enabled?: Set<string>): AdmissionPlugin[] {
  const all: AdmissionPlugin[] = [
    namespaceLifecycle(),
    limitRanger((ns) => s.limitRanges(ns)),
    serviceAccountAdmission(s.serviceAccounts),
    podSecurity((ns) => s.namespaceLabels(ns)),
    {
      name: 'Priority',
      admit(a) {
        if (a.resource.group !== '' || a.resource.resource !== 'pods' || a.subresource) return;
        admitPodPriority(a.object as never, s.priorityClasses, a.operation === 'UPDATE' ? (a.oldObject as never) : undefined);
      },
    },
    {
      name: 'DefaultTolerationSeconds',
      admit(a) {
        if (a.operation === 'CREATE' && a.resource.group === '' && a.resource.resource === 'pods' && !a.subresource) admitDefaultTolerationSeconds(a.object as never);
      },
    },
    {
      name: 'DefaultStorageClass',
      admit(a) {
        if (a.operation === 'CREATE' && a.resource.group === '' && a.resource.resource === 'persistentvolumeclaims') admitDefaultStorageClass(a.object as never, s.storageClasses() as never);
      },
    },
    resourceQuota(s.quotas),
  ];
  return enabled ? all.filter((p) => enabled.has(p.name)) : all;
}

export interface AdmissionRequest {
  operation: Operation;
  resource: ResourceInfo;
  subresource?: string;
  namespace: string;
  name?: string;
  object: AnyObject;
  oldObject?: AnyObject;
  dryRun?: boolean;
}

export class AdmissionChain {
  constructor(readonly plugins: AdmissionPlugin[]) {}

  private attributes(r: AdmissionRequest): Attributes {
    const ctx = currentRequest();
    return {
      operation: r.operation,
      resource: r.resource,
      subresource: r.subresource ?? '',
      namespace: r.namespace,
      name: r.name ?? r.object?.metadata?.name ?? '',
      object: r.object,
      oldObject: r.oldObject,
      dryRun: !!r.dryRun,
      warn: (m) => ctx?.warn(m),
      annotate: (k, v) => {
        if (ctx) ctx.auditAnnotations[k] = v;
      },
    };
  }

  /** The mutating phase. */
  async admit(r: AdmissionRequest): Promise<void> {
    const a = this.attributes(r);
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  /** The validating phase. */
  async validate(r: AdmissionRequest): Promise<void> {
    const a = this.attributes(r);
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
