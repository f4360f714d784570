// Reads a container's cgroup: which hierarchy this host has (v1 controllers
// under /sys/fs/cgroup/<controller>, or the v2 unified tree), its CPU and
// memory use, and whether the kernel OOM-killed something in it. runc made the
// cgroup from the spec's cgroupsPath; this only reads.

import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP2_SUPER_MAGIC = 0x63677270;

export type CgroupVersion = 1 | 2;

let detected: Promise<CgroupVersion> | undefined;

/** v2 when /sys/fs/cgroup itself is cgroup2 (unified); v1 otherwise (legacy or hybrid, like this host). */
export function cgroupVersion(mountpoint = '/sys/fs/cgroup'): Promise<CgroupVersion> {
  if (mountpoint !== '/sys/fs/cgroup') return statfs(mountpoint).then((s) => (Number(s.type) === CGROUP2_SUPER_MAGIC ? 2 : 1));
  detected ??= statfs(mountpoint).then((s) => (Number(s.type) === CGROUP2_SUPER_MAGIC ? 2 : 1));
  return detected;
}

export interface CgroupStats {
  cpuUsageNanoSeconds: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
  memoryRssBytes: number;
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control) to numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) m.set(k, Number(v));
  }
  return m;
}

/** The files of cgroup `path` (runc's cgroupsPath, e.g. `/skiff/<id>`) for one controller. */
export function controllerDir(version: CgroupVersion, controller: string, path: string, root = '/sys/fs/cgroup'): string {
  return version === 2 ? join(root, path) : join(root, controller, path);
}

/** Usage of cgroup `path`; undefined when the cgroup is gone. Working set = usage - inactive_file, as the kubelet computes it. */
export async function readStats(path: string, version?: CgroupVersion, root = '/sys/fs/cgroup'): Promise<CgroupStats | undefined> {
  const v = version ?? (await cgroupVersion(root));
  if (v === 1) {
    const [cpu, usage, stat] = await Promise.all([
      read(join(controllerDir(1, 'cpuacct', path, root), 'cpuacct.usage')),
      read(join(controllerDir(1, 'memory', path, root), 'memory.usage_in_bytes')),
      read(join(controllerDir(1, 'memory', path, root), 'memory.stat')),
    ]);
    if (usage === undefined && cpu === undefined) return undefined;
    const s = parseFlatKeyed(stat ?? '');
    const used = Number(usage ?? 0);
    const inactive = s.get('total_inactive_file') ?? s.get('inactive_file') ?? 0;
    return { cpuUsageNanoSeconds: Number(cpu ?? 0), memoryUsageBytes: used, memoryWorkingSetBytes: Math.max(0, used - inactive), memoryRssBytes: s.get('total_rss') ?? s.get('rss') ?? 0 };
  }
  const dir = controllerDir(2, '', path, root);
  const [cpu, current, stat] = await Promise.all([read(join(dir, 'cpu.stat')), read(join(dir, 'memory.current')), read(join(dir, 'memory.stat'))]);
  if (cpu === undefined && current === undefined) return undefined;
  const c = parseFlatKeyed(cpu ?? '');
  const s = parseFlatKeyed(stat ?? '');
  const used = Number(current ?? 0);
  return { cpuUsageNanoSeconds: (c.get('usage_usec') ?? 0) * 1000, memoryUsageBytes: used, memoryWorkingSetBytes: Math.max(0, used - (s.get('inactive_file') ?? 0)), memoryRssBytes: s.get('anon') ?? 0 };
}

/** How many times the kernel's OOM killer fired in cgroup `path` (0 when the cgroup is gone or the kernel does not say). */
export async function oomKills(path: string, version?: CgroupVersion, root = '/sys/fs/cgroup'): Promise<number> {
  const v = version ?? (await cgroupVersion(root));
  const file = v === 1 ? join(controllerDir(1, 'memory', path, root), 'memory.oom_control') : join(controllerDir(2, '', path, root), 'memory.events');
  return parseFlatKeyed((await read(file)) ?? '').get('oom_kill') ?? 0;
}
