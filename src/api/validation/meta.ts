// ObjectMeta validation on create and update (apimachinery's
// ValidateObjectMeta / ValidateObjectMetaUpdate plus core's finalizer rule).

import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, required, tooLong, type FieldError, Path } from './field.ts';
import { isQualifiedName, nameIsDNSLabel, type NameFn } from './names.ts';
import { validateLabels } from './selector.ts';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNonnegative(value: number, path: Path): FieldError[] {
  return value < 0 ? [invalid(path, value, IS_NEGATIVE)] : [];
}

export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names, compared case-insensitively.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function parseAPIVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' };
}

function ownerRefValue(r: OwnerReference): Record<string, unknown> {
  // Rendered in metav1.OwnerReference field order, as encoding/json would.
  const out: Record<string, unknown> = { apiVersion: r.apiVersion ?? '', kind: r.kind ?? '', name: r.name ?? '', uid: r.uid ?? '' };
  if (r.controller != null) out['controller'] = r.controller;
  if (r.blockOwnerDeletion != null) out['blockOwnerDeletion'] = r.blockOwnerDeletion;
  return out;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    // Kubernetes reports these against the list itself, without an index.
    const gv = parseAPIVersion(ref.apiVersion ?? '');
    if (gv.version === '') errs.push(invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, ownerRefValue(ref), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            path,
            (refs ?? []).map(ownerRefValue),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

function validateFinalizerName(name: string, path: Path): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/**
 * apimachinery checks finalizers against `metadata.finalizers`, then core
 * re-checks each against `metadata.finalizers[i]` and also requires unprefixed
 * names to be standard ones; both layers run, so both reports appear.
 */
export function validateFinalizers(finalizers: string[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) errs.push(...validateFinalizerName(f, path));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  list.forEach((f, i) => {
    const e = validateFinalizerName(f, path.index(i));
    if (e.length === 0 && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      e.push(invalid(path.index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
    errs.push(...e);
  });
  return errs;
}

export interface MetaOptions {
  namespaced: boolean;
  nameFn: NameFn;
}

/**
 * Create-time checks. Skiff's API server fills in `name` from `generateName`
 * after validation, so a missing name is accepted when generateName is set.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = new Path('metadata')): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of opts.nameFn(m.generateName, true)) errs.push(invalid(path.child('generateName'), m.generateName, msg));
  }
  if (!m.name) {
    if (!m.generateName) errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of opts.nameFn(m.name, false)) errs.push(invalid(path.child('name'), m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required(path.child('namespace'), ''));
    else for (const msg of nameIsDNSLabel(m.namespace, false)) errs.push(invalid(path.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation ?? 0, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  return errs;
}

/** Deep equality over JSON values, treating absent and null alike. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: Path): FieldError[] {
  return jsonEqual(newVal, oldVal) ? [] : [invalid(path, newVal ?? null, FIELD_IMMUTABLE)];
}

/** Update-time checks; the resourceVersion precondition is the storage layer's job. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  path = new Path('metadata'),
): FieldError[] {
  const n = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const extra = [...new Set(n.finalizers ?? [])].filter((f) => !(o.finalizers ?? []).includes(f)).sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(n.name ?? '', o.name ?? '', path.child('name')));
  errs.push(...validateImmutableField(n.namespace ?? '', o.namespace ?? '', path.child('namespace')));
  errs.push(...validateImmutableField(n.uid ?? '', o.uid ?? '', path.child('uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(
    ...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')),
  );
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(n.finalizers, path.child('finalizers')));
  return errs;
}
