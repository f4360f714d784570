// Kubernetes' toleration matching (ToleratesTaint), shared by the plugins
// that look at taints.

import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  // An empty key with operator Exists tolerates every taint.
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export const toleratedBy = (tolerations: readonly Toleration[] | undefined, taint: Taint) => (tolerations ?? []).some((t) => tolerates(t, taint));

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  for (const taint of taints) if (effects.includes(taint.effect) && !toleratedBy(tolerations, taint)) return taint;
  return undefined;
}
