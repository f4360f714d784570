// Builds a container's OCI runtime spec from its image config, its
// ContainerConfig and its sandbox. Pure: everything read from disk (passwd,
// group, host limits, namespace paths, /etc files) comes in as input, so the
// rules are table-tested without a container.

import type { OciImageConfig } from '../images.ts';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.ts';
import { containerArgs, mergeEnv } from './args.ts';
import { ALL_CAPABILITIES, DEFAULT_NOFILE, MASKED_PATHS, READONLY_PATHS, capabilities } from './defaults.ts';
import type { LocalhostProfile } from './localhost.ts';
import type { OciDevice, OciMount, OciNamespace, OciResources, OciSeccomp, OciSpec } from './oci.ts';
import { LOCALHOST_PREFIX, runtimeDefaultProfile } from './seccomp.ts';
import { SeccompProfileError, parseSeccompProfile } from './seccompjson.ts';
import { UserError, checkRunAsNonRoot, resolveUser } from './user.ts';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SpecInput {
  image: OciImageConfig;
  container: ContainerConfig;
  sandbox: PodSandboxConfig;
  /** The container's id (names its cgroup). */
  id: string;
  /** rootfs path as runc sees it (relative to the bundle, or absolute). */
  rootfs: string;
  /** Namespace paths of the sandbox; absent = the host's (hostNetwork) for net/uts, none for ipc. */
  namespaces: { network?: string; ipc?: string; uts?: string };
  /** Host paths of the files bind-mounted over the image's /etc/hosts, /etc/resolv.conf, /etc/hostname. */
  etc?: { hosts?: string; resolvConf?: string; hostname?: string };
  /** The rootfs' /etc/passwd and /etc/group, for user names. */
  passwd?: string;
  group?: string;
  cgroupVersion: 1 | 2;
  /** The host's hard RLIMIT_NOFILE (a container cannot get more). */
  hostNofileHard?: number;
  /** The engine's own bounding capabilities (host.ts): all a privileged container can get; default every capability. */
  hostCapabilities?: string[];
  /** The host's device nodes (host.ts), which a privileged container gets. */
  hostDevices?: OciDevice[];
  /** The Localhost seccomp profile the container names, read by the caller (localhost.ts). */
  localhostProfile?: LocalhostProfile;
  /** Node architecture (process.arch) and kernel release, for seccomp; default: this process'. */
  arch?: string;
  kernel?: string;
}

/** A spec that cannot be built: the container's configuration is wrong (CreateContainerConfigError). */
export class SpecError extends Error {
  override name = 'SpecError';
}

function namespaces(input: SpecInput): OciNamespace[] {
  const ns: OciNamespace[] = [{ type: 'mount' }];
  if (!input.sandbox.hostPID) ns.push({ type: 'pid' });
  const { network, ipc, uts } = input.namespaces;
  if (!input.sandbox.hostNetwork) {
    ns.push(network ? { type: 'network', path: network } : { type: 'network' });
    ns.push(uts ? { type: 'uts', path: uts } : { type: 'uts' });
  }
  if (!input.sandbox.hostIPC) ns.push(ipc ? { type: 'ipc', path: ipc } : { type: 'ipc' });
  if (input.cgroupVersion === 2) ns.push({ type: 'cgroup' });
  return ns;
}

