// A pod sandbox without a process: its network, IPC and UTS namespaces are
// created by unshare(1) and kept alive by bind mounts on files in the
// sandbox's directory (as `ip netns add` does), and containers join them by
// path.
//
// Why not a pause container: it needs an image (or a rootfs to fake one), a
// process to monitor and to recover after an engine restart, and ~60 ms of
// runc+conmon per pod. Bind-mounted namespaces need none of that, survive the
// engine's restarts by themselves, and their paths are what CNI plugins take.
// The cost: no process owns a PID namespace, so a pod cannot share one
// (shareProcessNamespace) - the Runtime interface does not ask for it yet.

import { existsSync } from 'node:fs';
import { mkdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodSandboxConfig } from '../runtime.ts';
import { run } from './proc.ts';

const NSFS_MAGIC = 0x6e736673;

export type SandboxNamespace = 'net' | 'ipc' | 'uts';

export function nsPath(dir: string, ns: SandboxNamespace): string {
  return join(dir, 'ns', ns);
}

/** Which namespaces a sandbox owns: hostNetwork pods use the host's network and UTS, hostIPC ones its IPC. */
export function ownNamespaces(config: PodSandboxConfig): SandboxNamespace[] {
  const own: SandboxNamespace[] = config.hostNetwork ? [] : ['net', 'uts'];
  return config.hostIPC ? own : [...own, 'ipc'];
}

/**
 * The shell that sets the hostname and brings loopback up inside new
 * namespaces: a static busybox runs `hostname` and `ip` as applets in its own
 * process (one exec in all, ~2-3 ms less per sandbox than /bin/sh running two
 * more programs); /bin/sh where busybox is not installed.
 */
const SHELL = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
const shellArgv = (script: string) => (SHELL ? [SHELL, 'sh', '-c', script] : ['/bin/sh', '-c', script]);

/** Creates the namespaces, sets the hostname and brings loopback up inside. */
export async function createNamespaces(dir: string, config: PodSandboxConfig): Promise<void> {
  const owned = ownNamespaces(config);
  await mkdir(join(dir, 'ns'), { recursive: true });
  for (const ns of owned) await writeFile(nsPath(dir, ns), '');
  const flag = { net: '--net', ipc: '--ipc', uts: '--uts' } as const;
  const script = [owned.includes('uts') ? 'hostname "$1"' : '', owned.includes('net') ? 'ip link set lo up' : '', 'true'].filter(Boolean).join(' && ');
  const r = await run('unshare', [...owned.map((ns) => `${flag[ns]}=${nsPath(dir, ns)}`), ...shellArgv(script), 'sh', config.hostname]);
  if (r.code !== 0) {
    await releaseNamespaces(dir);
    throw new Error(`creating the namespaces of sandbox ${config.metadata.namespace}/${config.metadata.name}: ${r.stderr.trim()}`);
  }
}

/** True while the namespace file is a live nsfs bind mount. */
export async function namespaceAlive(dir: string, ns: SandboxNamespace): Promise<boolean> {
  try {
    return Number((await statfs(nsPath(dir, ns))).type) === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/** Unmounts the namespace files (the kernel frees a namespace when its last user goes), all at once; idempotent. */
export async function releaseNamespaces(dir: string): Promise<void> {
  const release = async (ns: SandboxNamespace) => {
    const p = nsPath(dir, ns);
    try {
      await stat(p);
    } catch {
      return;
    }
    if (await namespaceAlive(dir, ns)) {
      const r = await run('umount', [p]);
      if (r.code !== 0 && (await namespaceAlive(dir, ns))) throw new Error(`releasing namespace ${p}: ${r.stderr.trim()}`);
    }
    await rm(p, { force: true });
  };
  const results = await Promise.allSettled((['net', 'ipc', 'uts'] as const).map(release));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** /etc/hosts as the kubelet writes it for a pod. */
export function hostsFile(config: PodSandboxConfig, ip?: string): string {
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters'];
  if (ip) lines.push(`${ip}\t${config.hostname}`);
  return `${lines.join('\n')}\n`;
}

/** resolv.conf from the sandbox's DNS config; the host's when it has none. */
export function resolvConf(config: PodSandboxConfig, hostResolv: string): string {
  const dns = config.dns;
  if (!dns || (!dns.servers.length && !dns.searches.length && !dns.options.length)) return hostResolv;
  const lines: string[] = [];
  if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
