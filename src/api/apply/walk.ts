// The three walks server-side apply is made of, after structured-merge-diff's
// typed package: the field set of a value (what an applier claims), the
// comparison of two objects (what a write added, changed and removed), and
// the merge of an applied configuration into the stored object. Plus the
// removal of owned items, for pruning what an applier stopped applying.

import { deepCopy, semanticEqual } from '../equality.ts';
import type { PatchSchema } from '../patch/schema.ts';
import { FieldSet, pathString, type Path, type PathElement } from './fieldset.ts';
import { IndexError, alwaysPresent, fieldType, indexItems, isObject, keyDefaults, type FieldType, type Obj } from './types.ts';

/** Thrown for an applied configuration that does not fit the schema. */
export class StructureError extends Error {}

// ---------------------------------------------------------------- field set

/**
 * The fields an applied configuration sets: every leaf, every map-list and
 * set item, empty objects and nulls; an object with fields is not itself a
 * member (its fields are). Throws StructureError for an unkeyed or duplicate
 * map-list item.
 */
export function toFieldSet(config: Obj, schema: PatchSchema): FieldSet {
  const out = new FieldSet();
  fieldsOf(config, schema, [], out);
  return out;
}

function fieldsOf(o: Obj, schema: PatchSchema | undefined, path: PathElement[], out: FieldSet): void {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    valueFields(v, fieldType(schema, k, v), [...path, `f:${k}`], out);
  }
}

function valueFields(v: unknown, t: FieldType, path: PathElement[], out: FieldSet): void {
  switch (t.kind) {
    case 'leaf':
      out.insert(path);
      return;
    case 'struct':
      if (Object.values(v as Obj).every((x) => x === undefined)) out.insert(path);
      else fieldsOf(v as Obj, t.schema, path, out);
      return;
    case 'map':
    case 'set': {
      let items: [PathElement, unknown][];
      try {
        items = indexItems(v as unknown[], t, true)!;
      } catch (e) {
        if (e instanceof IndexError) throw new StructureError(`${pathString(path)}: ${e.message}`);
        throw e;
      }
      for (const [pe, item] of items) {
        out.insert([...path, pe]);
        if (t.kind === 'map' && !t.atomicItems) fieldsOf(item as Obj, t.elem, [...path, pe], out);
      }
    }
  }
}

// ---------------------------------------------------------------- compare

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed from `before` to `after`. A node that appears or disappears is
 * listed together with everything under it (so ownership below it can move);
 * empty objects and lists compare as leaves.
 */
export function compare(before: Obj, after: Obj, schema: PatchSchema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareFields(before, after, schema, [], c);
  return c;
}

function compareFields(a: Obj | undefined, b: Obj | undefined, schema: PatchSchema | undefined, path: PathElement[], c: Comparison): void {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const k of keys) {
    const av = a?.[k];
    const bv = b?.[k];
    compareValue(av, bv, fieldType(schema, k, av, bv), [...path, `f:${k}`], k, c);
  }
}

const isEmptyValue = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

function compareLeaf(a: unknown, b: unknown, path: Path, c: Comparison): void {
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
  else if (!semanticEqual(a, b)) c.modified.insert(path);
}

function compareValue(a: unknown, b: unknown, t: FieldType, path: PathElement[], name: string | undefined, c: Comparison): void {
  if (a === undefined && b === undefined) return;
  if (t.kind === 'leaf' || (isEmptyValue(a) && isEmptyValue(b))) {
    compareLeaf(a, b, path, c);
    return;
  }
  if (t.kind === 'struct') {
    compareFields(a as Obj | undefined, b as Obj | undefined, t.schema, path, c);
  } else {
    const la = a === undefined ? [] : indexItems(a as unknown[], t, false);
    const lb = b === undefined ? [] : indexItems(b as unknown[], t, false);
    if (!la || !lb) {
      compareLeaf(a, b, path, c);
      return;
    }
    const ma = new Map(la);
    const mb = new Map(lb);
    for (const pe of new Set([...ma.keys(), ...mb.keys()])) {
      const ip = [...path, pe];
      if (t.kind === 'map' && !t.atomicItems) compareValue(ma.get(pe), mb.get(pe), { kind: 'struct', schema: t.elem }, ip, undefined, c);
      else compareLeaf(ma.get(pe), mb.get(pe), ip, c);
    }
  }
  if (name !== undefined && alwaysPresent.has(name)) return;
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
}

