// What metrics-server keeps between scrapes: per node and per container the
// last two cumulative CPU points and the newest working set. CPU usage is
// the rate between the two points, `timestamp` the newest point's time and
// `window` the time between them. A container (or node) seen for the first
// time takes its start time with zero CPU as the earlier point, so metrics
// exist after one scrape, as metrics-server does for fresh containers.

import type { Summary } from './scrape.ts';

interface Point {
  /** Sample time, ms since the epoch. */
  time: number;
  startTime: number;
  cpuNs: number;
  memoryBytes: number;
}

interface Series {
  prev: Point;
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

/** The next series: the old last point becomes prev when it is the same instance and earlier. */
function advance(old: Series | undefined, p: Point): Series | undefined {
  if (old && old.last.startTime === p.startTime && old.last.time < p.time && old.last.cpuNs <= p.cpuNs) return { prev: old.last, last: p };
  if (old && old.last.time === p.time && old.last.startTime === p.startTime) return old;
  if (p.startTime >= p.time) return undefined;
  return { prev: { time: p.startTime, startTime: p.startTime, cpuNs: 0, memoryBytes: 0 }, last: p };
}

function usage(s: Series): Usage & MetricsPoint {
  const windowMs = s.last.time - s.prev.time;
  return { cpu: Math.max(0, Math.round(((s.last.cpuNs - s.prev.cpuNs) / (windowMs * 1e6)) * 1e9)), memoryBytes: s.last.memoryBytes, timestamp: s.last.time, windowMs };
}

export class ResourceMetricsStore {
  private readonly nodes = new Map<string, Series>();
  /** namespace/name → node and containers by name. */
  private readonly pods = new Map<string, { node: string; containers: Map<string, Series> }>();

  /** Takes one node's summary; pods of that node absent from it are dropped. */
  add(nodeName: string, s: Summary, now = Date.now()): void {
    const n = s.node;
    const node = advance(this.nodes.get(nodeName), { time: ms(n.cpu?.time, now), startTime: ms(n.startTime, 0), cpuNs: n.cpu?.usageCoreNanoSeconds ?? 0, memoryBytes: n.memory?.workingSetBytes ?? 0 });
    if (node) this.nodes.set(nodeName, node);
    else this.nodes.delete(nodeName);
    const seen = new Set<string>();
    for (const p of s.pods ?? []) {
      const key = `${p.podRef.namespace}/${p.podRef.name}`;
      seen.add(key);
      const old = this.pods.get(key);
      const containers = new Map<string, Series>();
      for (const c of p.containers ?? []) {
        if (!c.cpu || !c.memory) continue;
        const series = advance(old?.containers.get(c.name), { time: ms(c.cpu.time, now), startTime: ms(c.startTime, 0), cpuNs: c.cpu.usageCoreNanoSeconds ?? 0, memoryBytes: c.memory.workingSetBytes ?? 0 });
        if (series) containers.set(c.name, series);
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
    this.retain(new Set([...this.nodes.keys(), ...[...this.pods.values()].map((p) => p.node)].filter((n) => n !== nodeName)));
  }

  node(name: string): NodeUsage | undefined {
    const s = this.nodes.get(name);
    return s && usage(s);
  }

  /** A pod's containers; undefined when it has none with metrics (metrics-server leaves such pods out). */
  pod(namespace: string, name: string): PodUsage | undefined {
    const p = this.pods.get(`${namespace}/${name}`);
    if (!p || p.containers.size === 0) return undefined;
    const containers = [...p.containers].map(([cname, s]) => ({ name: cname, ...usage(s) }));
    return {
      timestamp: Math.max(...containers.map((c) => c.timestamp)),
      windowMs: Math.min(...containers.map((c) => c.windowMs)),
      containers: containers.map(({ name: n, cpu, memoryBytes }) => ({ name: n, cpu, memoryBytes })),
    };
  }

  podKeys(): string[] {
    return [...this.pods.keys()];
  }
}
