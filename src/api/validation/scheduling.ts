// The scheduling fields of a PodSpec: affinity (node selector terms, pod
// affinity terms, weights) and topology spread constraints, with Kubernetes'
// field paths and wording, so a bad selector is a 422 at create instead of a
// pod that can never be placed.

import type { Affinity, NodeSelector, NodeSelectorRequirement, PodAffinityTerm, TopologySpreadConstraint, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError, type Path } from './field.ts';
import { validateLabelName, validateLabelSelector } from './selector.ts';

const NODE_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'];
const UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];
const INTEGER = /^-?\d+$/;

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!INTEGER.test(vals[0]!)) errs.push(invalid(path.child('values').index(0), vals[0], 'must be an integer'));
      break;
    default:
      errs.push(notSupported(path.child('operator'), r.operator, NODE_SELECTOR_OPERATORS));
  }
  errs.push(...validateLabelName(r.key, path.child('key')));
  return errs;
}

function validateNodeFieldSelectorRequirement(r: NodeSelectorRequirement, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if ((r.values ?? []).length !== 1) errs.push(required(path.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(notSupported(path.child('operator'), r.operator, ['In', 'NotIn']));
  if (r.key !== 'metadata.name') errs.push(invalid(path.child('key'), r.key, 'not a valid field selector key'));
  return errs;
}

export function validateNodeSelector(sel: NodeSelector, path: Path): FieldError[] {
  const terms = sel.nodeSelectorTerms ?? [];
  const p = path.child('nodeSelectorTerms');
  if (terms.length === 0) return [required(p, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => [
    ...(t.matchExpressions ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, p.index(i).child('matchExpressions').index(j))),
    ...(t.matchFields ?? []).flatMap((r, j) => validateNodeFieldSelectorRequirement(r, p.index(i).child('matchFields').index(j))),
  ]);
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: Path): FieldError[] {
  const errs = [...validateLabelSelector(t.labelSelector, path.child('labelSelector')), ...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector'))];
  if (!t.topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  else errs.push(...validateLabelName(t.topologyKey, path.child('topologyKey')));
  return errs;
}

function validateWeighted(terms: WeightedPodAffinityTerm[] | undefined, path: Path): FieldError[] {
  return (terms ?? []).flatMap((t, i) => {
    const errs = validatePodAffinityTerm(t.podAffinityTerm ?? ({} as PodAffinityTerm), path.index(i).child('podAffinityTerm'));
    if (!(t.weight >= 1 && t.weight <= 100)) errs.unshift(invalid(path.index(i).child('weight'), t.weight, 'must be in the range 1-100'));
    return errs;
  });
}

export function validateAffinity(a: Affinity | undefined, path: Path): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na) {
    const p = path.child('nodeAffinity');
    if (na.requiredDuringSchedulingIgnoredDuringExecution) errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, p.child('requiredDuringSchedulingIgnoredDuringExecution')));
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!(t.weight >= 1 && t.weight <= 100)) errs.push(invalid(tp.child('weight'), t.weight, 'must be in the range 1-100'));
      const pref = t.preference ?? {};
      errs.push(...(pref.matchExpressions ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, tp.child('preference', 'matchExpressions').index(j))));
      errs.push(...(pref.matchFields ?? []).flatMap((r, j) => validateNodeFieldSelectorRequirement(r, tp.child('preference', 'matchFields').index(j))));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    const p = path.child(kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, p.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))));
    errs.push(...validateWeighted(pa.preferredDuringSchedulingIgnoredDuringExecution, p.child('preferredDuringSchedulingIgnoredDuringExecution')));
  }
  return errs;
}

export function validateTopologySpreadConstraints(cs: TopologySpreadConstraint[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (cs ?? []).forEach((c, i) => {
    const p = path.index(i);
    if (!(Number.isInteger(c.maxSkew) && c.maxSkew > 0)) errs.push(invalid(p.child('maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    else errs.push(...validateLabelName(c.topologyKey, p.child('topologyKey')));
    if (!UNSATISFIABLE.includes(c.whenUnsatisfiable)) errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable, UNSATISFIABLE));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (!(c.minDomains > 0)) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalid(p.child('minDomains'), c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
    }
    const pair = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
    if (seen.has(pair)) errs.push(duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(pair);
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}
