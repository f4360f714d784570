// Requests and limits as the kernel sees them (the kubelet's cm and qos
// packages): QoS class, cgroup parent per class, cpu shares and CFS quota,
// memory limit and OOM score adjustment.

import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/quantity.ts';
import type { LinuxResources } from '../engine/runtime.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const MIN_SHARES = 2;
const SHARES_PER_CPU = 1024;
const QUOTA_PERIOD = 100_000;
const MIN_QUOTA_PERIOD = 1000;

function milli(v: string | number | undefined): number | undefined {
  return v === undefined ? undefined : parseQuantity(v).milliValue();
}

function bytes(v: string | number | undefined): number | undefined {
  return v === undefined ? undefined : parseQuantity(v).value();
}

function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** Kubernetes' GetPodQOS: only cpu and memory count. */
export function podQOS(pod: Pod): QOSClass {
  let anyRequestOrLimit = false;
  let guaranteed = true;
  for (const c of allContainers(pod)) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory'] as const) {
      const q = req[r] !== undefined ? parseQuantity(req[r]!) : undefined;
      const l = lim[r] !== undefined ? parseQuantity(lim[r]!) : undefined;
      if ((q && !q.isZero()) || (l && !l.isZero())) anyRequestOrLimit = true;
      if (!l || l.isZero()) guaranteed = false;
      else if (q && !q.equals(l)) guaranteed = false;
    }
  }
  if (!anyRequestOrLimit) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The pod's cgroup, relative to the controller roots (cgroupfs driver names). */
export function podCgroupParent(pod: Pod, qos: QOSClass = podQOS(pod)): string {
  const uid = pod.metadata!.uid!;
  if (qos === 'Guaranteed') return `kubepods/pod${uid}`;
  return `kubepods/${qos.toLowerCase()}/pod${uid}`;
}

/** The kubelet's GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, c: Container, memoryCapacityBytes: number): number {
  const qos = podQOS(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const req = bytes(c.resources?.requests?.memory) ?? 0;
  let adj = 1000 - Math.floor((1000 * req) / Math.max(1, memoryCapacityBytes));
  if (adj < 3) adj = 3;
  if (adj >= 1000) adj = 999;
  return adj;
}

export interface ResourceOptions {
  memoryCapacityBytes: number;
  pidsLimit?: number;
}

/** requests/limits → cgroup settings (kubelet's generateLinuxContainerResources). */
export function linuxResources(pod: Pod, c: Container, o: ResourceOptions): LinuxResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  // A limit without a request requests the limit (API defaulting does this too).
  const cpuReq = milli(req.cpu ?? lim.cpu);
  const r: LinuxResources = { cpuShares: Math.max(MIN_SHARES, Math.floor(((cpuReq ?? 0) * SHARES_PER_CPU) / 1000)), oomScoreAdj: oomScoreAdj(pod, c, o.memoryCapacityBytes) };
  const cpuLim = milli(lim.cpu);
  if (cpuLim !== undefined && cpuLim > 0) {
    r.cpuPeriod = QUOTA_PERIOD;
    r.cpuQuota = Math.max(MIN_QUOTA_PERIOD, Math.floor((cpuLim * QUOTA_PERIOD) / 1000));
  }
  const memLim = bytes(lim.memory);
  if (memLim !== undefined && memLim > 0) r.memoryLimitBytes = memLim;
  if (o.pidsLimit !== undefined && o.pidsLimit > 0) r.pidsLimit = o.pidsLimit;
  return r;
}
