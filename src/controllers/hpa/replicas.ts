// How many replicas a resource metric asks for (pure): Kubernetes' replica
// calculator. The usage ratio is current/target; within the tolerance (0.1)
// nothing changes. Pods that are not ready yet (or have no metrics) are
// counted against the direction of the change: when scaling up, unready pods
// count as using nothing and pods without metrics too; when scaling down,
// pods without metrics count as using all they requested (100%). If that
// reverses the direction or lands inside the tolerance, nothing changes.

export const DEFAULT_TOLERANCE = 0.1;

export interface PodSample {
  name: string;
  /** Ready and past its initialization (counted normally). */
  ready: boolean;
  /** Being deleted or failed: ignored entirely. */
  ignored?: boolean;
  /** Sum of the containers' requests of the resource (millicores or bytes); 0 when a container requests none. */
  request: number;
  /** Whether every container has a request (utilization needs them). */
  allRequested: boolean;
}

export interface ReplicaCalculation {
  replicas: number;
  /** Utilization (percent of request) seen over the counted pods, or the average value. */
  utilization?: number;
  averageValue: number;
  /** Why the calculation could not be made. */
  error?: string;
}

/**
 * Desired replicas for a utilization target (percent of requests) or an
 * average value target (absolute per pod), given per-pod usage.
 */
export function calcReplicas(
  current: number,
  pods: PodSample[],
  usage: Map<string, number>,
  target: { utilization: number } | { averageValue: number },
  tolerance = DEFAULT_TOLERANCE,
): ReplicaCalculation {
  const considered = pods.filter((p) => !p.ignored);
  if (considered.length === 0) return { replicas: current, averageValue: 0, error: 'no pods to compute the metric over' };
  const withMetrics = considered.filter((p) => p.ready && usage.has(p.name));
  const unready = considered.filter((p) => !p.ready && usage.has(p.name));
  const missing = considered.filter((p) => !usage.has(p.name));
  if (withMetrics.length === 0 && unready.length === 0) return { replicas: current, averageValue: 0, error: 'did not receive metrics for any ready pods' };

  const utilizationMode = 'utilization' in target;
  if (utilizationMode && withMetrics.some((p) => !p.allRequested)) {
    return { replicas: current, averageValue: 0, error: 'missing request for the resource in some containers' };
  }
  const ratioOf = (list: PodSample[], extraUsage: (p: PodSample) => number) => {
    let used = 0;
    let requested = 0;
    for (const p of list) {
      used += usage.get(p.name) ?? extraUsage(p);
      requested += p.request;
    }
    if (utilizationMode) {
      if (requested === 0) return { ratio: 0, value: 0, avg: 0 };
      const util = (used * 100) / requested;
      return { ratio: util / target.utilization, value: util, avg: used / list.length };
    }
    const avg = used / list.length;
    return { ratio: avg / target.averageValue, value: avg, avg };
  };

  const base = ratioOf(withMetrics.length ? withMetrics : unready, () => 0);
  const counted = withMetrics.length ? withMetrics : unready;
  if (missing.length === 0 && (unready.length === 0 || withMetrics.length === 0)) {
    if (Math.abs(1 - base.ratio) <= tolerance) return { replicas: current, utilization: utilizationMode ? Math.round(base.value) : undefined, averageValue: base.avg };
    return { replicas: Math.ceil(base.ratio * counted.length), utilization: utilizationMode ? Math.round(base.value) : undefined, averageValue: base.avg };
  }

  const scaleUp = base.ratio > 1;
  // Unready pods count only when scaling up (as using nothing); missing ones count both ways.
  const everyone = [...withMetrics, ...(scaleUp ? unready : []), ...missing];
  const fill = (p: PodSample) => (scaleUp ? 0 : utilizationMode ? p.request : (target as { averageValue: number }).averageValue);
  const adjusted = ratioOf(everyone, fill);
  if (Math.abs(1 - adjusted.ratio) <= tolerance || (scaleUp && adjusted.ratio < 1) || (!scaleUp && adjusted.ratio > 1)) {
    return { replicas: current, utilization: utilizationMode ? Math.round(base.value) : undefined, averageValue: base.avg };
  }
  const desired = Math.ceil(adjusted.ratio * everyone.length);
  // Never move against the direction the measured pods asked for.
  if ((scaleUp && desired < current) || (!scaleUp && desired > current)) return { replicas: current, utilization: utilizationMode ? Math.round(base.value) : undefined, averageValue: base.avg };
  return { replicas: desired, utilization: utilizationMode ? Math.round(base.value) : undefined, averageValue: base.avg };
}
