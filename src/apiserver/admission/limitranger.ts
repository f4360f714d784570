// The LimitRanger admission plugin: a pod created in a namespace with
// LimitRanges gets each Container item's default requests and limits for
// what its containers leave unset (noted in the kubernetes.io/limit-ranger
// annotation), then every Container, Pod and PersistentVolumeClaim item's
// min, max and maxLimitRequestRatio are enforced with Kubernetes' messages.

import type { LimitRange, LimitRangeItem } from 'kubernetes-types/core/v1.js';
import * as errors from '../../api/errors.ts';
import { Quantity } from '../../api/quantity.ts';
import { podResources, type ResourceList } from '../../api/quota/usage.ts';
import type { AdmissionPlugin, AnyObject, Attributes } from './types.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Container = { name?: string; resources?: { requests?: ResourceList; limits?: ResourceList } };

function containersOf(pod: AnyObject): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** Applies Container defaults; returns the annotation text, or "" when nothing was set. */
export function applyLimitRangeDefaults(pod: AnyObject, ranges: LimitRange[]): string {
  const notes: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const c of containersOf(pod)) {
        const setReq: string[] = [];
        const setLim: string[] = [];
        const res = (c.resources ??= {});
        for (const [k, v] of Object.entries(item.default ?? {})) {
          if ((res.limits ??= {})[k] === undefined) {
            res.limits[k] = v;
            setLim.push(k);
          }
        }
        for (const [k, v] of Object.entries(item.defaultRequest ?? {})) {
          if ((res.requests ??= {})[k] === undefined) {
            res.requests[k] = v;
            setReq.push(k);
          }
        }
        if (res.limits && !Object.keys(res.limits).length) delete res.limits;
        if (res.requests && !Object.keys(res.requests).length) delete res.requests;
        if (setReq.length) notes.push(`${setReq.join(', ')} request for ${kindOfContainer(pod, c)} ${c.name}`);
        if (setLim.length) notes.push(`${setLim.join(', ')} limit for ${kindOfContainer(pod, c)} ${c.name}`);
      }
    }
  }
  return notes.length ? `LimitRanger plugin set: ${notes.join('; ')}` : '';
}

function kindOfContainer(pod: AnyObject, c: Container): string {
  return (pod.spec?.initContainers ?? []).includes(c) ? 'init container' : 'container';
}

const Q = (s: string) => Quantity.parse(s);

function minConstraint(kind: string, r: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[r];
  const lim = limit[r];
  const e = Q(enforced);
  if (req === undefined) return `minimum ${r} usage per ${kind} is ${e.canonical()}.  No request is specified`;
  if (Q(req).cmp(e) < 0) return `minimum ${r} usage per ${kind} is ${e.canonical()}, but request is ${Q(req).canonical()}`;
  if (lim !== undefined && Q(lim).cmp(e) < 0) return `minimum ${r} usage per ${kind} is ${e.canonical()}, but limit is ${Q(lim).canonical()}`;
  return undefined;
}

function maxConstraint(kind: string, r: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[r];
  const lim = limit[r];
  const e = Q(enforced);
  if (lim === undefined) return `maximum ${r} usage per ${kind} is ${e.canonical()}.  No limit is specified`;
  if (Q(lim).cmp(e) > 0) return `maximum ${r} usage per ${kind} is ${e.canonical()}, but limit is ${Q(lim).canonical()}`;
  if (req !== undefined && Q(req).cmp(e) > 0) return `maximum ${r} usage per ${kind} is ${e.canonical()}, but request is ${Q(req).canonical()}`;
  return undefined;
}

function ratioConstraint(kind: string, r: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const e = Q(enforced);
  const req = request[r] !== undefined ? Q(request[r]!) : undefined;
  const lim = limit[r] !== undefined ? Q(limit[r]!) : undefined;
  if (!req || req.isZero()) return `${r} max limit to request ratio per ${kind} is ${e.canonical()}, but no request is specified or request is 0`;
  if (!lim || lim.isZero()) return `${r} max limit to request ratio per ${kind} is ${e.canonical()}, but no limit is specified or limit is 0`;
  const ratio = lim.asApproximateFloat64() / req.asApproximateFloat64();
  if (ratio > e.asApproximateFloat64()) return `${r} max limit to request ratio per ${kind} is ${e.canonical()}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(item: LimitRangeItem, kind: string, request: ResourceList, limit: ResourceList, errs: string[]): void {
  for (const [r, v] of Object.entries(item.min ?? {})) {
    const m = minConstraint(kind, r, v, request, limit);
    if (m) errs.push(m);
  }
  for (const [r, v] of Object.entries(item.max ?? {})) {
    const m = maxConstraint(kind, r, v, request, limit);
    if (m) errs.push(m);
  }
  for (const [r, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const m = ratioConstraint(kind, r, v, request, limit);
    if (m) errs.push(m);
  }
}

/** The limit violations of an object, in Kubernetes' words (empty: within limits). */
export function limitViolations(resource: string, obj: AnyObject, ranges: LimitRange[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (resource === 'pods' && item.type === 'Container') {
        for (const c of containersOf(obj)) checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      } else if (resource === 'pods' && item.type === 'Pod') {
        const toList = (m: Map<string, Quantity>) => Object.fromEntries([...m].map(([k, v]) => [k, v.canonical()]));
        checkItem(item, 'Pod', toList(podResources(obj, 'requests')), toList(podResources(obj, 'limits')), errs);
      } else if (resource === 'persistentvolumeclaims' && item.type === 'PersistentVolumeClaim') {
        const req = obj.spec?.resources?.requests ?? {};
        const lim = obj.spec?.resources?.limits ?? {};
        // A claim's limit is its request when it states none.
        checkItem(item, 'PersistentVolumeClaim', req, { ...req, ...lim }, errs);
      }
    }
  }
  return errs;
}

export function limitRanger(limitRanges: (namespace: string) => LimitRange[]): AdmissionPlugin {
  const applies = (a: Attributes) => !a.resource.group && (a.resource.resource === 'pods' || a.resource.resource === 'persistentvolumeclaims') && !a.subresource;
  return {
    name: 'LimitRanger',
    admit(a) {
      if (a.operation !== 'CREATE' || a.resource.resource !== 'pods' || !applies(a)) return;
      const ranges = limitRanges(a.namespace);
      if (!ranges.length) return;
      const note = applyLimitRangeDefaults(a.object, ranges);
      if (note) ((a.object.metadata ??= {}).annotations ??= {})[LIMIT_RANGER_ANNOTATION] = note;
    },
    validate(a) {
      if (!applies(a) || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      // Pods' resources cannot change after create; claims are checked on resize.
      if (a.operation === 'UPDATE' && a.resource.resource === 'pods') return;
      const errs = limitViolations(a.resource.resource, a.object, limitRanges(a.namespace));
      if (errs.length) throw errors.forbidden({ group: '', resource: a.resource.resource }, a.name, errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
    },
  };
}
