// Label maps and metav1.LabelSelector: validation with metav1's messages,
// plus the small amount of matching workload validation needs (does the
// selector select the template's labels?).

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, required, type FieldError, type Path } from './field.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

/** metav1 ValidateLabelName: errors are reported against the map, not the key. */
export function validateLabelName(name: string, path: Path): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

export function validateLabels(labels: Record<string, string> | undefined | null, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(path, v, m));
  }
  return errs;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

export function validateLabelSelector(sel: LabelSelector | undefined | null, path: Path): FieldError[] {
  if (sel == null) return [];
  const errs = validateLabels(sel.matchLabels, path.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errs.push(invalid(p.child('operator'), expr.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(expr.key ?? '', p.child('key')));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(p.child('values').index(j), v, m));
    });
  });
  return errs;
}

/**
 * A compiled selector. `null` input compiles to "selects nothing", `{}` to
 * "selects everything", matching metav1.LabelSelectorAsSelector.
 */
export interface CompiledSelector {
  empty: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
}

/** Returns undefined where LabelSelectorAsSelector would return an error. */
export function compileSelector(sel: LabelSelector | undefined | null): CompiledSelector | undefined {
  if (sel == null) return { empty: false, matches: () => false };
  const exprs = sel.matchExpressions ?? [];
  for (const e of exprs) {
    if (!OPERATORS.has(e.operator)) return undefined;
    const n = (e.values ?? []).length;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) return undefined;
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) return undefined;
    if (isQualifiedName(e.key ?? '').length > 0) return undefined;
    if ((e.values ?? []).some((v) => isValidLabelValue(v).length > 0)) return undefined;
  }
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isValidLabelValue(v).length > 0) return undefined;
  }
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  return {
    empty: matchLabels.length === 0 && exprs.length === 0,
    matches(labels) {
      const l = labels ?? {};
      const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
      for (const [k, v] of matchLabels) if (!has(k) || l[k] !== v) return false;
      for (const e of exprs) {
        const vals = e.values ?? [];
        switch (e.operator) {
          case 'In':
            if (!has(e.key) || !vals.includes(l[e.key]!)) return false;
            break;
          case 'NotIn':
            if (has(e.key) && vals.includes(l[e.key]!)) return false;
            break;
          case 'Exists':
            if (!has(e.key)) return false;
            break;
          case 'DoesNotExist':
            if (has(e.key)) return false;
            break;
        }
      }
      return true;
    },
  };
}

/** A map-style selector (Service, ReplicationController): every pair must match. */
export function mapSelectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(sel).every(([k, v]) => (labels ?? {})[k] === v);
}
