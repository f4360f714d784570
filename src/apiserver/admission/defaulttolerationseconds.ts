// The DefaultTolerationSeconds admission plugin: every new pod tolerates the
// node.kubernetes.io/not-ready and node.kubernetes.io/unreachable NoExecute
// taints for 300 s (unless it already says how it tolerates them), so a pod
// on a lost node is evicted five minutes after the node is tainted.

import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** Whether the toleration covers a NoExecute taint with this key (and no value). */
function tolerates(t: Toleration, key: string): boolean {
  if (t.effect && t.effect !== 'NoExecute') return false;
  if (t.key && t.key !== key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  return t.operator === 'Exists' || !t.value;
}

/** Adds the default tolerations to a pod being created. */
export function admitDefaultTolerationSeconds(pod: Pod, seconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = pod.spec;
  if (!spec) return;
  const tolerations = spec.tolerations ?? [];
  for (const key of TAINTS) {
    if (tolerations.some((t) => tolerates(t, key))) continue;
    tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  spec.tolerations = tolerations;
}
