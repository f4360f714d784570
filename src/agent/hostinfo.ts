// What the node is, read from the host: cpus (capped by a cgroup cpu quota),
// memory (capped by a cgroup memory limit), the data directory's filesystem,
// addresses, OS release, kernel, machine/system/boot ids. cgroup v1 and v2
// are both read (this machine is v1 hybrid; users run both).

import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release } from 'node:os';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** This process' cgroup path for a v1 controller, or the v2 path ('' key). */
function ownCgroup(controller: string): string | undefined {
  const text = read('/proc/self/cgroup');
  if (!text) return undefined;
  for (const line of text.split('\n')) {
    const [, ctrls, path] = line.split(':');
    if (ctrls === undefined || path === undefined) continue;
    if (controller === '' ? ctrls === '' : ctrls.split(',').includes(controller)) return path;
  }
  return undefined;
}

/** CPUs the node can use: the online count, capped by a CFS quota on our cgroup (v1 or v2). */
export function cpuCapacity(): number {
  let n = cpus().length || 1;
  const v1 = ownCgroup('cpu');
  const candidates: [string, string | undefined][] = [];
  if (v1 !== undefined) {
    for (const base of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
      const q = read(`${base}${v1}/cpu.cfs_quota_us`);
      const p = read(`${base}${v1}/cpu.cfs_period_us`);
      if (q && p) candidates.push([q, p]);
    }
  }
  const v2 = ownCgroup('');
  if (v2 !== undefined) {
    const max = read(`/sys/fs/cgroup${v2}/cpu.max`);
    if (max) candidates.push(max.split(/\s+/) as [string, string]);
  }
  for (const [q, p] of candidates) {
    const quota = Number(q);
    const period = Number(p);
    if (q !== 'max' && quota > 0 && period > 0) n = Math.min(n, Math.ceil(quota / period));
  }
  return n;
}

/** Memory bytes: MemTotal, capped by a memory limit on our cgroup (v1 or v2). */
export function memoryCapacity(): number {
  const mi = read('/proc/meminfo') ?? '';
  const m = /^MemTotal:\s+(\d+) kB/m.exec(mi);
  let total = m ? Number(m[1]) * 1024 : 0;
  const limits: (string | undefined)[] = [];
  const v1 = ownCgroup('memory');
  if (v1 !== undefined) limits.push(read(`/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes`));
  const v2 = ownCgroup('');
  if (v2 !== undefined) limits.push(read(`/sys/fs/cgroup${v2}/memory.max`));
  for (const l of limits) {
    const v = Number(l);
    if (l && l !== 'max' && Number.isFinite(v) && v > 0 && v < total) total = v;
  }
  return total;
}

/** MemAvailable in bytes (for MemoryPressure). */
export function memoryAvailable(): number {
  const mi = read('/proc/meminfo') ?? '';
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(mi);
  return m ? Number(m[1]) * 1024 : 0;
}

export function filesystem(path: string): { capacity: number; available: number } {
  try {
    const s = statfsSync(path);
    return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
  } catch {
    return { capacity: 0, available: 0 };
  }
}

/** The first non-internal IPv4 address, or loopback. */
export function internalIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function osImage(): string {
  const text = read('/etc/os-release') ?? '';
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? 'Linux';
}

export function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a === 'arm' ? 'arm' : a;
}

export interface HostIds {
  machineID: string;
  systemUUID: string;
  bootID: string;
}

export function hostIds(): HostIds {
  const machineID = read('/etc/machine-id') ?? read('/var/lib/dbus/machine-id') ?? '';
  const systemUUID = (read('/sys/class/dmi/id/product_uuid') ?? machineID).toLowerCase();
  const bootID = read('/proc/sys/kernel/random/boot_id') ?? '';
  return { machineID, systemUUID, bootID };
}

export { hostname, release as kernelVersion };
