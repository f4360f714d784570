// A resource request, from parsed RequestInfo to response: picks the verb,
// decodes the body, calls ResourceREST, and answers in the negotiated format
// (JSON or a Table). Subresources status and scale live here too.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../../api/errors.ts';
import { labelSelectorToString } from '../../api/labels.ts';
import type { StoredObject } from '../../storage/objects.ts';
import { decodeBody, negotiate, PATCH_TYPES, parseMediaTypes, type PatchType } from '../http/negotiate.ts';
import { addWarning, readBody, writeJSON } from '../http/respond.ts';
import { apiVersionOf } from '../registry/resources.ts';
import type { RequestInfo } from '../request.ts';
import { toTable, type IncludeObject } from '../table.ts';
import { serveWatch } from '../watch.ts';
import { listResource, parseListQuery } from './list.ts';
import { applyPatch } from './patch.ts';
import { decodeAgainstSchema, parseFieldValidation } from './schemacheck.ts';
import { ApplyConflictError, ApplyError, serverSideApply } from '../../api/apply/index.ts';
import { timestamp } from '../../api/meta.ts';
import type { DeleteRequest, ResourceREST } from './resource.ts';

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  rest: ResourceREST;
  /** Decodes a Kubernetes protobuf body; absent: protobuf bodies get 415. */
  protobuf?: (b: Buffer) => unknown;
  bookmarkIntervalMs?: number;
  /** Another resource's REST (the bindings collection acts on pods). */
  restFor?: (group: string, version: string, resource: string) => ResourceREST | undefined;
}

type Obj = StoredObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const SUBRESOURCES_WITH_OBJECT = new Set(['', 'status']);