function mounts(input: SpecInput, readonlyRoot: boolean, privileged: boolean): OciMount[] {
  const m: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    // Mounted rw and made read-only per mount (readonlyPaths) unless privileged: sysfs has one
    // superblock per network namespace, and a first `ro` mount would make it read-only for
    // every container of the pod, a privileged one too.
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'rw'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] },
  ];
  const etcOpts = ['rbind', 'rprivate', readonlyRoot ? 'ro' : 'rw'];
  const user = new Set((input.container.mounts ?? []).map((v) => v.containerPath));
  const etc = input.etc ?? {};
  if (etc.hosts && !user.has('/etc/hosts')) m.push({ destination: '/etc/hosts', type: 'bind', source: etc.hosts, options: etcOpts });
  if (etc.resolvConf && !user.has('/etc/resolv.conf')) m.push({ destination: '/etc/resolv.conf', type: 'bind', source: etc.resolvConf, options: etcOpts });
  if (etc.hostname && !user.has('/etc/hostname')) m.push({ destination: '/etc/hostname', type: 'bind', source: etc.hostname, options: etcOpts });
  for (const v of input.container.mounts ?? []) {
    if (!v.containerPath.startsWith('/')) throw new SpecError(`mount ${JSON.stringify(v.containerPath)}: the container path must be absolute`);
    if (v.tmpfs) {
      const opts = ['nosuid', 'nodev', ...(v.readonly ? ['ro'] : [])];
      if (v.tmpfs.sizeBytes) opts.push(`size=${v.tmpfs.sizeBytes}`);
      if (v.tmpfs.mode !== undefined) opts.push(`mode=${v.tmpfs.mode.toString(8)}`);
      if (v.tmpfs.gid !== undefined) opts.push(`gid=${v.tmpfs.gid}`);
      m.push({ destination: v.containerPath, type: 'tmpfs', source: 'tmpfs', options: opts });
    } else {
      if (!v.hostPath.startsWith('/')) throw new SpecError(`mount ${JSON.stringify(v.containerPath)}: the host path ${JSON.stringify(v.hostPath)} must be absolute`);
      m.push({ destination: v.containerPath, type: 'bind', source: v.hostPath, options: ['rbind', v.propagation ?? 'rprivate', v.readonly ? 'ro' : 'rw'] });
    }
  }
  return m;
}

function resources(input: SpecInput, privileged: boolean): OciResources {
  const r = input.container.resources ?? {};
  const out: OciResources = { devices: privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }] };
  if (r.cpuShares !== undefined || r.cpuQuota !== undefined) {
    out.cpu = {};
    if (r.cpuShares !== undefined) out.cpu.shares = Math.max(2, Math.min(262144, Math.trunc(r.cpuShares)));
    if (r.cpuQuota !== undefined) {
      out.cpu.quota = r.cpuQuota;
      out.cpu.period = r.cpuPeriod ?? 100000;
    }
  }
  if (r.memoryLimitBytes !== undefined) {
    if (r.memoryLimitBytes < 6 * 1024 * 1024) throw new SpecError(`memory limit ${r.memoryLimitBytes} bytes is below the minimum of 6 MiB`);
    // swap = limit: the container gets no swap beyond its memory limit (as the kubelet asks).
    out.memory = { limit: r.memoryLimitBytes, swap: r.memoryLimitBytes };
  }
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

/**
 * The container's seccomp filter. Absent or RuntimeDefault: Skiff's default
 * profile (as the kubelet's --seccomp-default); Unconfined and privileged
 * containers: none; Localhost/<path>: that file.
 */
function seccomp(input: SpecInput, caps: string[], privileged: boolean): OciSeccomp | undefined {
  const name = input.container.metadata.name;
  const p = input.container.securityContext?.seccompProfile || 'RuntimeDefault';
  if (privileged || p === 'Unconfined') return undefined;
  if (p === 'RuntimeDefault') return runtimeDefaultProfile(caps, input.arch);
  if (p.startsWith(LOCALHOST_PREFIX)) {
    const file = input.localhostProfile;
    if (!file) throw new SpecError(`container ${name}: seccomp profile ${JSON.stringify(p)} was not read`);
    try {
      return parseSeccompProfile(file.text, { capabilities: caps, ...(input.arch ? { arch: input.arch } : {}), ...(input.kernel ? { kernel: input.kernel } : {}) });
    } catch (e) {
      if (e instanceof SeccompProfileError) throw new SpecError(`container ${name}: seccomp profile ${JSON.stringify(file.path)}: ${e.message}`);
      throw e;
    }
  }
  throw new SpecError(`container ${name}: unknown seccomp profile ${JSON.stringify(p)} (RuntimeDefault, Unconfined or Localhost/<path>)`);
}

