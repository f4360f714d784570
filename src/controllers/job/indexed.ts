// Indexed Jobs: each pod carries its completion index (annotation and label
// batch.kubernetes.io/job-completion-index); status.completedIndexes lists the
// succeeded indexes as Kubernetes writes them, "1,3-5,7".

import type { Pod } from 'kubernetes-types/core/v1.js';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index, or undefined when it has none (or a bad one). */
export function completionIndex(pod: Pod): number | undefined {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX] ?? pod.metadata?.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^(0|[1-9]\d{0,8})$/.test(v)) return undefined;
  return Number(v);
}

/** Parses "1,3-5" into a sorted set of indexes below `completions` (others are ignored, as Kubernetes does). */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) continue;
    for (let i = lo; i <= hi && i < completions; i++) out.add(i);
  }
  return out;
}

/** Formats indexes in ascending order with runs folded: [1,3,4,5,7] -> "1,3-5,7". */
export function formatIndexes(set: Iterable<number>): string {
  const xs = [...new Set(set)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(j === i ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `n` indexes in [0, completions) that are neither succeeded nor taken by an active pod. */
export function pendingIndexes(completions: number, succeeded: Set<number>, active: Set<number>, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!succeeded.has(i) && !active.has(i)) out.push(i);
  return out;
}
