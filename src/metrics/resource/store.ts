// What metrics-server keeps between scrapes: per node and per container the
// last cumulative CPU point and the one before it (same instance, earlier),
// and the newest working set. CPU usage is the rate between the two points,
// `timestamp` the newer point's time and `window` the time between them.
// A series seen once has no usage: the cumulative CPU since a container
// started carries its start-up work, which an idle container must not
// report. The one exception is metrics-server's for fresh containers: one
// that started at least 10 s and less than one resolution before its point
// is measured from its start (a window of 10 s or more), so a new pod has
// metrics after one scrape. A pod is reported only when every container
// has usage.

import type { Summary } from './scrape.ts';

/** metrics-server's freshContainerMinMetricsResolution: a shorter life gives inaccurate rates. */
export const FRESH_CONTAINER_MIN_WINDOW_MS = 10_000;

interface Point {
  /** Sample time, ms since the epoch. */
  time: number;
  startTime: number;
  cpuNs: number;
  memoryBytes: number;
}

interface Series {
  prev?: Point;
  last: Point;
}

export interface Usage {
  /** Nanocores. */
  cpu: number;
  memoryBytes: number;
}

export interface MetricsPoint {
  timestamp: number;
  windowMs: number;
}

export interface NodeUsage extends MetricsPoint, Usage {}

export interface PodUsage extends MetricsPoint {
  containers: ({ name: string } & Usage)[];
}

const ms = (t: string | undefined, fallback: number) => {
  const v = t ? Date.parse(t) : NaN;
  return Number.isNaN(v) ? fallback : v;
};

/** A node's next series: the stored last point becomes prev when the new one is later. */
function advanceNode(old: Series | undefined, p: Point): Series {
  if (old && p.time > old.last.time) return { prev: old.last, last: p };
  if (old?.prev && old.prev.time < p.time) return { prev: old.prev, last: p };
  return { last: p };
}

/** A container's next series, as metrics-server's pod storage advances it. */
function advanceContainer(old: Series | undefined, p: Point, resolutionMs: number): Series {
  const age = p.time - p.startTime;
  if (p.startTime < p.time && age < resolutionMs && age >= FRESH_CONTAINER_MIN_WINDOW_MS) {
    return { prev: { time: p.startTime, startTime: p.startTime, cpuNs: 0, memoryBytes: 0 }, last: p };
  }
  // The same instance (it started before the stored point was taken).
  if (old && p.startTime < old.last.time) {
    if (p.time > old.last.time) return { prev: old.last, last: p };
    if (old.prev && old.prev.time < p.time) return { prev: old.prev, last: p };
  }
  return { last: p };
}

/** The rate between the two points; undefined without two, or when the counter went back. */
function usage(s: Series): (Usage & MetricsPoint) | undefined {
  if (!s.prev || s.last.cpuNs < s.prev.cpuNs) return undefined;
  const windowMs = s.last.time - s.prev.time;
  if (windowMs <= 0) return undefined;
  return { cpu: Math.round(((s.last.cpuNs - s.prev.cpuNs) / (windowMs * 1e6)) * 1e9), memoryBytes: s.last.memoryBytes, timestamp: s.last.time, windowMs };
}

export class ResourceMetricsStore {
  private readonly nodes = new Map<string, Series>();
  /** namespace/name → node and containers by name. */
  private readonly pods = new Map<string, { node: string; containers: Map<string, Series> }>();

  /** `resolutionMs`: the scrape period, the bound of the fresh-container exception (metrics-server's --metric-resolution). */
  constructor(private readonly resolutionMs = 15_000) {}

  /** Takes one node's summary; pods of that node absent from it are dropped. */
  add(nodeName: string, s: Summary, now = Date.now()): void {
    const n = s.node;
    this.nodes.set(nodeName, advanceNode(this.nodes.get(nodeName), { time: ms(n.cpu?.time, now), startTime: ms(n.startTime, 0), cpuNs: n.cpu?.usageCoreNanoSeconds ?? 0, memoryBytes: n.memory?.workingSetBytes ?? 0 }));
    const seen = new Set<string>();
    for (const p of s.pods ?? []) {
      const key = `${p.podRef.namespace}/${p.podRef.name}`;
      seen.add(key);
      const old = this.pods.get(key);
      const containers = new Map<string, Series>();
      for (const c of p.containers ?? []) {
        if (!c.cpu || !c.memory || containers.has(c.name)) continue;
        const point = { time: ms(c.cpu.time, now), startTime: ms(c.startTime, 0), cpuNs: c.cpu.usageCoreNanoSeconds ?? 0, memoryBytes: c.memory.workingSetBytes ?? 0 };
        containers.set(c.name, advanceContainer(old?.containers.get(c.name), point, this.resolutionMs));
      }
      this.pods.set(key, { node: nodeName, containers });
    }
    for (const [key, p] of this.pods) if (p.node === nodeName && !seen.has(key)) this.pods.delete(key);
  }

  /** Forgets every node not in `keep` (gone, or no longer Ready) and its pods. */
  retain(keep: Set<string>): void {
    for (const name of this.nodes.keys()) if (!keep.has(name)) this.nodes.delete(name);
    for (const [key, p] of this.pods) if (!keep.has(p.node)) this.pods.delete(key);
  }

  /** Forgets one node's samples (its scrape failed: stale numbers would mislead). */
  dropNode(nodeName: string): void {
    this.nodes.delete(nodeName);
    for (const [key, p] of this.pods) if (p.node === nodeName) this.pods.delete(key);
  }

  node(name: string): NodeUsage | undefined {
    const s = this.nodes.get(name);
    return s && usage(s);
  }

  /**
   * A pod's containers; undefined until every container has two points (or
   * none has any), as metrics-server leaves such pods out. The pod's
   * timestamp and window are those of its earliest container point.
   */
  pod(namespace: string, name: string): PodUsage | undefined {
    const p = this.pods.get(`${namespace}/${name}`);
    if (!p || p.containers.size === 0) return undefined;
    if ([...p.containers.values()].some((s) => !s.prev)) return undefined;
    let earliest: MetricsPoint | undefined;
    const containers: PodUsage['containers'] = [];
    for (const [cname, s] of p.containers) {
      const u = usage(s);
      // A counter that went back: that container is skipped, as metrics-server does.
      if (!u) continue;
      containers.push({ name: cname, cpu: u.cpu, memoryBytes: u.memoryBytes });
      if (!earliest || u.timestamp < earliest.timestamp) earliest = { timestamp: u.timestamp, windowMs: u.windowMs };
    }
    if (!earliest) return undefined;
    return { ...earliest, containers };
  }

  podKeys(): string[] {
    return [...this.pods.keys()];
  }
}
