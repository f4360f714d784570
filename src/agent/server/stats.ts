// GET /stats/summary: the kubelet's Summary API (stats/v1alpha1) that
// metrics.k8s.io and `kubectl top` are built on — the node's cpu and memory
// from /proc, each running pod's containers from the runtime. Rates
// (usageNanoCores) come from the previous sample of the same container.

import { readFile } from 'node:fs/promises';
import type { ContainerStats, Runtime } from '../../engine/runtime.ts';
import type { PodRef } from './types.ts';

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes?: number;
}

export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface PodSummary {
  podRef: PodRef;
  startTime: string;
  containers: ContainerSummary[];
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CPUStats; memory: MemoryStats };
  pods: PodSummary[];
}

const USER_HZ_NS = 10_000_000; // /proc/stat counts in 1/100 s

export class StatsProvider {
  private readonly last = new Map<string, { cpuNs: number; at: number }>();

  constructor(
    private readonly runtime: Runtime,
    private readonly nodeName: string,
  ) {}

  async summary(): Promise<Summary> {
    const now = Date.now();
    const time = new Date(now).toISOString();
    const [node, sandboxes, containers, stats] = await Promise.all([
      this.nodeStats(now, time),
      this.runtime.listPodSandboxes({ state: 'ready' }),
      this.runtime.listContainers({ state: 'running' }),
      this.runtime.listContainerStats({ state: 'running' }),
    ]);
    const byId = new Map<string, ContainerStats>(stats.map((s) => [s.id, s]));
    const seen = new Set<string>(['node']);
    const pods: PodSummary[] = [];
    for (const sb of sandboxes) {
      const cs: ContainerSummary[] = [];
      for (const c of containers.filter((c) => c.podSandboxId === sb.id)) {
        const s = byId.get(c.id);
        if (!s) continue;
        seen.add(c.id);
        const t = new Date(s.timestamp || now).toISOString();
        cs.push({
          name: c.metadata.name,
          startTime: new Date(c.startedAt || c.createdAt).toISOString(),
          cpu: { time: t, usageCoreNanoSeconds: s.cpuUsageCoreNanoSeconds, usageNanoCores: this.rate(c.id, s.cpuUsageCoreNanoSeconds, s.timestamp || now) },
          memory: { time: t, usageBytes: s.memoryUsageBytes, workingSetBytes: s.memoryWorkingSetBytes, rssBytes: s.memoryRssBytes },
        });
      }
      const sum = (f: (c: ContainerSummary) => number | undefined) => cs.reduce((a, c) => a + (f(c) ?? 0), 0);
      pods.push({
        podRef: { name: sb.metadata.name, namespace: sb.metadata.namespace, uid: sb.metadata.uid },
        startTime: new Date(sb.createdAt).toISOString(),
        containers: cs,
        cpu: { time, usageCoreNanoSeconds: sum((c) => c.cpu.usageCoreNanoSeconds), usageNanoCores: sum((c) => c.cpu.usageNanoCores) },
        memory: { time, usageBytes: sum((c) => c.memory.usageBytes), workingSetBytes: sum((c) => c.memory.workingSetBytes), rssBytes: sum((c) => c.memory.rssBytes) },
      });
    }
    for (const id of this.last.keys()) if (!seen.has(id)) this.last.delete(id);
    return { node: { nodeName: this.nodeName, ...node }, pods };
  }

  /** Nanocores since the previous sample of `id`; 0 on the first one. */
  private rate(id: string, cpuNs: number, at: number): number {
    const prev = this.last.get(id);
    this.last.set(id, { cpuNs, at });
    if (!prev || at <= prev.at || cpuNs < prev.cpuNs) return 0;
    return Math.round(((cpuNs - prev.cpuNs) / (at - prev.at)) * 1000);
  }

  private async nodeStats(now: number, time: string): Promise<{ startTime: string; cpu: CPUStats; memory: MemoryStats }> {
    const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
    const cpuLine = stat.split('\n').find((l) => l.startsWith('cpu '))!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpuLine;
    const cpuNs = (user + nice + system + irq + softirq + steal) * USER_HZ_NS;
    const btime = Number(/^btime (\d+)/m.exec(stat)?.[1] ?? 0);
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
    const total = kb('MemTotal');
    const available = kb('MemAvailable');
    return {
      startTime: new Date(btime * 1000).toISOString(),
      cpu: { time, usageCoreNanoSeconds: cpuNs, usageNanoCores: this.rate('node', cpuNs, now) },
      memory: { time, availableBytes: available, usageBytes: total - kb('MemFree'), workingSetBytes: total - available },
    };
  }
}
