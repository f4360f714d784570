// How server-side apply sees each field of an object: the structural schema
// facts of Kubernetes' OpenAPI (x-kubernetes-list-type, list-map-keys,
// map-type/struct-type atomic), derived from the strategic merge patch
// metadata in ../patch/schema.ts plus the few places where the two differ.
//   - a list with a patchMergeKey is a map-list (`x-kubernetes-list-type: map`);
//     its keys are the merge key, except where OpenAPI lists more keys
//     (container and Service ports add `protocol`, defaulted to TCP);
//   - a primitive list with patchStrategy merge (finalizers) is a set;
//   - every other list is atomic, and so are the objects marked atomic below;
//   - every other object merges field by field.

import { isMergeStrategy, type FieldPatchMeta, type PatchSchema } from '../patch/schema.ts';
import type { PathElement } from './fieldset.ts';

export type Obj = Record<string, unknown>;

export type FieldType =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'struct'; readonly schema: PatchSchema | undefined }
  | { readonly kind: 'map'; readonly keys: readonly string[]; readonly elem: PatchSchema | undefined; readonly atomicItems: boolean }
  | { readonly kind: 'set' };

export const LEAF: FieldType = { kind: 'leaf' };

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Map-lists whose OpenAPI keys are more than the strategic merge key. */
const extraKeys: Record<string, readonly string[]> = {
  containerPort: ['containerPort', 'protocol'], // container ports
  port: ['port', 'protocol'], // Service ports
  topologyKey: ['topologyKey', 'whenUnsatisfiable'],
};

/** Key fields with a schema default: an item may omit them. */
export const keyDefaults: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** Map-lists whose items are atomic structs (OwnerReference, LocalObjectReference). */
const atomicItemLists = new Set(['ownerReferences', 'imagePullSecrets']);

/**
 * Objects Kubernetes marks atomic (`+structType=atomic` / `+mapType=atomic`):
 * label selectors, Service and Pod node selectors, and the key selectors of
 * env valueFrom. An atomic value is owned and replaced as a whole.
 */
const atomicObjects = new Set([
  'selector',
  'labelSelector',
  'namespaceSelector',
  'nodeSelector',
  'secretKeyRef',
  'configMapKeyRef',
  'fieldRef',
  'resourceFieldRef',
]);

/**
 * Fields Go always serializes (non-pointer structs and lists without
 * omitempty), so that they are never "added" as a node by an update:
 * Kubernetes writes no `.` for them in Update entries.
 */
export const alwaysPresent = new Set(['metadata', 'spec', 'status', 'template', 'strategy', 'updateStrategy', 'jobTemplate', 'resources', 'containers']);

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';

/** The type of field `name` of an object with schema `parent`, given the values it holds. */
export function fieldType(parent: PatchSchema | undefined, name: string, ...vals: unknown[]): FieldType {
  const present = vals.filter((v) => v !== undefined);
  if (present.length === 0 || present.includes(null)) return LEAF;
  const meta: FieldPatchMeta | undefined = parent?.[name];
  if (present.every(Array.isArray)) {
    if (meta?.mergeKey) {
      return { kind: 'map', keys: extraKeys[meta.mergeKey] ?? [meta.mergeKey], elem: meta.elem, atomicItems: atomicItemLists.has(name) };
    }
    if (isMergeStrategy(meta?.strategy) && present.every((l) => (l as unknown[]).every(isPrimitive))) return { kind: 'set' };
    return LEAF;
  }
  if (present.every(isObject)) return atomicObjects.has(name) ? LEAF : { kind: 'struct', schema: meta?.elem };
  return LEAF;
}

/** Sorted-key JSON, Go's encoding of a map. */
export function sortedJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJSON(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The path element of a map-list item, or an error message when it has no key. */
export function keyElement(item: unknown, keys: readonly string[]): PathElement | string {
  if (!isObject(item)) return `expected map, got ${item === null ? 'null' : Array.isArray(item) ? 'list' : typeof item}`;
  const key: Obj = {};
  for (const k of [...keys].sort()) {
    const v = item[k] ?? keyDefaults[k];
    if (v === undefined || v === null) {
      return `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
    }
    key[k] = v;
  }
  return `k:${sortedJSON(key)}`;
}

export const valueElement = (item: unknown): PathElement => `v:${sortedJSON(item)}`;

/**
 * Items of a map-list or set by path element. In strict mode (the applied
 * configuration) an item without its keys or a duplicate is an error, thrown
 * as a string message; otherwise (stored objects) the list is reported as
 * unkeyable (undefined) and treated as atomic.
 */
export function indexItems(list: unknown[], t: FieldType, strict: boolean): [PathElement, unknown][] | undefined {
  const out: [PathElement, unknown][] = [];
  const seen = new Set<PathElement>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    let pe: string;
    if (t.kind === 'map') {
      pe = keyElement(item, t.keys);
      if (!pe.startsWith('k:')) {
        if (strict) throw new IndexError(`element ${i}: ${pe}`);
        return undefined;
      }
    } else {
      pe = valueElement(item);
    }
    if (seen.has(pe)) {
      if (strict) throw new IndexError(`duplicate entries for key ${describeElement(pe)}`);
      return undefined;
    }
    seen.add(pe);
    out.push([pe, item]);
  }
  return out;
}

function describeElement(pe: PathElement): string {
  const body = JSON.parse(pe.slice(2)) as unknown;
  if (pe.startsWith('v:')) return `[=${JSON.stringify(body)}]`;
  const key = body as Obj;
  return `[${Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`).join(',')}]`;
}

/** A structural error in an applied configuration, before its path is known. */
export class IndexError extends Error {}
