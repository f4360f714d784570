// The Pod Security Standards' checks (baseline and restricted), each with
// Kubernetes' reason and detail wording, in the order Kubernetes evaluates
// them: baseline checks, then restricted ones (three restricted checks
// replace their baseline counterparts). Pure: a pod spec in, failures out.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Spec = Record<string, any>;
type Meta = Record<string, any>;

export type Level = 'privileged' | 'baseline' | 'restricted';

export interface CheckResult {
  reason: string;
  detail: string;
}

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  overrides?: string;
  run(meta: Meta, spec: Spec): CheckResult | undefined;
}

const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
const joinQuote = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

function containers(spec: Spec): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

const CAPS_BASELINE = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUME_OK = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Pod-level and container-level settings: "pod", then `container "a"` / `containers "a", "b"`. */
function setters(pod: boolean, bad: string[]): string {
  const parts: string[] = [];
  if (pod) parts.push('pod');
  if (bad.length) parts.push(`${plural('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  return parts.join(' and ');
}

const CHECKS: Check[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run(meta, spec) {
      const bad: string[] = [];
      const ok = (t: string | undefined) => !t || t === 'RuntimeDefault' || t === 'Localhost';
      if (!ok(spec.securityContext?.appArmorProfile?.type)) bad.push(`pod must not set securityContext.appArmorProfile.type to ${JSON.stringify(spec.securityContext.appArmorProfile.type)}`);
      for (const c of containers(spec)) if (!ok(c.securityContext?.appArmorProfile?.type)) bad.push(`container ${JSON.stringify(c.name)} must not set securityContext.appArmorProfile.type to ${JSON.stringify(c.securityContext.appArmorProfile.type)}`);
      for (const [k, v] of Object.entries(meta.annotations ?? {})) {
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !String(v).startsWith('localhost/')) bad.push(`${k}=${JSON.stringify(v)}`);
      }
      return bad.length ? { reason: 'forbidden AppArmor profile', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run(_m, spec) {
      const bad: string[] = [];
      const caps = new Set<string>();
      for (const c of containers(spec)) {
        const added = (c.securityContext?.capabilities?.add ?? []).filter((x: string) => !CAPS_BASELINE.has(x));
        if (added.length) {
          bad.push(c.name);
          for (const x of added) caps.add(x);
        }
      }
      return bad.length ? { reason: 'non-default capabilities', detail: `${plural('container', 'containers', bad.length)} ${joinQuote(bad)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add` } : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run(_m, spec) {
      const on: string[] = [];
      if (spec.hostNetwork) on.push('hostNetwork=true');
      if (spec.hostPID) on.push('hostPID=true');
      if (spec.hostIPC) on.push('hostIPC=true');
      return on.length ? { reason: 'host namespaces', detail: on.sort().join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run(_m, spec) {
      const bad = (spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name);
      return bad.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', bad.length)} ${joinQuote(bad)}` } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run(_m, spec) {
      const bad: string[] = [];
      const ports = new Set<string>();
      for (const c of containers(spec)) {
        const hp = (c.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => String(p.hostPort));
        if (hp.length) {
          bad.push(c.name);
          for (const p of hp) ports.add(p);
        }
      }
      if (!bad.length) return undefined;
      return { reason: 'hostPort', detail: `${plural('container', 'containers', bad.length)} ${joinQuote(bad)} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', ports.size)} ${sortedUnique(ports).join(', ')}` };
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run(_m, spec) {
      const bad = containers(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
      return bad.length ? { reason: 'privileged', detail: `${plural('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run(_m, spec) {
      if (spec.hostUsers === false) return undefined;
      const bad: string[] = [];
      const values = new Set<string>();
      for (const c of containers(spec)) {
        const pm = c.securityContext?.procMount;
        if (pm !== undefined && pm !== 'Default') {
          bad.push(c.name);
          values.add(pm);
        }
      }
      return bad.length ? { reason: 'procMount', detail: `${plural('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(values))}` } : undefined;
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run(_m, spec) {
      const badSetters: string[] = [];
      const types = new Set<string>();
      let userSet = false;
      let roleSet = false;
      const look = (o: any): boolean => {
        if (!o) return true;
        let ok = true;
        if (!SELINUX_TYPES.has(o.type ?? '')) {
          types.add(o.type);
          ok = false;
        }
        if (o.user) [userSet, ok] = [true, false];
        if (o.role) [roleSet, ok] = [true, false];
        return ok;
      };
      const podBad = !look(spec.securityContext?.seLinuxOptions);
      for (const c of containers(spec)) if (!look(c.securityContext?.seLinuxOptions)) badSetters.push(c.name);
      if (!podBad && !badSetters.length) return undefined;
      const what: string[] = [];
      if (types.size) what.push(`${plural('type', 'types', types.size)} ${joinQuote(sortedUnique(types))}`);
      if (userSet) what.push('user may not be set');
      if (roleSet) what.push('role may not be set');
      return { reason: 'seLinuxOptions', detail: `${setters(podBad, badSetters)} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}` };
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run(_m, spec) {
      const podBad = spec.securityContext?.seccompProfile?.type === 'Unconfined';
      const bad = containers(spec).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map((c) => c.name);
      return podBad || bad.length ? { reason: 'seccompProfile', detail: `${setters(podBad, bad)} must not set securityContext.seccompProfile.type to "Unconfined"` } : undefined;
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run(_m, spec) {
      const bad = (spec.securityContext?.sysctls ?? []).map((s: any) => s.name).filter((n: string) => !SAFE_SYSCTLS.has(n));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run(_m, spec) {
      const bad = containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
      return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${plural('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: 'capabilities_baseline',
    run(_m, spec) {
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containers(spec)) {
        const cap = c.securityContext?.capabilities;
        if (!(cap?.drop ?? []).includes('ALL')) missingDrop.push(c.name);
        const added = (cap?.add ?? []).filter((x: string) => x !== 'NET_BIND_SERVICE');
        if (added.length) {
          adding.push(c.name);
          for (const x of added) caps.add(x);
        }
      }
      const details: string[] = [];
      if (missingDrop.length) details.push(`${plural('container', 'containers', missingDrop.length)} ${joinQuote(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length) details.push(`${plural('container', 'containers', adding.length)} ${joinQuote(adding)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`);
      return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: 'hostPathVolumes',
    run(_m, spec) {
      const bad: string[] = [];
      const types = new Set<string>();
      for (const v of spec.volumes ?? []) {
        const kind = Object.keys(v).find((k) => k !== 'name');
        if (kind && !RESTRICTED_VOLUME_OK.has(kind)) {
          bad.push(v.name);
          types.add(kind);
        }
      }
      if (!bad.length) return undefined;
      return { reason: 'restricted volume types', detail: `${plural('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sortedUnique(types))}` };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run(_m, spec) {
      if (spec.hostUsers === false) return undefined;
      const podSetting = spec.securityContext?.runAsNonRoot;
      const explicitBad: string[] = [];
      const implicitBad: string[] = [];
      for (const c of containers(spec)) {
        const v = c.securityContext?.runAsNonRoot;
        if (v === false) explicitBad.push(c.name);
        else if (v === undefined && podSetting !== true) implicitBad.push(c.name);
      }
      if (podSetting === false || explicitBad.length) return { reason: 'runAsNonRoot != true', detail: `${setters(podSetting === false, explicitBad)} must not set securityContext.runAsNonRoot=false` };
      if (implicitBad.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${plural('container', 'containers', implicitBad.length)} ${joinQuote(implicitBad)} must set securityContext.runAsNonRoot=true` };
      return undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run(_m, spec) {
      if (spec.hostUsers === false) return undefined;
      const podBad = spec.securityContext?.runAsUser === 0;
      const bad = containers(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
      return podBad || bad.length ? { reason: 'runAsUser=0', detail: `${setters(podBad, bad)} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: 'seccompProfile_baseline',
    run(_m, spec) {
      const valid = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec.securityContext?.seccompProfile?.type;
      const podBad = podType !== undefined && !valid(podType);
      const podSet = podType !== undefined && valid(podType);
      const values = new Set<string>();
      if (podBad) values.add(podType);
      const explicitBad: string[] = [];
      const implicitBad: string[] = [];
      for (const c of containers(spec)) {
        const t = c.securityContext?.seccompProfile?.type;
        if (t !== undefined) {
          if (!valid(t)) {
            explicitBad.push(c.name);
            values.add(t);
          }
        } else if (!podSet) implicitBad.push(c.name);
      }
      if (podBad || explicitBad.length) return { reason: 'seccompProfile', detail: `${setters(podBad, explicitBad)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(values))}` };
      if (implicitBad.length) return { reason: 'seccompProfile', detail: `pod or ${plural('container', 'containers', implicitBad.length)} ${joinQuote(implicitBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
      return undefined;
    },
  },
];

/** The failures of a pod under a level, in Kubernetes' order. */
export function evaluatePod(level: Level, meta: Meta, spec: Spec): CheckResult[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const overridden = new Set(level === 'restricted' ? active.map((c) => c.overrides).filter(Boolean) : []);
  const out: CheckResult[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const r = c.run(meta ?? {}, spec ?? {});
    if (r) out.push(r);
  }
  return out;
}

/** Kubernetes' aggregate detail: "reason (detail), reason (detail)". */
export function formatFailures(results: CheckResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');
}
