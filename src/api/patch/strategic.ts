// Kubernetes strategic merge patch (Content-Type
// application/strategic-merge-patch+json): a JSON merge patch that knows,
// from the type's patch metadata (schema.ts), which lists are maps keyed by a
// field (containers by name, ports by containerPort, ...) and which primitive
// lists are sets (finalizers). Directives:
//   {"$patch": "replace"}            replace this map (or, as a list entry, the list)
//   {"$patch": "delete", key: v}     remove the list entry with that key (on a map: empty it)
//   {"$patch": "merge"}              the default, accepted and dropped
//   "$retainKeys": [...]             drop the stored map's keys not listed
//   "$setElementOrder/F": [...]      the order list F ends up in
//   "$deleteFromPrimitiveList/F": [] remove these values from primitive list F
//   null                             delete the key
// This follows apimachinery's strategicpatch as the API server runs it
// (parallel lists merged, unmatched nulls ignored), including its ordering
// rules. Both functions work on copies and never modify their arguments.

import { deepCopy, semanticEqual } from '../equality.ts';
import {
  PatchError,
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  errNoListOfLists,
  errNoMergeKey,
} from './errors.ts';
import { type FieldPatchMeta, type PatchSchema, isMergeStrategy, isRetainKeysStrategy } from './schema.ts';

