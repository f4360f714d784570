// Label maps and metav1.LabelSelector: validation with metav1's messages,
// and the compiled selector workload validation matches template labels with.

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, required, type FieldError, type Path } from './field.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { selectorFromLabelSelector, SelectorError, type Selector } from '../labels.ts';

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
 * The selector a workload's spec.selector stands for, or undefined where
 * metav1.LabelSelectorAsSelector would fail (validation has already reported
 * why, with metav1's per-field messages). Matching itself is labels.ts's.
 */
export function compileSelector(sel: LabelSelector | undefined | null): Selector | undefined {
  try {
    return selectorFromLabelSelector(sel);
  } catch (e) {
    if (e instanceof SelectorError) return undefined;
    throw e;
  }
}
