// Turning a raw recommendation into the replica count to set (pure), as
// Kubernetes' HPA does with spec.behavior: stabilization windows (a scale
// down follows the highest recommendation of the last 300 s; a scale up the
// lowest of its window, 0 s by default), then rate policies (by default up
// to double or +4 pods per 15 s, whichever is more; down to zero per 15 s),
// then min/max replicas. Each limit says which condition reason it gives.

import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2.js';

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  at: number;
  /** Positive for pods added, negative for pods removed. */
  change: number;
}

export const DEFAULT_SCALE_UP: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

export function rulesOf(b: HorizontalPodAutoscalerBehavior | undefined): { up: typeof DEFAULT_SCALE_UP; down: typeof DEFAULT_SCALE_DOWN } {
  return {
    up: {
      stabilizationWindowSeconds: b?.scaleUp?.stabilizationWindowSeconds ?? DEFAULT_SCALE_UP.stabilizationWindowSeconds,
      selectPolicy: b?.scaleUp?.selectPolicy ?? DEFAULT_SCALE_UP.selectPolicy,
      policies: b?.scaleUp?.policies?.length ? b.scaleUp.policies : DEFAULT_SCALE_UP.policies,
    },
    down: {
      stabilizationWindowSeconds: b?.scaleDown?.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN.stabilizationWindowSeconds,
      selectPolicy: b?.scaleDown?.selectPolicy ?? DEFAULT_SCALE_DOWN.selectPolicy,
      policies: b?.scaleDown?.policies?.length ? b.scaleDown.policies : DEFAULT_SCALE_DOWN.policies,
    },
  };
}

/** Stabilizes `desired` against the recent recommendations (which it does not modify). */
export function stabilize(current: number, desired: number, history: Recommendation[], now: number, rules: ReturnType<typeof rulesOf>): { replicas: number; reason: string; message: string } {
  let up = desired;
  let down = desired;
  for (const r of history) {
    if (r.at > now - rules.up.stabilizationWindowSeconds * 1000) up = Math.min(up, r.replicas);
    if (r.at > now - rules.down.stabilizationWindowSeconds * 1000) down = Math.max(down, r.replicas);
  }
  let replicas = current;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  if (replicas !== desired) {
    return desired < current
      ? { replicas, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : { replicas, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
  }
  return { replicas, reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
}

function changeInPeriod(events: ScaleEvent[], now: number, periodSeconds: number, sign: 1 | -1): number {
  let n = 0;
  for (const e of events) if (e.at > now - periodSeconds * 1000 && Math.sign(e.change) === sign) n += Math.abs(e.change);
  return n;
}

export function scaleUpLimit(current: number, events: ScaleEvent[], now: number, rules: typeof DEFAULT_SCALE_UP): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(events, now, p.periodSeconds, 1);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export function scaleDownLimit(current: number, events: ScaleEvent[], now: number, rules: typeof DEFAULT_SCALE_DOWN): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current + changeInPeriod(events, now, p.periodSeconds, -1);
    const proposed = p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** Applies rate limits and min/max; reason/message are the ScalingLimited condition's. */
export function limit(current: number, desired: number, min: number, max: number, events: ScaleEvent[], now: number, rules: ReturnType<typeof rulesOf>): { replicas: number; limited: boolean; reason: string; message: string } {
  if (desired > current) {
    const rate = Math.max(scaleUpLimit(current, events, now, rules.up), current);
    if (rate < max && desired > rate) return { replicas: rate, limited: true, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
    if (desired > max) return { replicas: max, limited: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  } else if (desired < current) {
    const rate = Math.min(scaleDownLimit(current, events, now, rules.down), current);
    if (rate > min && desired < rate) return { replicas: rate, limited: true, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
    if (desired < min) return { replicas: min, limited: true, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  }
  if (desired > max) return { replicas: max, limited: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  if (desired < min) return { replicas: min, limited: true, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  return { replicas: desired, limited: false, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}
