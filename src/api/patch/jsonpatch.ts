// RFC 6902 JSON Patch (Content-Type application/json-patch+json), as the API
// server applies it to a stored object: operations run in order on a copy, and
// the first one that fails rejects the whole patch (the input is never
// touched). Paths are RFC 6901 JSON Pointers. Error wording follows the Go
// json-patch library the API server uses, which kubectl prints verbatim.

import { deepCopy, semanticEqual } from '../equality.ts';
import { PatchError } from './errors.ts';

export interface JSONPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

const missing = (what: string): PatchError => new PatchError(`${what}: missing value`, 422);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits a JSON Pointer into unescaped reference tokens ("" is the whole document). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${pointer}`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new PatchError(`invalid JSON pointer escape in ${JSON.stringify(pointer)}`, 422);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Index of an array element: decimal digits without leading zeros, within [0, max]. */
function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`Unable to access invalid index: ${token}: invalid index referenced`, 422);
  const i = Number(token);
  if (i > max) throw new PatchError(`Unable to access invalid index: ${i}: invalid index referenced`, 422);
  return i;
}

/** The container holding the value a pointer names, and the last token; null when a parent is missing. */
function locate(doc: unknown, tokens: string[]): { parent: Container; key: string } | null {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t) || Number(t) >= cur.length) return null;
      cur = cur[Number(t)];
    } else if (isObject(cur)) {
      if (!Object.hasOwn(cur, t)) return null;
      cur = cur[t];
    } else {
      return null;
    }
  }
  if (!Array.isArray(cur) && !isObject(cur)) return null;
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function get(parent: Container, key: string): { found: boolean; value?: unknown } {
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= parent.length) return { found: false };
    return { found: true, value: parent[Number(key)] };
  }
  return Object.hasOwn(parent, key) ? { found: true, value: parent[key] } : { found: false };
}

function getPath(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return { found: true, value: doc };
  const loc = locate(doc, tokens);
  return loc ? get(loc.parent, loc.key) : { found: false };
}

class Doc {
  constructor(public root: unknown) {}

  add(pointer: string, value: unknown, op = 'add'): void {
    const tokens = parsePointer(pointer);
    if (tokens.length === 0) {
      this.root = value;
      return;
    }
    const loc = locate(this.root, tokens);
    if (!loc) throw missing(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
    const { parent, key } = loc;
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : arrayIndex(key, parent.length);
      parent.splice(i, 0, value);
    } else {
      parent[key] = value;
    }
  }

  remove(pointer: string, op = 'remove'): unknown {
    const tokens = parsePointer(pointer);
    const loc = tokens.length === 0 ? null : locate(this.root, tokens);
    if (!loc) throw missing(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
    const { parent, key } = loc;
    if (Array.isArray(parent)) {
      const i = arrayIndex(key, parent.length - 1);
      return parent.splice(i, 1)[0];
    }
    if (!Object.hasOwn(parent, key)) throw missing(`Unable to remove nonexistent key: ${key}`);
    const old = parent[key];
    delete parent[key];
    return old;
  }

  replace(pointer: string, value: unknown): void {
    const tokens = parsePointer(pointer);
    if (tokens.length === 0) {
      this.root = value;
      return;
    }
    const loc = locate(this.root, tokens);
    if (!loc) throw missing(`replace operation does not apply: doc is missing path: ${pointer}`);
    const { parent, key } = loc;
    if (!get(parent, key).found) throw missing(`replace operation does not apply: doc is missing key: ${pointer}`);
    if (Array.isArray(parent)) parent[Number(key)] = value;
    else parent[key] = value;
  }
}

function stringField(op: Record<string, unknown>, field: 'path' | 'from', kind: string): string {
  const v = op[field];
  if (typeof v !== 'string') throw new PatchError(`${kind} operation failed to decode ${field}`, 422);
  return v;
}

function valueField(op: Record<string, unknown>, kind: string): unknown {
  if (!Object.hasOwn(op, 'value')) throw new PatchError(`${kind} operation has no value`, 422);
  return deepCopy(op.value);
}

/**
 * Applies an RFC 6902 patch to a copy of `doc` and returns the copy. `ops`
 * is the decoded request body: anything but a list of operation objects is a
 * 400; an operation that does not apply is a 422.
 */
export function applyJSONPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  }
  const d = new Doc(deepCopy(doc));
  for (const raw of ops) {
    if (!isObject(raw)) throw new PatchError('json: cannot unmarshal non-object into Go value of type jsonpatch.Operation', 400);
    const kind = raw.op;
    switch (kind) {
      case 'add':
        d.add(stringField(raw, 'path', kind), valueField(raw, kind));
        break;
      case 'remove':
        d.remove(stringField(raw, 'path', kind));
        break;
      case 'replace':
        d.replace(stringField(raw, 'path', kind), valueField(raw, kind));
        break;
      case 'move': {
        const from = stringField(raw, 'from', kind);
        const path = stringField(raw, 'path', kind);
        if (path !== from && path.startsWith(from + '/')) {
          throw new PatchError(`move operation does not apply: from ${JSON.stringify(from)} is a prefix of path ${JSON.stringify(path)}`, 422);
        }
        if (!getPath(d.root, from).found) throw missing(`move operation does not apply: doc is missing from path: ${from}`);
        const v = d.remove(from, kind);
        d.add(path, v, kind);
        break;
      }
      case 'copy': {
        const from = stringField(raw, 'from', kind);
        const path = stringField(raw, 'path', kind);
        const src = getPath(d.root, from);
        if (!src.found) throw missing(`copy operation does not apply: doc is missing from path: ${JSON.stringify(from)}`);
        d.add(path, deepCopy(src.value), kind);
        break;
      }
      case 'test': {
        const path = stringField(raw, 'path', kind);
        const want = valueField(raw, kind);
        const tokens = parsePointer(path);
        if (tokens.length > 0 && !locate(d.root, tokens)) throw missing(`test operation does not apply: is missing path: ${path}`);
        const got = getPath(d.root, path);
        if (!got.found) {
          // Go's json-patch treats a missing member as null for test.
          if (want === null) break;
          throw new PatchError(`testing value ${path} failed: test failed`, 422);
        }
        if (!semanticEqual(got.value, want)) throw new PatchError(`testing value ${path} failed: test failed`, 422);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${String(kind)}`, 422);
    }
  }
  return d.root;
}
