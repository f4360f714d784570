// Node selector matching as Kubernetes' nodeaffinity helper does it: terms
// are ORed, a term's requirements ANDed; matchExpressions look at labels,
// matchFields at metadata.name; a term with neither matches nothing; an
// invalid requirement (Gt with a non-integer, In without values) fails the
// term. Also the pod's nodeSelector + required node affinity together.

import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';

const INTEGER = /^-?\d+$/;

export function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return vals.length > 0 && value !== undefined && vals.includes(value);
    case 'NotIn':
      return vals.length > 0 && (value === undefined || !vals.includes(value));
    case 'Exists':
      return vals.length === 0 && value !== undefined;
    case 'DoesNotExist':
      return vals.length === 0 && value === undefined;
    case 'Gt':
    case 'Lt': {
      if (vals.length !== 1 || !INTEGER.test(vals[0]!) || value === undefined || !INTEGER.test(value)) return false;
      const a = BigInt(value);
      const b = BigInt(vals[0]!);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTerm, labels: Record<string, string>, name: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) if (r.key !== 'metadata.name' || !requirementMatches(r, name)) return false;
  return true;
}

export function nodeSelectorMatches(sel: NodeSelector, labels: Record<string, string>, name: string): boolean {
  return sel.nodeSelectorTerms.some((t) => termMatches(t, labels, name));
}

/** Kubernetes' RequiredNodeAffinity.Match: spec.nodeSelector and required node affinity both hold. */
export function requiredNodeAffinityMatches(pod: Pod, node: Node | { labels: Record<string, string>; name: string }): boolean {
  const labels = 'labels' in node ? node.labels : (node.metadata?.labels ?? {});
  const name = 'name' in node ? node.name : (node.metadata?.name ?? '');
  const ns = pod.spec?.nodeSelector;
  if (ns) for (const k in ns) if (labels[k] !== ns[k]) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !req || nodeSelectorMatches(req, labels, name);
}
