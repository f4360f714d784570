// Lists: label and field selectors, limit/continue paging, and the
// resourceVersion semantics of Kubernetes (unset: current; "0": any, from
// the cache; N: at least as new as N). Served from the watch cache; a
// continue token that names an older revision than the cache's is read from
// the store at that revision, so every page of one list is consistent.

import * as errors from '../../api/errors.ts';
import { checkFieldsSupported, objectFields, parseFieldSelector, FieldSelectorError, type FieldSelector } from '../../api/fields.ts';
import { parseSelector, SelectorError, type Selector } from '../../api/labels.ts';
import { decodeObject, type StoredObject } from '../../storage/objects.ts';
import { isStoreError } from '../../storage/store.ts';
import { apiVersionOf, type ResourceInfo } from '../registry/resources.ts';
import type { ResourceREST } from './resource.ts';

export interface ListQuery {
  labelSelector?: Selector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListPage {
  /** Each item's JSON, shared with every other reader of the cache. */
  items: { object: StoredObject; json: () => string }[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export function parseListQuery(info: ResourceInfo, q: URLSearchParams): ListQuery {
  const out: ListQuery = {};
  const ls = q.get('labelSelector');
  if (ls) {
    try {
      out.labelSelector = parseSelector(ls);
    } catch (e) {
      if (e instanceof SelectorError) throw errors.badRequest(e.message);
      throw e;
    }
  }
  const fs = q.get('fieldSelector');
  if (fs) {
    try {
      const sel = parseFieldSelector(fs);
      checkFieldsSupported(apiVersionOf(info), info.kind, sel);
      out.fieldSelector = sel;
    } catch (e) {
      if (e instanceof FieldSelectorError) throw errors.badRequest(e.message);
      throw e;
    }
  }
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid limit "${limit}": must be a non-negative integer`);
    if (n > 0) out.limit = n;
  }
  out.continueToken = q.get('continue') || undefined;
  out.resourceVersion = q.get('resourceVersion') ?? undefined;
  out.resourceVersionMatch = q.get('resourceVersionMatch') ?? undefined;
  if (out.resourceVersion !== undefined && out.resourceVersion !== '' && !/^\d+$/.test(out.resourceVersion)) {
    throw errors.badRequest(`invalid resource version "${out.resourceVersion}"`);
  }
  return out;
}

/** The predicate a list or watch applies to each object. */
export function filterFor(info: ResourceInfo, q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): ((o: StoredObject) => boolean) | undefined {
  const ls = q.labelSelector && !q.labelSelector.isEmpty() ? q.labelSelector : undefined;
  const fs = q.fieldSelector && !q.fieldSelector.isEmpty() ? q.fieldSelector : undefined;
  if (!ls && !fs) return undefined;
  const apiVersion = apiVersionOf(info);
  return (o) => {
    if (ls && !ls.matches((o.metadata?.labels as Record<string, string> | undefined) ?? {})) return false;
    if (fs && !fs.matches(objectFields(apiVersion, info.kind, o))) return false;
    return true;
  };
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, nextKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: nextKey } satisfies ContinueToken)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error();
    return t;
  } catch {
    throw errors.badRequest('The provided continue parameter is not valid');
  }
}

export async function listResource(rest: ResourceREST, namespace: string, q: ListQuery): Promise<ListPage> {
  const filter = filterFor(rest.info, q);
  const prefix = rest.prefix(namespace);
  if (q.continueToken) {
    if (q.resourceVersion) throw errors.badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(q.continueToken);
    return await listFromStore(rest, prefix, t.rv, t.start, q.limit, filter);
  }
  // "0" means any version is fine: serve from the cache as it is. Otherwise
  // (unset, or a revision) the cache first catches up with the store.
  if (q.resourceVersion !== '0') {
    const rv = q.resourceVersion ? Number(q.resourceVersion) : 0;
    try {
      if (rv > 0) await rest.cache.waitFresh(rv);
      else await rest.cache.waitCurrent();
    } catch (e) {
      if (isStoreError(e, 'Timeout')) throw errors.tooLargeResourceVersion(rv, rest.cache.revision);
      throw e;
    }
  }
  const { items, revision } = rest.cache.list({ prefix, filter });
  // A converted version cannot share the cache's encoding.
  const view = rest.convert
    ? (e: (typeof items)[number]) => {
        const object = rest.out(e.object);
        return { object, json: () => JSON.stringify(object) };
      }
    : (e: (typeof items)[number]) => ({ object: e.object, json: () => e.objectJSON() });
  const limit = q.limit;
  if (limit === undefined || items.length <= limit) {
    return { items: items.map(view), resourceVersion: String(revision) };
  }
  const page = items.slice(0, limit);
  return {
    items: page.map(view),
    resourceVersion: String(revision),
    continueToken: encodeContinue(revision, page[page.length - 1]!.key + '\0'),
    remainingItemCount: filter ? undefined : items.length - limit,
  };
}

async function listFromStore(
  rest: ResourceREST,
  prefix: string,
  revision: number,
  startKey: string,
  limit: number | undefined,
  filter: ((o: StoredObject) => boolean) | undefined,
): Promise<ListPage> {
  const out: ListPage['items'] = [];
  let start = startKey;
  // Filtered pages may need several store reads to fill `limit` matching items.
  for (;;) {
    let res;
    try {
      res = await rest.storeList(prefix, { revision, startKey: start, limit: limit ? limit + 1 - out.length : undefined });
    } catch (e) {
      if (isStoreError(e, 'Compacted')) {
        throw new errors.StatusError({
          ...errors.expired(String(revision), e.compactRevision ?? 0).status,
          message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        });
      }
      throw e;
    }
    for (const kv of res.items) {
      const object = rest.out(decodeObject(kv));
      if (filter && !filter(object)) continue;
      if (limit !== undefined && out.length === limit) {
        return { items: out, resourceVersion: String(revision), continueToken: encodeContinue(revision, kv.key) };
      }
      out.push({ object, json: () => JSON.stringify(object) });
    }
    if (!res.more || res.items.length === 0) return { items: out, resourceVersion: String(revision) };
    start = res.items[res.items.length - 1]!.key + '\0';
  }
}
