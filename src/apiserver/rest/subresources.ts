// Subresources with their own semantics: scale (an autoscaling/v1 Scale
// view), binding (the scheduler's placement) and eviction.

import * as errors from '../../api/errors.ts';
import { labelSelectorToString } from '../../api/labels.ts';
import type { StoredObject } from '../../storage/objects.ts';
import { writeJSON } from '../http/respond.ts';
import { objectBody, patchBody } from './body.ts';
import { applyPatch } from './patch.ts';
import type { DeleteRequest, ResourceREST } from './resource.ts';
import type { Obj, ResourceRequest } from './types.ts';

/** pods/binding: what the scheduler posts to place a pod on a node. */
export async function bindPod(rest: ResourceREST, ns: string, name: string, binding: Obj, dryRun: boolean): Promise<void> {
  const target = (binding as { target?: { kind?: string; name?: string } }).target;
  if (!target?.name) {
    throw errors.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  }
  if (target.kind && target.kind !== 'Node') throw errors.badRequest(`binding target kind must be Node, not ${target.kind}`);
  if (dryRun) return;
  // Kubernetes reports binding conflicts on the subresource: 'Operation cannot be fulfilled on pods/binding "x": ...'.
  const gr = { group: rest.gr.group, resource: `${rest.gr.resource}/binding` };
  const uid = (binding as { metadata?: { uid?: string } }).metadata?.uid;
  await rest.mutateStored(ns, name, (pod) => {
    if (uid && pod.metadata?.uid !== uid) throw errors.conflict(gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid ?? ''}`);
    const spec = (pod.spec ??= {}) as { nodeName?: string };
    if (pod.metadata?.deletionTimestamp) throw errors.conflict(gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw errors.conflict(gr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = target.name;
    const status = (pod.status ??= {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
    const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    status.conditions = conditions;
    return pod;
  });
}

/** pods/eviction: a delete that disruption budgets may refuse (budgets are not enforced yet). */
export async function evictPod(rest: ResourceREST, ns: string, name: string, eviction: Obj, dryRun: boolean): Promise<void> {
  const opts = ((eviction as { deleteOptions?: Record<string, unknown> }).deleteOptions ?? {}) as DeleteRequest & { dryRun?: unknown };
  await rest.delete(ns, name, {
    gracePeriodSeconds: typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined,
    preconditions: opts.preconditions,
    dryRun: dryRun || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')),
  });
}

/** The autoscaling/v1 Scale view of a workload: what `kubectl scale` and HPAs read and write. */
function scaleOf(obj: Obj) {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  const selector = spec.selector as Parameters<typeof labelSelectorToString>[0] | Record<string, string> | undefined;
  const selectorString =
    selector && typeof selector === 'object' && ('matchLabels' in selector || 'matchExpressions' in selector)
      ? labelSelectorToString(selector as Parameters<typeof labelSelectorToString>[0])
      : Object.entries((selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString },
  };
}

export async function handleScale(r: ResourceRequest, ns: string, dryRun: boolean, fieldManager: string): Promise<void> {
  const { rest, info } = r;
  if (info.verb === 'get') return writeJSON(r.res, 200, scaleOf(await rest.get(ns, info.name)));
  if (info.verb !== 'update' && info.verb !== 'patch') throw errors.methodNotSupported(rest.gr, info.verb);
  const input = info.verb === 'update' ? await objectBody(r) : undefined;
  const patch = info.verb === 'patch' ? await patchBody(r) : undefined;
  const updated = await rest.update(
    ns,
    info.name,
    (cur) => {
      const scale = patch ? (applyPatch(patch.type, scaleOf(cur) as unknown as StoredObject, patch.patch, 'autoscaling/v1', 'Scale') as ReturnType<typeof scaleOf>) : (input as unknown as ReturnType<typeof scaleOf>);
      const rv = (scale as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
      // A Scale's resourceVersion is a precondition on the object it scales.
      if (rv && rv !== cur.metadata?.resourceVersion) throw errors.conflict(rest.gr, info.name);
      const replicas = scale?.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid('autoscaling', 'Scale', info.name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' }]);
      }
      return { ...cur, spec: { ...(cur.spec ?? {}), replicas } };
    },
    { dryRun, fieldManager, subresource: 'scale' },
  );
  writeJSON(r.res, 200, scaleOf(updated));
}

