// GET /stats/summary: the kubelet's Summary API (stats/v1alpha1) that
// metrics.k8s.io and `kubectl top` are built on — the node's cpu and memory
// from /proc, each running pod's containers from the runtime. Rates
// (usageNanoCores) come from the previous sample of the same container
// (stats-rate.ts); the first sample has none, and a pod has one only when
// every container has.

import { readFile } from 'node:fs/promises';
import type { ContainerStats, Runtime } from '../../engine/runtime.ts';
import { CPURates } from './stats-rate.ts';
import type { ContainerSummary, CPUStats, MemoryStats, PodSummary, Summary } from '../../metrics/summary.ts';

export type { ContainerSummary, CPUStats, MemoryStats, PodSummary, Summary } from '../../metrics/summary.ts';

const USER_HZ_NS = 10_000_000; // /proc/stat counts in 1/100 s

/** usageNanoCores is left out (not 0) when there is no rate yet, as the kubelet leaves it nil. */
const cpuStats = (time: string, usageCoreNanoSeconds: number, usageNanoCores: number | undefined): CPUStats =>
  usageNanoCores === undefined ? { time, usageCoreNanoSeconds } : { time, usageNanoCores, usageCoreNanoSeconds };

export class StatsProvider {
  private readonly rates = new CPURates();

  constructor(
    private readonly runtime: Runtime,
    private readonly nodeName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async summary(): Promise<Summary> {
    const now = this.clock();
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
          // As the kubelet's: the container's creation time.
          startTime: new Date(c.createdAt || c.startedAt).toISOString(),
          cpu: cpuStats(t, s.cpuUsageCoreNanoSeconds, this.rates.rate(c.id, s.cpuUsageCoreNanoSeconds, s.timestamp || now)),
          memory: { time: t, usageBytes: s.memoryUsageBytes, workingSetBytes: s.memoryWorkingSetBytes, rssBytes: s.memoryRssBytes },
        });
      }
      const sum = (f: (c: ContainerSummary) => number | undefined) => cs.reduce((a, c) => a + (f(c) ?? 0), 0);
      const rated = cs.length > 0 && cs.every((c) => c.cpu.usageNanoCores !== undefined);
      pods.push({
        podRef: { name: sb.metadata.name, namespace: sb.metadata.namespace, uid: sb.metadata.uid },
        startTime: new Date(sb.createdAt).toISOString(),
        containers: cs,
        cpu: cpuStats(time, sum((c) => c.cpu.usageCoreNanoSeconds), rated ? sum((c) => c.cpu.usageNanoCores) : undefined),
        memory: { time, usageBytes: sum((c) => c.memory.usageBytes), workingSetBytes: sum((c) => c.memory.workingSetBytes), rssBytes: sum((c) => c.memory.rssBytes) },
      });
    }
    this.rates.retain(seen);
    return { node: { nodeName: this.nodeName, ...node }, pods };
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
      cpu: cpuStats(time, cpuNs, this.rates.rate('node', cpuNs, now)),
      memory: { time, availableBytes: available, usageBytes: total - kb('MemFree'), workingSetBytes: total - available },
    };
  }
}
