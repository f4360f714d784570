// PodMetrics from metrics.k8s.io as the HPA's resource metrics client reads
// them (pkg/controller/podautoscaler/metrics): per pod the sum of its
// containers' usage of one resource, with the sample's timestamp and
// window; a pod with no containers, or a container without that resource,
// has no metric.

import { parseQuantity } from '../../api/quantity.ts';
import type { PodMetric } from './replicas.ts';

export interface PodMetricsObject {
  metadata: { name: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** cpu in millicores; memory (and others) in bytes/units. */
export function amount(resource: string, q: string | undefined): number {
  if (!q) return 0;
  const v = parseQuantity(q);
  return resource === 'cpu' ? v.milliValue() : v.value();
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go time.Duration string ("15s", "1m0.5s", "250ms") in ms; undefined when it is not one. */
export function parseGoDuration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  if (s === '0') return 0;
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end === 0 || end !== body.length) return undefined;
  return neg ? -total : total;
}

/** Per pod name, the metric of `resource`. */
export function podMetricsFor(items: PodMetricsObject[], resource: string): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  for (const m of items) {
    const cs = m.containers ?? [];
    if (cs.length === 0 || cs.some((c) => c.usage?.[resource] === undefined)) continue;
    const timestamp = m.timestamp ? Date.parse(m.timestamp) : NaN;
    out.set(m.metadata.name, {
      value: cs.reduce((sum, c) => sum + amount(resource, c.usage![resource]), 0),
      timestamp: Number.isNaN(timestamp) ? 0 : timestamp,
      windowMs: parseGoDuration(m.window) ?? 0,
    });
  }
  return out;
}