export async function handleResource(r: ResourceRequest): Promise<void> {
  const { info, rest, query } = r;
  const sub = info.subresource;
  if (sub && !rest.info.subresources.some((s) => s.name === sub)) throw errors.notFound(rest.gr, `${info.name}/${sub}`);
  checkVerb(r);
  const ns = rest.info.namespaced ? info.namespace : '';
  if (rest.info.namespaced && !ns && !['list', 'watch'].includes(info.verb)) {
    throw errors.badRequest(`the server could not find the requested resource: a namespace is required for ${rest.info.resource}`);
  }
  const dryRun = query.getAll('dryRun').includes('All');
  const format = negotiate(r.req.headers.accept, { table: true });
  const table = format.kind === 'table' ? { version: format.version, includeObject: (query.get('includeObject') as IncludeObject | null) ?? undefined } : undefined;

  // Kubernetes' default manager: the client's user agent up to the first "/".
  const fieldManager = query.get('fieldManager') || (r.req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
  const answer = (code: number, obj: Obj) => {
    if (table) writeJSON(r.res, code, toTable(rest.info, [obj], { tableVersion: table.version, includeObject: table.includeObject, resourceVersion: obj.metadata?.resourceVersion }));
    else writeJSON(r.res, code, obj);
  };

  if (sub === 'scale') return handleScale(r, ns, dryRun, fieldManager);
  if (rest.info.kind === 'Pod' && info.verb === 'create' && (sub === 'binding' || sub === 'eviction')) {
    const body = await objectBody(r);
    if (sub === 'binding') await bindPod(rest, ns, info.name, body, dryRun);
    else await evictPod(rest, ns, info.name, body, dryRun);
    return writeJSON(r.res, 201, errors.success({ name: info.name, kind: 'pods' }, 201));
  }
  if (rest.info.resource === 'bindings' && rest.info.group === '') {
    if (info.verb !== 'create') throw errors.methodNotSupported(rest.gr, info.verb);
    const body = await objectBody(r);
    const pods = r.restFor?.('', 'v1', 'pods');
    const podName = body.metadata?.name;
    if (!pods || !podName) throw errors.invalid('', 'Binding', podName ?? '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    await bindPod(pods, ns, podName, body, dryRun);
    return writeJSON(r.res, 201, errors.success({ name: podName, kind: 'pods' }, 201));
  }
  const fieldValidation = ['create', 'update', 'patch'].includes(info.verb) ? parseFieldValidation(query.get('fieldValidation'), info.verb) : 'Ignore';
  const decoded = (obj: Obj): Obj => {
    for (const f of decodeAgainstSchema(obj, rest.info.group, rest.info.version, rest.info.kind, fieldValidation)) addWarning(r.res, `unknown field "${f}"`);
    return obj;
  };
  if (sub && !SUBRESOURCES_WITH_OBJECT.has(sub)) throw errors.methodNotSupported(rest.gr, `${info.verb} ${sub}`);

  switch (info.verb) {
    case 'get':
      return answer(200, await rest.get(ns, info.name));
    case 'list': {
      const q = parseListQuery(rest.info, query);
      const page = await listResource(rest, ns, q);
      if (table) {
        const t = toTable(rest.info, page.items.map((i) => i.object), {
          tableVersion: table.version,
          includeObject: table.includeObject,
          resourceVersion: page.resourceVersion,
          continueToken: page.continueToken,
          remainingItemCount: page.remainingItemCount,
        });
        return writeJSON(r.res, 200, t);
      }
      const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
      if (page.continueToken) meta.continue = page.continueToken;
      if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
      // Items are already encoded (once, in the cache): splice them in rather than re-serialise.
      const head = `{"kind":"${rest.info.kind}List","apiVersion":"${apiVersionOf(rest.info)}","metadata":${JSON.stringify(meta)},"items":[`;
      return writeJSON(r.res, 200, head + page.items.map((i) => i.json()).join(',') + ']}');
    }
    case 'watch': {
      const q = parseListQuery(rest.info, query);
      const timeout = query.get('timeoutSeconds');
      return serveWatch(r.req, r.res, rest, ns, {
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        resourceVersion: q.resourceVersion,
        timeoutSeconds: timeout ? Number(timeout) : undefined,
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        bookmarkIntervalMs: r.bookmarkIntervalMs,
        table,
      });
    }
    case 'create': {
      const body = decoded(await objectBody(r));
      return answer(201, await rest.create(ns, body, { dryRun, fieldManager }));
    }
    case 'update': {
      const body = decoded(await objectBody(r));
      return answer(200, await rest.update(ns, info.name, body, { dryRun, subresource: sub || undefined, fieldManager }));
    }
    case 'patch': {
      if (parseMediaTypes(r.req.headers['content-type'])[0]?.type === 'application/apply-patch+yaml') {
        return handleApply(r, ns, { dryRun, fieldValidation, subresource: sub || undefined, answer, decoded });
      }
      const { type, patch } = await patchBody(r);
      const apiVersion = apiVersionOf(rest.info);
      const updated = await rest.update(ns, info.name, (cur) => decoded(applyPatch(type, cur, patch, apiVersion, rest.info.kind) as Obj), { dryRun, subresource: sub || undefined, fieldManager });
      return answer(200, updated);
    }
    case 'delete': {
      const del = await deleteOptions(r);
      const { object, deleted } = await rest.delete(ns, info.name, { ...del, dryRun: dryRun || del.dryRun });
      // Gone at once: most kinds answer a Status; a few answer the object, as
      // does any object only marked for deletion (finalizers, grace period).
      if (deleted && !RETURNS_DELETED_OBJECT.has(rest.info.resource)) {
        return writeJSON(r.res, 200, errors.success({ name: info.name, group: rest.info.group, kind: rest.info.resource, uid: object.metadata?.uid as string | undefined }));
      }
      return answer(200, object);
    }
    case 'deletecollection': {
      const del = await deleteOptions(r);
      const q = parseListQuery(rest.info, query);
      const page = await listResource(rest, ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
      const items: StoredObject[] = [];
      for (const i of page.items) {
        try {
          items.push((await rest.delete(i.object.metadata!.namespace ?? '', i.object.metadata!.name!, { ...del, dryRun: dryRun || del.dryRun })).object);
        } catch (e) {
          if (!errors.isStatusError(e, 'NotFound')) throw e;
        }
      }
      return writeJSON(r.res, 200, { kind: `${rest.info.kind}List`, apiVersion: apiVersionOf(rest.info), metadata: { resourceVersion: page.resourceVersion }, items });
    }
    default:
      throw errors.methodNotSupported(rest.gr, info.verb);
  }
}

const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Kinds whose DELETE answers with the object rather than a Status, as in Kubernetes. */
const RETURNS_DELETED_OBJECT = new Set(['pods', 'services', 'namespaces', 'persistentvolumeclaims']);

const COLLECTION_VERBS = new Set(['list', 'watch', 'create', 'deletecollection']);
const ITEM_VERBS = new Set(['get', 'watch', 'update', 'patch', 'delete']);

/** A verb the URL's shape or the resource does not route is 405, as Kubernetes' router answers. */
function checkVerb(r: ResourceRequest): void {
  const { info, rest } = r;
  const verb = info.verb;
  if (info.subresource) {
    const sub = rest.info.subresources.find((s) => s.name === info.subresource)!;
    const v = verb === 'list' ? 'get' : verb;
    if (!sub.verbs.includes(v)) throw errors.methodNotAllowed();
    return;
  }
  const shapeOK = info.name ? ITEM_VERBS.has(verb) : COLLECTION_VERBS.has(verb);
  if (!shapeOK || !rest.info.verbs.includes(verb)) throw errors.methodNotAllowed();
}

async function objectBody(r: ResourceRequest): Promise<Obj> {
  return decodeObject(r, await readBody(r.req), r.rest.info.kind);
}

/** Decodes a request body that must be one object of `kind`; any failure is a 400 in Kubernetes' wording. */
function decodeObject(r: ResourceRequest, raw: Buffer, kind: string): Obj {
  const unrecognized = (why: string) => errors.badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why}`);
  let value: unknown;
  const isProtobuf = parseMediaTypes(r.req.headers['content-type'])[0]?.type === 'application/vnd.kubernetes.protobuf';
  if (isProtobuf && r.protobuf && !raw.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw unrecognized('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  try {
    value = decodeBody(r.req.headers['content-type'], raw, r.protobuf).value;
  } catch (e) {
    if (e instanceof errors.StatusError) {
      if (e.status.reason === 'BadRequest') throw unrecognized(e.status.message ?? '');
      throw e;
    }
    // The protobuf decoder's errors: the body is not what it claims to be.
    throw unrecognized((e as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return value as Obj;
}

async function patchBody(r: ResourceRequest): Promise<{ type: PatchType; patch: unknown }> {
  const mt = parseMediaTypes(r.req.headers['content-type'])[0]?.type ?? '';
  if (!(PATCH_TYPES as readonly string[]).includes(mt) || mt === 'application/apply-patch+yaml') {
    throw errors.unsupportedMediaType(mt, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  }
  const raw = await readBody(r.req);
  return { type: mt as PatchType, patch: decodeBody(mt, raw).value };
}

async function deleteOptions(r: ResourceRequest): Promise<DeleteRequest> {
  const out: DeleteRequest = {};
  const raw = await readBody(r.req);
  if (raw.length > 0) {
    const v = decodeObject(r, raw, 'DeleteOptions') as Record<string, unknown>;
    {
      if (typeof v.propagationPolicy === 'string') out.propagationPolicy = v.propagationPolicy as DeleteRequest['propagationPolicy'];
      if (typeof v.gracePeriodSeconds === 'number') out.gracePeriodSeconds = v.gracePeriodSeconds;
      if (v.preconditions && typeof v.preconditions === 'object') out.preconditions = v.preconditions as DeleteRequest['preconditions'];
      if (Array.isArray(v.dryRun) && v.dryRun.includes('All')) out.dryRun = true;
      if (v.orphanDependents === true) out.propagationPolicy = 'Orphan';
    }
  }
  const q = r.query;
  const pp = q.get('propagationPolicy');
  if (pp) {
    if (!['Foreground', 'Background', 'Orphan'].includes(pp)) throw errors.badRequest(`invalid propagationPolicy "${pp}": must be Foreground, Background or Orphan`);
    out.propagationPolicy = pp as DeleteRequest['propagationPolicy'];
  }
  const gps = q.get('gracePeriodSeconds');
  if (gps !== null) out.gracePeriodSeconds = Number(gps);
  return out;
}

/**
 * Server-side apply: the applied configuration merged with field ownership
 * (conflicts are 409 unless force=true); a missing object is created.
 */
async function handleApply(
  r: ResourceRequest,
  ns: string,
  o: { dryRun: boolean; fieldValidation: string; subresource?: string; answer: (code: number, obj: Obj) => void; decoded: (obj: Obj) => Obj },
): Promise<void> {
  const { rest, info, query } = r;
  const manager = query.get('fieldManager');
  if (!manager) throw errors.badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  const force = query.get('force') === 'true';
  const raw = await readBody(r.req);
  const config = decodeBody('application/apply-patch+yaml', raw).value;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
  const cfg = o.decoded(config as Obj);
  const name = (cfg.metadata as { name?: string } | undefined)?.name;
  if (name !== undefined && name !== info.name) throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${info.name})`);
  const applyOpts = { manager, force, now: timestamp(new Date()), apiVersion: apiVersionOf(rest.info), kind: rest.info.kind, subresource: o.subresource };
  const run = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ApplyConflictError) throw new errors.StatusError(e.toStatus() as unknown as errors.Status);
      if (e instanceof ApplyError) throw e.code === 400 ? errors.badRequest(e.message) : errors.internalError(e.message);
      throw e;
    }
  };
  try {
    const updated = await rest.update(ns, info.name, (cur) => run(() => serverSideApply(cur, cfg, applyOpts).object as Obj), { dryRun: o.dryRun, subresource: o.subresource, applied: true });
    return o.answer(200, updated);
  } catch (e) {
    if (!errors.isStatusError(e, 'NotFound') || o.subresource) throw e;
  }
  const created = run(() => serverSideApply(undefined, cfg, applyOpts).object as Obj);
  ((created.metadata ??= {}) as { name?: string }).name ??= info.name;
  o.answer(201, await rest.create(ns, created, { dryRun: o.dryRun, applied: true }));
}

/** pods/binding: what the scheduler posts to place a pod on a node. */
async function bindPod(rest: ResourceREST, ns: string, name: string, binding: Obj, dryRun: boolean): Promise<void> {
  const target = (binding as { target?: { kind?: string; name?: string } }).target;
  if (!target?.name) {
    throw errors.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  }
  if (target.kind && target.kind !== 'Node') throw errors.badRequest(`binding target kind must be Node, not ${target.kind}`);
  if (dryRun) return;
  await rest.mutateStored(ns, name, (pod) => {
    const spec = (pod.spec ??= {}) as { nodeName?: string };
    if (pod.metadata?.deletionTimestamp) throw errors.conflict(rest.gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw errors.conflict(rest.gr, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = target.name;
    const status = (pod.status ??= {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
    const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    status.conditions = conditions;
    return pod;
  });
}

/** pods/eviction: a delete that disruption budgets may refuse (budgets are not enforced yet). */
async function evictPod(rest: ResourceREST, ns: string, name: string, eviction: Obj, dryRun: boolean): Promise<void> {
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

async function handleScale(r: ResourceRequest, ns: string, dryRun: boolean, fieldManager: string): Promise<void> {
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
