// A resource request, from parsed RequestInfo to response: checks the verb,
// picks the handler, and answers in the negotiated format (JSON or a Table).
// Bodies, server-side apply and subresources live beside it.

import * as errors from '../../api/errors.ts';
import type { StoredObject } from '../../storage/objects.ts';
import { negotiate, parseMediaTypes } from '../http/negotiate.ts';
import { addWarning, writeJSON } from '../http/respond.ts';
import { apiVersionOf } from '../registry/resources.ts';
import { toTable, type IncludeObject } from '../table.ts';
import { serveWatch } from '../watch.ts';
import type { StreamSubresource } from '../proxy/locate.ts';
import { servePodStream, STREAM_SUBRESOURCES } from '../proxy/serve.ts';
import { handleApply } from './apply.ts';
import { deleteOptions, objectBody, patchBody } from './body.ts';
import { listResource, parseListQuery } from './list.ts';
import { applyPatch } from './patch.ts';
import { decodeAgainstSchema, parseFieldValidation } from './schemacheck.ts';
import { bindPod, evictPod, handleScale } from './subresources.ts';
import type { Obj, ResourceRequest } from './types.ts';

export type { ResourceRequest } from './types.ts';

const SUBRESOURCES_WITH_OBJECT = new Set(['', 'status', 'finalize']);

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
  if (rest.info.kind === 'Pod' && STREAM_SUBRESOURCES.has(sub)) {
    // Proxied to the pod's node agent (upgrade requests arrive through serveUpgrade instead).
    return servePodStream(r.req, r.res, rest, ns, info.name, sub as StreamSubresource, query, { kubelet: r.kubelet, restFor: r.restFor ?? (() => undefined) });
  }
  if (sub && !SUBRESOURCES_WITH_OBJECT.has(sub)) throw errors.methodNotSupported(rest.gr, `${info.verb} ${sub}`);

  switch (info.verb) {
    case 'get':
      // Plain JSON of a stored version: the bytes the cache already holds.
      if (!table && !rest.convert) return writeJSON(r.res, 200, (await rest.cached(ns, info.name)).objectJSON());
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

