// How many replicas a resource metric asks for (pure): Kubernetes' replica
// calculator (pkg/controller/podautoscaler/replica_calculator.go).
//
// Pods are first grouped: being deleted or Failed → ignored; Pending →
// unready; no metric → missing; for cpu, a pod is also unready when it has
// no Ready condition or start time, or while within the cpu initialization
// period (5 min after status.startTime) it is not Ready or its sample was
// not taken a whole window after it became Ready (so start-up CPU does not
// count), or after that period it is not Ready and never has been (its
// Ready condition last changed within the initial readiness delay, 30 s, of
// its start). Only the remaining ("ready") pods give the usage ratio.
//
// Within the tolerance (0.1) nothing changes. With unready or missing pods
// the ratio is recomputed against the direction of the change: on a scale
// up, unready and missing pods count as using nothing; on a scale down,
// missing pods count as using their whole request (or the target, when it
// is above 100%); if that lands inside the tolerance or reverses the
// direction, nothing changes.

export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period */
export const DEFAULT_CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay */
export const DEFAULT_INITIAL_READINESS_DELAY_MS = 30_000;

/** What the calculation needs of a pod. */
export interface PodInfo {
  name: string;
  phase?: string;
  /** metadata.deletionTimestamp is set. */
  deleting?: boolean;
  /** status.startTime, ms since the epoch. */
  startTime?: number;
  /** The pod's Ready condition, if it has one (lastTransitionTime in ms). */
  ready?: { status: string; lastTransitionTime?: number };
  /** The pod's request of the resource (sum over its containers), in the metric's unit. */
  request: number;
  /** The first container without a request of the resource, if any. */
  missingRequest?: string;
}

/** One pod's usage from metrics.k8s.io: the sum over its containers, and when and over what window it was measured. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface CalcOptions {
  /** The time now, ms since the epoch. */
  now: number;
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  initialReadinessDelayMs?: number;
}

export type Target = { utilization: number } | { averageValue: number };

export interface ReplicaCalculation {
  replicas: number;
  /** Utilization (percent of request) of the ready pods, for a utilization target. */
  utilization?: number;
  /** Average usage of the ready pods. */
  averageValue: number;
  /** Why the calculation could not be made (Kubernetes' message). */
  error?: string;
}

export interface PodGroups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Kubernetes' groupPods. */
export function groupPods(pods: PodInfo[], metrics: Map<string, PodMetric>, resource: string, o: CalcOptions): PodGroups {
  const g: PodGroups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const initPeriod = o.cpuInitializationPeriodMs ?? DEFAULT_CPU_INITIALIZATION_PERIOD_MS;
  const readinessDelay = o.initialReadinessDelayMs ?? DEFAULT_INITIAL_READINESS_DELAY_MS;
  for (const p of pods) {
    if (p.deleting || p.phase === 'Failed') {
      g.ignored.add(p.name);
      continue;
    }
    if (p.phase === 'Pending') {
      g.unready.add(p.name);
      continue;
    }
    const m = metrics.get(p.name);
    if (!m) {
      g.missing.add(p.name);
      continue;
    }
    if (resource === 'cpu') {
      let unready: boolean;
      const c = p.ready;
      if (!c || p.startTime === undefined) unready = true;
      else if (p.startTime + initPeriod > o.now) {
        // Still initializing: only a Ready pod's sample taken a whole window after it became Ready counts.
        unready = c.status === 'False' || m.timestamp < (c.lastTransitionTime ?? 0) + m.windowMs;
      } else {
        // Past it: a pod that is not Ready and never has been.
        unready = c.status === 'False' && p.startTime + readinessDelay > (c.lastTransitionTime ?? 0);
      }
      if (unready) {
        g.unready.add(p.name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/** Kubernetes' GetResourceUtilizationRatio: integer percent of the summed requests. */
function utilizationRatio(values: Map<string, number>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; average: number } | string {
  let total = 0;
  let requested = 0;
  let n = 0;
  for (const [name, v] of values) {
    const r = requests.get(name);
    if (r === undefined) continue;
    total += v;
    requested += r;
    n++;
  }
  if (requested === 0) return 'no metrics returned matched known pods';
  const utilization = Math.trunc((total * 100) / requested);
  return { ratio: utilization / target, utilization, average: Math.trunc(total / n) };
}

/** Kubernetes' GetMetricUsageRatio: the integer average against the target. */
function usageRatio(values: Map<string, number>, target: number): { ratio: number; average: number } {
  let total = 0;
  for (const v of values.values()) total += v;
  const average = Math.trunc(total / values.size);
  return { ratio: average / target, average };
}

/**
 * Desired replicas for a utilization target (percent of requests) or an
 * average value target (absolute per pod), from the pods the target's
 * selector picks and their metrics.
 */
export function calcReplicas(current: number, pods: PodInfo[], metrics: Map<string, PodMetric>, resource: string, target: Target, o: CalcOptions): ReplicaCalculation {
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const fail = (error: string): ReplicaCalculation => ({ replicas: current, averageValue: 0, error });
  if (pods.length === 0) return fail('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o);
  const values = new Map<string, number>();
  for (const p of pods) {
    const m = metrics.get(p.name);
    if (m && !g.ignored.has(p.name) && !g.unready.has(p.name)) values.set(p.name, m.value);
  }
  if (values.size === 0) return fail('did not receive metrics for targeted pods (pods might be unready)');
  const within = (ratio: number) => Math.abs(1 - ratio) <= tolerance;

  let ratio: number;
  let report: Pick<ReplicaCalculation, 'utilization' | 'averageValue'>;
  let recompute: () => number;
  let missingFill: (name: string) => number;
  if ('utilization' in target) {
    const requests = new Map<string, number>();
    for (const p of pods) {
      if (p.missingRequest !== undefined) return fail(`missing request for ${resource} in container ${p.missingRequest} of Pod ${p.name}`);
      requests.set(p.name, p.request);
    }
    const r = utilizationRatio(values, requests, target.utilization);
    if (typeof r === 'string') return fail(r);
    ratio = r.ratio;
    report = { utilization: r.utilization, averageValue: r.average };
    const fallback = Math.max(100, target.utilization);
    missingFill = (name) => Math.trunc(((requests.get(name) ?? 0) * fallback) / 100);
    recompute = () => {
      const again = utilizationRatio(values, requests, target.utilization);
      return typeof again === 'string' ? NaN : again.ratio;
    };
  } else {
    const r = usageRatio(values, target.averageValue);
    ratio = r.ratio;
    report = { averageValue: r.average };
    missingFill = () => target.averageValue;
    recompute = () => usageRatio(values, target.averageValue).ratio;
  }

  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (within(ratio)) return { replicas: current, ...report };
    return { replicas: Math.ceil(ratio * g.readyCount), ...report };
  }
  // Count the pods left out against the direction of the change.
  if (ratio < 1) for (const name of g.missing) values.set(name, missingFill(name));
  else if (ratio > 1) for (const name of g.missing) values.set(name, 0);
  if (scaleUpWithUnready) for (const name of g.unready) values.set(name, 0);
  const newRatio = recompute();
  if (Number.isNaN(newRatio)) return fail('no metrics returned matched known pods');
  if (within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return { replicas: current, ...report };
  const replicas = Math.ceil(newRatio * values.size);
  // A change in the number of pods counted must not turn the direction around.
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return { replicas: current, ...report };
  return { replicas, ...report };
}