type Obj = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const ABSENT = Symbol('absent');

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/**
 * Applies a strategic merge patch to a copy of `doc` (a JSON object) and
 * returns the copy. Throws PatchError for a patch that cannot be read or
 * applied.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema): Obj {
  if (!isObject(patch)) {
    throw new PatchError(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`, 400);
  }
  return mergeMap(isObject(doc) ? deepCopy(doc) : {}, patch, schema);
}

// mergeMap merges `patch` into `original`, which it owns and may modify.
function mergeMap(original: Obj, patch: Obj, schema: PatchSchema | undefined): Obj {
  if (Object.hasOwn(patch, PATCH)) {
    const d = patch[PATCH];
    if (d === 'replace') return mergeMap({}, withoutKey(patch, PATCH), schema);
    if (d === 'delete') return {};
    if (d !== 'merge') throw errBadPatchType(d, patch);
  }
  if (Object.hasOwn(patch, RETAIN_KEYS)) applyRetainKeys(original, patch);

  const handled = new Set<string>([PATCH, RETAIN_KEYS]);
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    handled.add(key);
    const field = key.slice(SET_ORDER.length);
    if (applySetElementOrder(original, patch, field, patch[key], schema?.[field])) handled.add(field);
  }

  const deletions: string[] = [];
  for (const [key, pv] of Object.entries(patch)) {
    if (handled.has(key) || pv === undefined) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      deletions.push(key);
      continue;
    }
    if (pv === null) {
      delete original[key];
      continue;
    }
    const meta = schema?.[key];
    const ov = original[key];
    if (isObject(ov) && isObject(pv)) {
      original[key] = meta?.strategy === 'replace' ? mergeMap({}, pv, meta.elem) : mergeMap(ov, pv, meta?.elem);
    } else if (Array.isArray(ov) && Array.isArray(pv)) {
      original[key] = mergeList(ov, pv, meta, key);
    } else {
      const v = fresh(pv, meta, key);
      if (v === ABSENT) delete original[key];
      else original[key] = v;
    }
  }

  for (const key of deletions) {
    const values = patch[key];
    if (!Array.isArray(values)) throw errBadPatchFormatForPrimitiveList();
    const field = key.slice(DELETE_PRIMITIVE.length);
    const ov = original[field];
    if (Array.isArray(ov)) original[field] = ov.filter((v) => !values.some((d) => semanticEqual(d, v)));
  }
  return original;
}

function withoutKey(o: Obj, key: string): Obj {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

// The value a patch puts where nothing (or a value of another type) was:
// the patch value with its directives and nulls resolved against nothing.
function fresh(pv: unknown, meta: FieldPatchMeta | undefined, field: string): unknown {
  if (isObject(pv)) {
    if (pv[PATCH] === 'delete') return ABSENT;
    return mergeMap({}, pv, meta?.elem);
  }
  if (Array.isArray(pv)) return mergeList([], pv, meta, field);
  return pv;
}

function applyRetainKeys(original: Obj, patch: Obj): void {
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || k === PATCH || k === RETAIN_KEYS) continue;
    if (k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function mergeList(original: unknown[], patch: unknown[], meta: FieldPatchMeta | undefined, field: string): unknown[] {
  if (!meta || !isMergeStrategy(meta.strategy)) return deepCopy(patch); // atomic
  return mergeSlice(original, patch, meta, field);
}

function elementsAreMaps(original: unknown[], patch: unknown[]): boolean {
  let maps: boolean | undefined;
  for (const v of [...original, ...patch]) {
    if (Array.isArray(v)) throw errNoListOfLists();
    const m = isObject(v);
    if (maps === undefined) maps = m;
    else if (maps !== m) {
      throw new PatchError(`expected a ${maps ? 'map' : jsonKind(original[0] ?? patch[0])}, but received a ${jsonKind(v)}`, 422);
    }
  }
  return maps ?? false;
}

// mergeSlice merges a list with a merge strategy: entries of maps by merge
// key, primitives as an ordered set; `original` is owned.
function mergeSlice(original: unknown[], patch: unknown[], meta: FieldPatchMeta, field: string): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  if (!elementsAreMaps(original, patch)) {
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => semanticEqual(m, v))) merged.push(deepCopy(v));
    return orderList(merged, patch, original, '');
  }
  const key = meta.mergeKey;
  if (!key) throw new PatchError(`cannot merge lists without merge key for ${field}`, 422);

  let kept = original as Obj[];
  const items: Obj[] = [];
  let replace = false;
  for (const item of patch as Obj[]) {
    if (!Object.hasOwn(item, PATCH)) {
      items.push(item);
      continue;
    }
    const d = item[PATCH];
    if (d === 'delete') {
      if (!Object.hasOwn(item, key)) throw errNoMergeKey(item, key);
      kept = kept.filter((o) => !semanticEqual(o[key], item[key]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      if (Object.keys(item).length > 1) items.push(item);
    } else {
      throw errBadPatchType(d, item);
    }
  }
  if (replace) return items.map((i) => mergeMap({}, i, meta.elem));

  const merged: Obj[] = kept.slice();
  for (const item of items) {
    if (!Object.hasOwn(item, key)) throw errNoMergeKey(item, key);
    const at = merged.findIndex((m) => semanticEqual(m[key], item[key]));
    if (at >= 0) merged[at] = mergeMap(merged[at]!, item, meta.elem);
    else merged.push(mergeMap({}, item, meta.elem));
  }
  return orderList(merged, items, kept, key);
}

// Applies "$setElementOrder/<field>"; false when the directive does not
// apply (the field is not a merging list) and the field is left to the
// ordinary merge.
function applySetElementOrder(original: Obj, patch: Obj, field: string, order: unknown, meta: FieldPatchMeta | undefined): boolean {
  if (!Array.isArray(order)) throw errBadPatchFormatForSetElementOrderList();
  if (!meta || !isMergeStrategy(meta.strategy)) return false;
  const pv = patch[field];
  if (pv !== undefined && !Array.isArray(pv)) return false;
  const ov = Array.isArray(original[field]) ? (original[field] as unknown[]) : undefined;
  if (!ov && !pv) return true;
  const key = meta.mergeKey ?? '';
  if (key) for (const e of order) if (!isObject(e) || !Object.hasOwn(e, key)) throw errNoMergeKey(e, key);
  if (pv) checkPatchFollowsOrder(pv, order, key);
  const merged = pv ? mergeSlice(ov ?? [], pv, meta, field) : ov!;
  original[field] = orderList(merged, order, ov ?? [], key);
  return true;
}

function keyOf(v: unknown, key: string): unknown {
  return key && isObject(v) ? v[key] : v;
}

function indexIn(list: readonly unknown[], v: unknown, key: string): number {
  const k = keyOf(v, key);
  return list.findIndex((x) => semanticEqual(keyOf(x, key), k));
}

// The patch list's entries (deletions aside) must appear in the order list,
// in the same relative order.
function checkPatchFollowsOrder(patch: unknown[], order: unknown[], key: string): void {
  const items = patch.filter((x) => !(isObject(x) && Object.hasOwn(x, PATCH)));
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    if (semanticEqual(keyOf(items[p], key), keyOf(order[s], key))) p++;
  }
  if (p < items.length) throw errBadPatchFormatForSetElementOrderList();
}

function sortByIndexIn(items: unknown[], order: readonly unknown[], key: string): unknown[] {
  const found = items.filter((i) => indexIn(order, i, key) >= 0);
  const rest = items.filter((i) => indexIn(order, i, key) < 0);
  found.sort((a, b) => indexIn(order, a, key) - indexIn(order, b, key));
  return [...found, ...rest];
}

// The order of a merged list: entries named by the patch (or by
// $setElementOrder) in that order, the server-only entries in their stored
// order, and the two interleaved by their stored positions: a server-only
// entry goes before a patch entry only when it was stored before it.
function orderList(merged: unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], key: string): unknown[] {
  const fromPatch = sortByIndexIn(merged.filter((m) => indexIn(patchOrder, m, key) >= 0), patchOrder, key);
  const serverOnly = sortByIndexIn(merged.filter((m) => indexIn(patchOrder, m, key) < 0), serverOrder, key);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i], key);
      const ri = indexIn(serverOrder, fromPatch[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Two-way patch creation.

/**
 * The strategic merge patch that turns `original` into `modified`, shaped
 * like the one kubectl computes for edit and set: changed fields only,
 * removed keys as null, keyed list entries as `{key, ...changes}` with
 * `{"$patch": "delete", key}` for removed ones and `$setElementOrder/F` for
 * the final order, primitive set additions with
 * `$deleteFromPrimitiveList/F` for removals, and `$retainKeys` on maps
 * whose strategy asks for it.
 */
