// The agent's /metrics: the kubelet's own series and cAdvisor's container
// series, read from the Runtime at scrape time (one listPodSandboxes, one
// listContainers, one listContainerStats per scrape).
//
// - kubelet_running_pods, kubelet_running_containers{container_state}
// - kubelet_pod_start_duration_seconds: from the sandbox's creation to the
//   last of its containers starting, observed once per sandbox when first
//   seen fully started (or reported by the agent through observePodStart)
// - container_cpu_usage_seconds_total, container_memory_working_set_bytes
//   {namespace, pod, container}
// - container_network_receive_bytes_total / _transmit_bytes_total
//   {namespace, pod, container="POD"}: the pod's network namespace, read from
//   /proc/<pid>/net/dev of a running container (all interfaces but lo). A
//   runtime that reports no container pid (the fake one) gives 0.
// The kubelet_* series live in the prom-client registry; the per-container
// cAdvisor series are rendered as text by containerSeriesText().

import { readFile } from 'node:fs/promises';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { ContainerStatus, PodSandboxStatus, Runtime } from '../engine/runtime.ts';

/** The client certificate common name Prometheus scrapes agents with (issued by src/metrics/certs.ts). */
export const METRICS_CLIENT_CN = 'skiff-metrics';

/** kubelet_pod_start_duration_seconds buckets (Kubernetes 1.27+). */
export const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
const CONTAINER_STATES = ['created', 'running', 'exited', 'unknown'] as const;
const CONTAINER_LABELS = ['namespace', 'pod', 'container'] as const;

interface Snapshot {
  sandboxes: PodSandboxStatus[];
  containers: ContainerStatus[];
  stats: Map<string, { cpuNs: number; workingSet: number }>;
  network: Map<string, { rx: number; tx: number }>;
}

export class KubeletMetrics {
  readonly podStartDuration: Histogram;
  private readonly observedStarts = new Set<string>();
  /** One runtime read shared by every series of one scrape. */
  private snapshot?: { at: number; value: Promise<Snapshot> };

  constructor(
    registry: Registry,
    private readonly runtime: Runtime,
  ) {
    const self = this;
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers: [registry],
      async collect() {
        this.set((await self.read()).sandboxes.filter((s) => s.state === 'ready').length);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers: [registry],
      async collect() {
        const { containers } = await self.read();
        for (const state of CONTAINER_STATES) this.set({ container_state: state }, containers.filter((c) => c.state === state).length);
      },
    });
    this.podStartDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: POD_START_BUCKETS,
      registers: [registry],
      async collect() {
        self.observeStarted(await self.read());
      },
    });
  }

  /** For an agent that knows better than the runtime when it first saw the pod. */
  observePodStart(sandboxId: string, seconds: number): void {
    if (this.observedStarts.has(sandboxId)) return;
    this.observedStarts.add(sandboxId);
    this.podStartDuration.observe(seconds);
  }

  private observeStarted(snap: Snapshot): void {
    const live = new Set<string>();
    for (const sb of snap.sandboxes) {
      live.add(sb.id);
      if (sb.state !== 'ready' || this.observedStarts.has(sb.id)) continue;
      const cs = snap.containers.filter((c) => c.podSandboxId === sb.id);
      if (cs.length === 0 || !cs.every((c) => c.state === 'running' && c.startedAt > 0)) continue;
      this.observePodStart(sb.id, Math.max(0, Math.max(...cs.map((c) => c.startedAt)) - sb.createdAt) / 1000);
    }
    for (const id of this.observedStarts) if (!live.has(id)) this.observedStarts.delete(id);
  }

  /**
   * cAdvisor's container series in the text format, rendered here rather
   * than through prom-client's label sets: a scrape of a busy node writes
   * several series per container, and this keeps it to a string join.
   */
  async containerSeriesText(): Promise<string> {
    const snap = await this.read();
    const cpu: string[] = [];
    const mem: string[] = [];
    for (const [l, s] of this.perContainer(snap)) {
      const labels = `{container="${esc(l.container)}",namespace="${esc(l.namespace)}",pod="${esc(l.pod)}"}`;
      cpu.push(`container_cpu_usage_seconds_total${labels} ${s.cpuNs / 1e9}`);
      mem.push(`container_memory_working_set_bytes${labels} ${s.workingSet}`);
    }
    const rx: string[] = [];
    const tx: string[] = [];
    for (const sb of snap.sandboxes) {
      if (sb.state !== 'ready') continue;
      const labels = `{container="POD",namespace="${esc(sb.metadata.namespace)}",pod="${esc(sb.metadata.name)}"}`;
      const n = snap.network.get(sb.id);
      rx.push(`container_network_receive_bytes_total${labels} ${n?.rx ?? 0}`);
      tx.push(`container_network_transmit_bytes_total${labels} ${n?.tx ?? 0}`);
    }
    const family = (name: string, type: string, help: string, lines: string[]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines.map((l) => l + '\n').join('')}`;
    return (
      family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', cpu) +
      family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', mem) +
      family('container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received', rx) +
      family('container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted', tx)
    );
  }

  private *perContainer(snap: Snapshot): Generator<[Record<(typeof CONTAINER_LABELS)[number], string>, { cpuNs: number; workingSet: number }]> {
    const byId = new Map(snap.sandboxes.map((s) => [s.id, s]));
    for (const c of snap.containers) {
      const s = snap.stats.get(c.id);
      const sb = byId.get(c.podSandboxId);
      if (!s || !sb) continue;
      yield [{ namespace: sb.metadata.namespace, pod: sb.metadata.name, container: c.metadata.name }, s];
    }
  }

  /** The runtime's state, read once per scrape (series collected within 1 s share it). */
  private read(): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < 1_000) return this.snapshot.value;
    const value = (async (): Promise<Snapshot> => {
      const [sandboxes, containers, stats] = await Promise.all([this.runtime.listPodSandboxes(), this.runtime.listContainers(), this.runtime.listContainerStats({ state: 'running' })]);
      const network = new Map<string, { rx: number; tx: number }>();
      await Promise.all(
        sandboxes.map(async (sb) => {
          const pid = containers.find((c) => c.podSandboxId === sb.id && c.state === 'running' && c.pid)?.pid;
          const n = pid ? await netDev(pid) : undefined;
          if (n) network.set(sb.id, n);
        }),
      );
      return { sandboxes, containers, stats: new Map(stats.map((s) => [s.id, { cpuNs: s.cpuUsageCoreNanoSeconds, workingSet: s.memoryWorkingSetBytes }])), network };
    })();
    this.snapshot = { at: Date.now(), value };
    value.catch(() => (this.snapshot = undefined));
    return value;
  }
}

/** A label value in the text format: backslash, double quote and newline escaped. */
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Bytes received and sent on every interface but lo, in the network namespace of `pid`. */
export async function netDev(pid: number): Promise<{ rx: number; tx: number } | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return undefined;
  }
  return parseNetDev(text);
}

export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1]!.trim() === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}
