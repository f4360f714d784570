// The defaults a container gets unless its security context says otherwise:
// the capability set Docker and containerd grant, minus CAP_NET_RAW (as
// containerd's CRI does since 1.7 and Kubernetes recommends), and the /proc
// and /sys paths they mask or make read-only.

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux 5.x/6.x knows, for privileged containers and `add: [ALL]`. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** RLIMIT_NOFILE a container gets (containerd and Docker: 1048576), capped by what the host allows. */
export const DEFAULT_NOFILE = 1048576;

/** Kubernetes' name (`NET_ADMIN`) or the kernel's (`CAP_NET_ADMIN`) to the kernel's. */
export function capName(c: string): string {
  const up = c.toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** The capabilities set in a /proc/<pid>/status mask (CapBnd...): ALL_CAPABILITIES is in bit order. */
export function capabilitiesFromMask(mask: bigint): string[] {
  return ALL_CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

/**
 * The default set with securityContext.capabilities applied: drop first (ALL
 * drops everything), then add (ALL adds everything). "Everything", and what a
 * privileged container gets, is what the engine itself holds (`available`,
 * its bounding set, as containerd grants): runc cannot give more.
 */
export function capabilities(caps: { add?: string[]; drop?: string[] } | undefined, privileged: boolean, available: string[] = ALL_CAPABILITIES): string[] {
  if (privileged) return [...available];
  let set = new Set(DEFAULT_CAPABILITIES);
  const drop = (caps?.drop ?? []).map(capName);
  const add = (caps?.add ?? []).map(capName);
  if (drop.includes('CAP_ALL')) set = new Set();
  for (const d of drop) set.delete(d);
  if (add.includes('CAP_ALL')) return [...available];
  for (const a of add) set.add(a);
  return [...set];
}