// ---------------------------------------------------------------- merge

/**
 * The applied configuration merged into a copy of the stored object: fields
 * are set (null removes), objects merge field by field, map-list items merge
 * by key and sets by value (the configuration's order wins for the items it
 * lists; other items keep their place), leaves and atomic values are replaced.
 */
export function merge(live: Obj, config: Obj, schema: PatchSchema): Obj {
  return mergeFields(deepCopy(live), config, schema);
}

function mergeFields(a: Obj, b: Obj, schema: PatchSchema | undefined): Obj {
  const out: Obj = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    if (bv === undefined) continue;
    if (bv === null) {
      delete out[k];
      continue;
    }
    out[k] = mergeValue(out[k], bv, fieldType(schema, k, out[k], bv));
  }
  return out;
}

function mergeValue(a: unknown, b: unknown, t: FieldType): unknown {
  if (a === undefined || t.kind === 'leaf') return deepCopy(b);
  if (t.kind === 'struct') return mergeFields(a as Obj, b as Obj, t.schema);
  const la = indexItems(a as unknown[], t, false);
  const lb = indexItems(b as unknown[], t, false);
  if (!la || !lb) return deepCopy(b);
  const combine = (l: unknown, r: unknown): unknown =>
    t.kind === 'map' && !t.atomicItems && l !== undefined ? mergeFields(l as Obj, r as Obj, t.elem) : deepCopy(r);
  return mergeOrdered(la, lb, combine);
}

function mergeOrdered(lhs: [PathElement, unknown][], rhs: [PathElement, unknown][], combine: (l: unknown, r: unknown) => unknown): unknown[] {
  const left = new Map(lhs);
  const inRight = new Set(rhs.map(([pe]) => pe));
  const done = new Set<PathElement>();
  const out: unknown[] = [];
  const takeRight = (j: number): void => {
    const [pe, r] = rhs[j]!;
    out.push(combine(left.get(pe), r));
    done.add(pe);
  };
  let i = 0;
  let j = 0;
  while (i < lhs.length || j < rhs.length) {
    if (i < lhs.length && done.has(lhs[i]![0])) {
      i++;
    } else if (i < lhs.length && !inRight.has(lhs[i]![0])) {
      out.push(lhs[i]![1]);
      i++;
    } else if (j < rhs.length) {
      if (i < lhs.length && lhs[i]![0] === rhs[j]![0]) i++;
      takeRight(j++);
    } else {
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------- removal

/** Removes the node at `path` (a field, a map-list item, a set item) from `root`, if present. */
export function removePath(root: Obj, path: Path): void {
  let container: unknown = root;
  for (let d = 0; d < path.length; d++) {
    const pe = path[d]!;
    const last = d === path.length - 1;
    if (pe.startsWith('f:')) {
      if (!isObject(container)) return;
      const name = pe.slice(2);
      if (last) delete container[name];
      else container = container[name];
      continue;
    }
    if (!Array.isArray(container)) return;
    const idx = findItem(container, pe);
    if (idx < 0) return;
    if (last) container.splice(idx, 1);
    else container = container[idx];
  }
}

function findItem(list: unknown[], pe: PathElement): number {
  const body = pe.slice(2);
  if (pe.startsWith('i:')) return Number(body) < list.length ? Number(body) : -1;
  const want = JSON.parse(body) as unknown;
  if (pe.startsWith('v:')) return list.findIndex((x) => semanticEqual(x, want));
  const key = want as Obj;
  return list.findIndex((x) => isObject(x) && Object.keys(key).every((k) => semanticEqual(x[k] ?? keyDefaults[k], key[k])));
}