export function createTwoWayStrategicMergePatch(original: unknown, modified: unknown, schema: PatchSchema): Obj {
  if (!isObject(original) || !isObject(modified)) throw new PatchError('invalid JSON document', 400);
  return diffMaps(original, modified, schema, false);
}

function diffMaps(original: Obj, modified: Obj, schema: PatchSchema | undefined, retainKeys: boolean): Obj {
  const patch: Obj = {};
  for (const [k, m] of Object.entries(modified)) {
    if (m === undefined) continue;
    const o = original[k];
    const meta = schema?.[k];
    if (o === undefined || o === null || m === null) {
      if (!semanticEqual(o, m)) patch[k] = deepCopy(m);
    } else if (isObject(o) && isObject(m) && meta?.strategy !== 'replace') {
      const sub = diffMaps(o, m, meta?.elem, isRetainKeysStrategy(meta?.strategy));
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (Array.isArray(o) && Array.isArray(m) && meta && isMergeStrategy(meta.strategy)) {
      diffLists(k, o, m, meta, patch);
    } else if (!semanticEqual(o, m)) {
      patch[k] = deepCopy(m);
    }
  }
  for (const k of Object.keys(original)) {
    if (original[k] !== undefined && modified[k] === undefined) patch[k] = null;
  }
  if (retainKeys && Object.keys(patch).length > 0) {
    patch[RETAIN_KEYS] = Object.keys(modified).filter((k) => modified[k] !== undefined && modified[k] !== null).sort();
  }
  return patch;
}

function diffLists(field: string, original: unknown[], modified: unknown[], meta: FieldPatchMeta, patch: Obj): void {
  let maps: boolean;
  try {
    maps = elementsAreMaps(original, modified);
  } catch {
    if (!semanticEqual(original, modified)) patch[field] = deepCopy(modified);
    return;
  }
  const key = maps ? (meta.mergeKey ?? '') : '';
  if (maps && !key) {
    if (!semanticEqual(original, modified)) patch[field] = deepCopy(modified);
    return;
  }
  const changes: unknown[] = [];
  const deletions: unknown[] = [];
  for (const m of modified) {
    const at = indexIn(original, m, key);
    if (at < 0) changes.push(deepCopy(m));
    else if (maps) {
      const sub = diffMaps(original[at] as Obj, m as Obj, meta.elem, isRetainKeysStrategy(meta.strategy));
      if (Object.keys(sub).length > 0) changes.push({ [key]: (m as Obj)[key], ...sub });
    }
  }
  for (const o of original) {
    if (indexIn(modified, o, key) >= 0) continue;
    deletions.push(maps ? { [PATCH]: 'delete', [key]: (o as Obj)[key] } : o);
  }
  const common = modified.filter((m) => indexIn(original, m, key) >= 0);
  const reordered = !semanticEqual(
    common.map((c) => keyOf(c, key)),
    original.filter((o) => indexIn(modified, o, key) >= 0).map((o) => keyOf(o, key)),
  );
  if (maps) {
    const entries = [...changes, ...deletions];
    if (entries.length > 0) patch[field] = entries;
  } else {
    if (changes.length > 0) patch[field] = changes;
    if (deletions.length > 0) patch[DELETE_PRIMITIVE + field] = deletions;
  }
  if (changes.length > 0 || deletions.length > 0 || reordered) {
    patch[SET_ORDER + field] = modified.map((m) => (maps ? { [key]: (m as Obj)[key] } : deepCopy(m)));
  }
}
