// spec.podFailurePolicy: the first rule that matches a failed pod decides —
// FailJob fails the whole Job at once, Ignore does not count the failure
// toward backoffLimit, Count counts it (the default), FailIndex is treated
// as Count here (backoffLimitPerIndex is not built).

import type { Job, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

export type FailureAction = 'FailJob' | 'Ignore' | 'Count';

export interface PolicyMatch {
  action: FailureAction;
  /** For FailJob: the message of the Job's FailureTarget condition. */
  message?: string;
}

function matchesExitCodes(rule: PodFailurePolicyRule, pod: Pod): string | undefined {
  const req = rule.onExitCodes!;
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    if (req.containerName && req.containerName !== s.name) continue;
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    const inValues = req.values.includes(code);
    if ((req.operator === 'In' && inValues) || (req.operator === 'NotIn' && !inValues)) return `Container ${s.name} for pod ${pod.metadata?.namespace}/${pod.metadata?.name} failed with exit code ${code}`;
  }
  return undefined;
}

function matchesConditions(rule: PodFailurePolicyRule, pod: Pod): string | undefined {
  for (const p of rule.onPodConditions ?? []) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === p.type && x.status === (p.status ?? 'True'));
    if (c) return `Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has condition ${p.type}`;
  }
  return undefined;
}

/** The action for a failed pod; Count when no policy or no rule matches. */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const what = r.onExitCodes ? matchesExitCodes(r, pod) : matchesConditions(r, pod);
    if (!what) continue;
    if (r.action === 'FailJob') return { action: 'FailJob', message: `${what} matching FailJob rule at index ${i}` };
    if (r.action === 'Ignore') return { action: 'Ignore' };
    return { action: 'Count' };
  }
  return { action: 'Count' };
}
