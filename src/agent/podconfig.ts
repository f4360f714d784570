// A pod in the runtime's terms: the sandbox config (hostname, log
// directory, DNS, host ports, cgroup parent, sysctls) and each container's
// config (command and args expanded, env, mounts, resources, security
// context, log path `<name>/<restartCount>.log`, labels the agent finds it by).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, KeyValue, Mount, PodSandboxConfig, PortMapping, SecurityContext } from '../engine/runtime.ts';
import { expandCommand } from './env.ts';
import { containerAnnotations, containerLabels, sandboxLabels } from './labels.ts';
import { linuxResources, podCgroupParent } from './resources.ts';

export interface PodConfigOptions {
  /** Root of pod log directories. */
  logRoot: string;
  memoryCapacityBytes: number;
  pidsLimit?: number;
  /** Cluster DNS servers for dnsPolicy ClusterFirst; without them pods get the node's resolv.conf. */
  clusterDNS?: string[];
  clusterDomain?: string;
  resolvConf?: string;
}

export function podLogDirectory(logRoot: string, pod: Pod): string {
  const m = pod.metadata!;
  return join(logRoot, `${m.namespace}_${m.name}_${m.uid}`);
}

let hostResolv: { servers: string[]; searches: string[]; options: string[] } | undefined;

function parseResolvConf(path: string): { servers: string[]; searches: string[]; options: string[] } {
  const r = { servers: [] as string[], searches: [] as string[], options: [] as string[] };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return r;
  }
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) r.servers.push(v[0]);
    else if (k === 'search') r.searches = v;
    else if (k === 'options') r.options.push(...v);
  }
  return r;
}

function podDNS(pod: Pod, o: PodConfigOptions): PodSandboxConfig['dns'] {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const domain = o.clusterDomain ?? 'cluster.local';
  let dns: { servers: string[]; searches: string[]; options: string[] };
  const clusterFirst = policy === 'ClusterFirst' || (policy === 'ClusterFirstWithHostNet' && pod.spec?.hostNetwork);
  if (policy === 'None') dns = { servers: [], searches: [], options: [] };
  else if (clusterFirst && o.clusterDNS?.length) {
    const ns = pod.metadata!.namespace!;
    dns = { servers: [...o.clusterDNS], searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain], options: ['ndots:5'] };
  } else {
    hostResolv ??= parseResolvConf(o.resolvConf ?? '/etc/resolv.conf');
    dns = structuredClone(hostResolv);
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    for (const s of extra.nameservers ?? []) if (!dns.servers.includes(s)) dns.servers.push(s);
    for (const s of extra.searches ?? []) if (!dns.searches.includes(s)) dns.searches.push(s);
    for (const opt of extra.options ?? []) {
      if (!opt.name) continue;
      dns.options = [...dns.options.filter((x) => x.split(':')[0] !== opt.name), opt.value !== undefined ? `${opt.name}:${opt.value}` : opt.name];
    }
  }
  return dns;
}

export function sandboxConfig(pod: Pod, attempt: number, o: PodConfigOptions): PodSandboxConfig {
  const m = pod.metadata!;
  const ports: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) ports.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort, hostIP: p.hostIP });
    }
  }
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  // The kubelet's truncation (63, no trailing '-' or '.'); setHostnameAsFQDN makes it hostname.subdomain.ns.svc.domain.
  let hostname = (pod.spec?.hostname || m.name!).slice(0, 63).replace(/[-.]+$/, '');
  if (pod.spec?.setHostnameAsFQDN && pod.spec.subdomain) {
    const fqdn = `${hostname}.${pod.spec.subdomain}.${m.namespace}.svc.${o.clusterDomain ?? 'cluster.local'}`;
    if (fqdn.length > 64) throw new Error(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (64 characters is the max, ${fqdn.length} characters requested)`);
    hostname = fqdn;
  }
  if (pod.spec?.hostNetwork) hostname = '';
  return {
    metadata: { name: m.name!, namespace: m.namespace!, uid: m.uid!, attempt },
    hostname,
    logDirectory: podLogDirectory(o.logRoot, pod),
    labels: sandboxLabels(pod),
    annotations: { ...(m.annotations ?? {}) },
    hostNetwork: !!pod.spec?.hostNetwork,
    hostPID: !!pod.spec?.hostPID,
    hostIPC: !!pod.spec?.hostIPC,
    portMappings: ports,
    dns: podDNS(pod, o),
    cgroupParent: podCgroupParent(pod),
    sysctls,
  };
}

function securityContext(pod: Pod, c: Container): SecurityContext {
  const ps = pod.spec?.securityContext ?? {};
  const cs = c.securityContext ?? {};
  const seccomp = cs.seccompProfile ?? ps.seccompProfile;
  let seccompProfile: string | undefined;
  if (seccomp?.type === 'Unconfined') seccompProfile = 'Unconfined';
  else if (seccomp?.type === 'Localhost') seccompProfile = `Localhost/${seccomp.localhostProfile ?? ''}`;
  else if (seccomp?.type === 'RuntimeDefault') seccompProfile = 'RuntimeDefault';
  return {
    privileged: cs.privileged ?? false,
    runAsUser: cs.runAsUser ?? ps.runAsUser,
    runAsGroup: cs.runAsGroup ?? ps.runAsGroup,
    runAsNonRoot: cs.runAsNonRoot ?? ps.runAsNonRoot,
    // The kubelet adds fsGroup to the process' groups, so volumes it owns are writable.
    supplementalGroups: ps.fsGroup !== undefined ? [...(ps.supplementalGroups ?? []), ps.fsGroup] : ps.supplementalGroups,
    readonlyRootfs: cs.readOnlyRootFilesystem ?? false,
    noNewPrivileges: cs.allowPrivilegeEscalation === false,
    capabilities: cs.capabilities ? { add: cs.capabilities.add, drop: cs.capabilities.drop } : undefined,
    seccompProfile,
    unmaskedPaths: cs.procMount === 'Unmasked',
  };
}

export function containerConfig(pod: Pod, c: Container, type: 'init' | 'app', restartCount: number, envs: KeyValue[], mounts: Mount[], o: PodConfigOptions): ContainerConfig {
  const { command, args } = expandCommand(c, envs);
  return {
    metadata: { name: c.name, attempt: restartCount },
    image: c.image ?? '',
    command,
    args,
    workingDir: c.workingDir,
    envs,
    mounts,
    logPath: `${c.name}/${restartCount}.log`,
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    tty: !!c.tty,
    resources: linuxResources(pod, c, { memoryCapacityBytes: o.memoryCapacityBytes, pidsLimit: o.pidsLimit }),
    securityContext: securityContext(pod, c),
    labels: containerLabels(pod, c, type),
    annotations: containerAnnotations(pod, c, restartCount),
  };
}
