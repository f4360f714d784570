// Preflight checks of a host before it runs a node: kernel features,
// cgroups, the binaries Skiff drives, a free API port, IP forwarding. Each
// check reads the host through `HostView`, so its logic is tested against
// made-up hosts as well as this one; `skiff doctor` prints them and `skiff up`
// refuses to start on a failed one.

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { release } from 'node:os';

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  level: CheckLevel;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

/** How checks see the host. */
export interface HostView {
  read(path: string): string | undefined;
  executable(path: string): boolean;
  isRoot: boolean;
  kernelRelease: string;
  portFree(port: number, host: string): Promise<boolean>;
}

export const realHost: HostView = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  executable(path) {
    try {
      accessSync(path, constants.X_OK);
      return existsSync(path);
    } catch {
      return false;
    }
  },
  isRoot: process.getuid?.() === 0,
  kernelRelease: release(),
  portFree: (port, host) =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    }),
};

/** The binaries a node drives, where Debian puts them, and the package that has them. */
export const NODE_BINARIES: { name: string; paths: string[]; pkg: string; why: string }[] = [
  { name: 'runc', paths: ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc'], pkg: 'runc', why: 'runs containers' },
  { name: 'conmon', paths: ['/usr/bin/conmon', '/usr/local/bin/conmon', '/usr/libexec/podman/conmon'], pkg: 'conmon', why: 'monitors each container, keeps its logs and exit code' },
  { name: 'CNI bridge plugin', paths: ['/usr/lib/cni/bridge', '/opt/cni/bin/bridge'], pkg: 'containernetworking-plugins', why: 'gives pods their network' },
  { name: 'nft', paths: ['/usr/sbin/nft', '/sbin/nft'], pkg: 'nftables', why: 'routes Service traffic' },
  { name: 'ip', paths: ['/usr/sbin/ip', '/sbin/ip', '/bin/ip'], pkg: 'iproute2', why: 'sets up network namespaces and routes' },
];

export type CgroupMode = 'v1' | 'hybrid' | 'v2' | 'none';

/** Reads the cgroup layout from a mountinfo text: v2 alone, v1 (with or without an empty v2 beside it), or none. */
export function cgroupLayout(mountinfo: string): { mode: CgroupMode; v1Controllers: string[]; v2Controllers?: string } {
  const v1: string[] = [];
  let v2Root: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4]!;
    const [fstype, , superOpts = ''] = post.split(' ');
    if (fstype === 'cgroup2') v2Root ??= mountPoint;
    else if (fstype === 'cgroup') v1.push(...superOpts.split(',').filter((o) => ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'hugetlb'].includes(o)));
  }
  if (v1.length > 0) return { mode: v2Root ? 'hybrid' : 'v1', v1Controllers: [...new Set(v1)].sort() };
  if (v2Root) return { mode: 'v2', v1Controllers: [], v2Controllers: v2Root };
  return { mode: 'none', v1Controllers: [] };
}

export async function runChecks(host: HostView, opts: { port?: number; host?: string } = {}): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  out.push(
    host.isRoot
      ? { name: 'root', level: 'ok', detail: 'running as root' }
      : { name: 'root', level: 'fail', detail: 'not running as root: a node needs root to create namespaces, cgroups and mounts', fix: 'run as root (sudo ./skiff up)' },
  );

  const [major = 0, minor = 0] = host.kernelRelease.split('.').map((n) => parseInt(n, 10));
  const kernelOk = major > 4 || (major === 4 && minor >= 18);
  out.push({ name: 'kernel', level: kernelOk ? 'ok' : 'fail', detail: `Linux ${host.kernelRelease}`, fix: kernelOk ? undefined : 'Skiff needs Linux 4.18 or newer (overlayfs, cgroup and namespace features)' });

  const filesystems = host.read('/proc/filesystems') ?? '';
  const overlay = /\soverlay$/m.test(filesystems);
  out.push({ name: 'overlayfs', level: overlay ? 'ok' : 'fail', detail: overlay ? 'overlay filesystem available' : 'overlay filesystem not available', fix: overlay ? undefined : 'load it: modprobe overlay' });

  const layout = cgroupLayout(host.read('/proc/self/mountinfo') ?? '');
  if (layout.mode === 'none') {
    out.push({ name: 'cgroups', level: 'fail', detail: 'no cgroup filesystem mounted', fix: 'mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)' });
  } else if (layout.mode === 'v2') {
    const root = layout.v2Controllers!;
    const ctrls = (host.read(`${root}/cgroup.controllers`) ?? '').trim().split(/\s+/);
    const missing = ['cpu', 'memory', 'pids'].filter((c) => !ctrls.includes(c));
    out.push(
      missing.length === 0
        ? { name: 'cgroups', level: 'ok', detail: `cgroup v2 with ${ctrls.join(' ')}` }
        : { name: 'cgroups', level: 'fail', detail: `cgroup v2 lacks the ${missing.join(', ')} controller(s)`, fix: 'enable them in the kernel command line or the parent cgroup (cgroup.subtree_control)' },
    );
  } else {
    const missing = ['cpu', 'cpuacct', 'memory', 'pids'].filter((c) => !layout.v1Controllers.includes(c));
    out.push(
      missing.length === 0
        ? { name: 'cgroups', level: 'ok', detail: `cgroup ${layout.mode === 'hybrid' ? 'v1 (hybrid)' : 'v1'} with ${layout.v1Controllers.join(' ')}` }
        : { name: 'cgroups', level: 'fail', detail: `cgroup v1 lacks the ${missing.join(', ')} controller(s)`, fix: 'mount them under /sys/fs/cgroup' },
    );
  }

  for (const b of NODE_BINARIES) {
    const found = b.paths.find((p) => host.executable(p));
    out.push(found ? { name: b.name, level: 'ok', detail: found } : { name: b.name, level: 'fail', detail: `${b.name} not found (${b.why})`, fix: `apt-get install ${b.pkg}` });
  }

  const forward = host.read('/proc/sys/net/ipv4/ip_forward')?.trim();
  out.push(
    forward === '1'
      ? { name: 'ip forwarding', level: 'ok', detail: 'net.ipv4.ip_forward = 1' }
      : { name: 'ip forwarding', level: 'warn', detail: 'net.ipv4.ip_forward = 0: pods cannot reach beyond this node', fix: 'skiff up turns it on as root; or: sysctl -w net.ipv4.ip_forward=1' },
  );

  if (opts.port !== undefined && opts.port !== 0) {
    const free = await host.portFree(opts.port, opts.host ?? '127.0.0.1');
    out.push(free ? { name: 'API port', level: 'ok', detail: `port ${opts.port} is free` } : { name: 'API port', level: 'fail', detail: `port ${opts.port} is in use`, fix: 'stop what holds it, or choose another with --port' });
  }
  return out;
}

export function formatChecks(results: CheckResult[]): string {
  const mark: Record<CheckLevel, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${mark[r.level]}  ${r.name.padEnd(width)}  ${r.detail}${r.fix ? `\n      ${''.padEnd(width)}  fix: ${r.fix}` : ''}`).join('\n');
}
