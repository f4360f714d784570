// RFC 7386 JSON Merge Patch (Content-Type application/merge-patch+json): what
// kubectl label, annotate and scale send. Objects merge key by key, `null`
// deletes a key, and anything else (lists included) replaces the target whole.

import { deepCopy, semanticEqual } from '../equality.ts';
import { PatchError } from './errors.ts';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 section 2, on copies: neither argument is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepCopy(patch);
  const out: Obj = isObject(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = applyMergePatch(out[k], v);
  }
  // Keys not touched by the patch were copied by reference above; copy deeply
  // so the result shares nothing with `doc`.
  for (const k of Object.keys(out)) {
    if (!Object.hasOwn(patch, k)) out[k] = deepCopy(out[k]);
  }
  return out;
}

function diff(original: Obj, modified: Obj): Obj {
  const patch: Obj = {};
  for (const k of Object.keys(original)) {
    if (original[k] !== undefined && (!Object.hasOwn(modified, k) || modified[k] === undefined)) patch[k] = null;
  }
  for (const [k, m] of Object.entries(modified)) {
    if (m === undefined) continue;
    const o = original[k];
    if (semanticEqual(o, m) && o !== undefined) continue;
    if (isObject(o) && isObject(m)) {
      const sub = diff(o, m);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else {
      patch[k] = deepCopy(m);
    }
  }
  return patch;
}

/**
 * The merge patch that turns `original` into `modified` (both JSON objects),
 * as kubectl computes it: changed and added keys with their new values,
 * removed keys as null, nested objects diffed, lists sent whole when they
 * differ. Applying the result to `original` with applyMergePatch yields
 * `modified` (as long as `modified` holds no nulls).
 */
export function createMergePatch(original: unknown, modified: unknown): Record<string, unknown> {
  if (!isObject(original) || !isObject(modified)) {
    throw new PatchError('Invalid JSON Document', 400);
  }
  return diff(original, modified);
}