export function buildSpec(input: SpecInput): OciSpec {
  const { container: c, sandbox, image } = input;
  const sc = c.securityContext ?? {};
  const privileged = sc.privileged === true;
  const args = containerArgs(image.config, c.command, c.args);
  if (args.length === 0) throw new SpecError(`container ${c.metadata.name}: no command specified (the image has no ENTRYPOINT or CMD and the container sets no command)`);
  let user;
  try {
    user = resolveUser({ imageUser: image.config?.User, runAsUser: sc.runAsUser, runAsGroup: sc.runAsGroup, supplementalGroups: sc.supplementalGroups, passwd: input.passwd, group: input.group });
  } catch (e) {
    if (e instanceof UserError) throw new SpecError(`container ${c.metadata.name}: ${e.message}`);
    throw e;
  }
  if (sc.runAsNonRoot) {
    const broken = checkRunAsNonRoot({ runAsUser: sc.runAsUser, imageUser: image.config?.User, pod: sandbox.metadata, container: c.metadata.name });
    if (broken) throw new SpecError(broken);
  }
  for (const cap of [...(sc.capabilities?.add ?? []), ...(sc.capabilities?.drop ?? [])]) {
    const n = cap.toUpperCase().replace(/^CAP_/, '');
    if (n !== 'ALL' && !ALL_CAPABILITIES.includes(`CAP_${n}`)) throw new SpecError(`container ${c.metadata.name}: unknown capability ${JSON.stringify(cap)}`);
  }
  const caps = capabilities(sc.capabilities, privileged, input.hostCapabilities);
  let env = mergeEnv(image.config?.Env ?? [], c.envs ?? []);
  if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH_ENV, ...env];
  if (!sandbox.hostNetwork && !env.some((e) => e.startsWith('HOSTNAME='))) env = [...env, `HOSTNAME=${sandbox.hostname}`];
  if (user.home && !env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${user.home}`];
  const nofile = Math.min(DEFAULT_NOFILE, input.hostNofileHard ?? DEFAULT_NOFILE);
  const readonlyRoot = sc.readonlyRootfs === true;
  const unmasked = privileged || sc.unmaskedPaths === true;
  const readonlyPaths = privileged ? [] : unmasked ? ['/sys'] : [...READONLY_PATHS, '/sys'];
  const parent = (sandbox.cgroupParent ?? 'skiff').replace(/^\/+|\/+$/g, '');
  const filter = seccomp(input, caps, privileged);
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: c.tty === true,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
      args,
      env,
      cwd: c.workingDir || image.config?.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
      noNewPrivileges: sc.noNewPrivileges === true,
      ...(c.resources?.oomScoreAdj !== undefined ? { oomScoreAdj: c.resources.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: readonlyRoot },
    mounts: mounts(input, readonlyRoot, privileged),
    annotations: { ...c.annotations, 'io.kubernetes.cri.container-name': c.metadata.name, 'io.kubernetes.cri.sandbox-name': sandbox.metadata.name, 'io.kubernetes.cri.sandbox-namespace': sandbox.metadata.namespace, 'io.kubernetes.cri.sandbox-uid': sandbox.metadata.uid },
    linux: {
      namespaces: namespaces(input),
      ...(privileged && input.hostDevices?.length ? { devices: input.hostDevices } : {}),
      resources: resources(input, privileged),
      cgroupsPath: `/${parent}/${input.id}`,
      ...(unmasked ? {} : { maskedPaths: MASKED_PATHS }),
      ...(readonlyPaths.length ? { readonlyPaths } : {}),
      ...(sandbox.sysctls && Object.keys(sandbox.sysctls).length ? { sysctl: { ...sandbox.sysctls } } : {}),
      ...(filter ? { seccomp: filter } : {}),
    },
  };
  if (!sandbox.hostNetwork) spec.hostname = sandbox.hostname;
  return spec;
}
