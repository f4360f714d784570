// Containers: names, images, ports, env, probes, lifecycle, resources.

import type { Container, ContainerPort, EnvFromSource, EnvVar, Probe } from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError, type Path } from './field.ts';
import { validateNonnegative } from './meta.ts';
import {
  isConfigMapKey,
  isDNS1123Label,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.ts';
import { validateResourceRequirements } from './resources.ts';
import { validateVolumeMounts } from './volumes.ts';

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const RESOURCE_FIELD_PATHS = [
  'limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory',
];

export function validateContainerPorts(ports: ContainerPort[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(p.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(p.child('containerPort'), ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(p.child('containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(p.child('hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(required(p.child('protocol'), ''));
    else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(s: { name?: string; key: string }, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of nameIsDNSSubdomain(s.name ?? '', false)) errs.push(invalid(path.child('name'), s.name ?? '', m));
  if (!s.key) errs.push(required(path.child('key'), ''));
  else for (const m of isConfigMapKey(s.key)) errs.push(invalid(path.child('key'), s.key, m));
  return errs;
}

function validateFieldRef(ref: { apiVersion?: string; fieldPath: string }, path: Path): FieldError[] {
  if (!ref.apiVersion) return [required(path.child('apiVersion'), '')];
  if (!ref.fieldPath) return [required(path.child('fieldPath'), '')];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(ref.fieldPath);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(key).map((m) => invalid(path, key, m));
  }
  if (!ENV_FIELD_PATHS.includes(ref.fieldPath)) return [notSupported(path.child('fieldPath'), ref.fieldPath, ENV_FIELD_PATHS)];
  return [];
}

export function validateEnv(vars: EnvVar[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (!ev.name) errs.push(required(p.child('name'), ''));
    else for (const m of isRelaxedEnvVarName(ev.name)) errs.push(invalid(p.child('name'), ev.name, m));
    const from = ev.valueFrom;
    if (from == null) return;
    const fp = p.child('valueFrom');
    let n = 0;
    if (from.fieldRef) {
      n++;
      errs.push(...validateFieldRef(from.fieldRef, fp.child('fieldRef')));
    }
    if (from.resourceFieldRef) {
      n++;
      const rp = fp.child('resourceFieldRef');
      const r = from.resourceFieldRef.resource;
      if (!r) errs.push(required(rp.child('resource'), ''));
      else if (!RESOURCE_FIELD_PATHS.includes(r) && !/^(limits|requests)\.hugepages-/.test(r)) {
        errs.push(notSupported(rp.child('resource'), r, RESOURCE_FIELD_PATHS));
      }
    }
    if (from.configMapKeyRef) {
      n++;
      errs.push(...validateKeySelector(from.configMapKeyRef, fp.child('configMapKeyRef')));
    }
    if (from.secretKeyRef) {
      n++;
      errs.push(...validateKeySelector(from.secretKeyRef, fp.child('secretKeyRef')));
    }
    if (n === 0) {
      errs.push(invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (ev.value) {
      errs.push(invalid(fp, '', 'may not be specified when `value` is not empty'));
    } else if (n > 1) {
      errs.push(invalid(fp, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

export function validateEnvFrom(vars: EnvFromSource[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (ev.prefix) for (const m of isRelaxedEnvVarName(ev.prefix)) errs.push(invalid(p.child('prefix'), ev.prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = ev[kind];
      if (!ref) continue;
      n++;
      const rp = p.child(kind);
      if (!ref.name) errs.push(required(rp.child('name'), ''));
      else for (const m of nameIsDNSSubdomain(ref.name, true)) errs.push(invalid(rp.child('name'), ref.name, m));
    }
    // Kubernetes reports these against the list, not the entry.
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

type Handler = { exec?: unknown; httpGet?: unknown; tcpSocket?: unknown; grpc?: unknown; sleep?: unknown };

function validatePortNumOrName(port: unknown, path: Path): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [required(path, '')];
}

function validateHandler(h: Handler, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const) {
    const v = h[kind] as Record<string, unknown> | undefined;
    if (v == null) continue;
    if (n > 0) {
      errs.push(forbidden(path.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const p = path.child(kind);
    if (kind === 'exec' && !(v['command'] as unknown[] | undefined)?.length) errs.push(required(p.child('command'), ''));
    if (kind === 'httpGet') {
      if (!v['path']) errs.push(required(p.child('path'), ''));
      errs.push(...validatePortNumOrName(v['port'], p.child('port')));
      if (!['HTTP', 'HTTPS'].includes(String(v['scheme'] ?? ''))) errs.push(notSupported(p.child('scheme'), v['scheme'] ?? '', ['HTTP', 'HTTPS']));
      for (const hdr of (v['httpHeaders'] as { name: string }[] | undefined) ?? []) {
        for (const m of isHTTPHeaderName(hdr.name)) errs.push(invalid(p.child('httpHeaders'), hdr.name, m));
      }
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(v['port'], p.child('port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(v['port'], p.child('port')));
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe | undefined, path: Path): FieldError[] {
  if (probe == null) return [];
  const errs = validateHandler(probe, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegative(probe[f] ?? 0, path.child(f)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (tgps != null && tgps <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  return errs;
}

/** Per-container checks shared by regular and init containers. */
export function validateContainers(
  containers: Container[] | undefined,
  volumes: Set<string>,
  path: Path,
  allNames: Set<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((ctr, i) => {
    const p = path.index(i);
    const namePath = p.child('name');
    if (!ctr.name) errs.push(required(namePath, ''));
    else for (const m of isDNS1123Label(ctr.name)) errs.push(invalid(namePath, ctr.name, m));
    if (allNames.has(ctr.name)) errs.push(duplicate(namePath, ctr.name));
    else if (ctr.name) allNames.add(ctr.name);
    if (!ctr.image) errs.push(required(p.child('image'), ''));
    if (ctr.lifecycle) {
      if (ctr.lifecycle.postStart) errs.push(...validateHandler(ctr.lifecycle.postStart, p.child('lifecycle', 'postStart')));
      if (ctr.lifecycle.preStop) errs.push(...validateHandler(ctr.lifecycle.preStop, p.child('lifecycle', 'preStop')));
    }
    errs.push(...validateProbe(ctr.livenessProbe, p.child('livenessProbe')));
    if (ctr.livenessProbe && (ctr.livenessProbe.successThreshold ?? 1) !== 1) {
      errs.push(invalid(p.child('livenessProbe', 'successThreshold'), ctr.livenessProbe.successThreshold, 'must be 1'));
    }
    errs.push(...validateProbe(ctr.startupProbe, p.child('startupProbe')));
    if (ctr.startupProbe && (ctr.startupProbe.successThreshold ?? 1) !== 1) {
      errs.push(invalid(p.child('startupProbe', 'successThreshold'), ctr.startupProbe.successThreshold, 'must be 1'));
    }
    if (ctr.readinessProbe?.terminationGracePeriodSeconds != null) {
      errs.push(
        invalid(
          p.child('readinessProbe', 'terminationGracePeriodSeconds'),
          ctr.readinessProbe.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    }
    errs.push(...validateProbe(ctr.readinessProbe, p.child('readinessProbe')));
    const tmp = ctr.terminationMessagePolicy;
    if (!tmp) errs.push(required(p.child('terminationMessagePolicy'), "must be 'File' or 'FallbackToLogsOnError'"));
    else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
      errs.push(invalid(p.child('terminationMessagePolicy'), tmp, "must be 'File' or 'FallbackToLogsOnError'"));
    }
    errs.push(...validateContainerPorts(ctr.ports, p.child('ports')));
    errs.push(...validateEnv(ctr.env, p.child('env')));
    errs.push(...validateEnvFrom(ctr.envFrom, p.child('envFrom')));
    errs.push(...validateVolumeMounts(ctr.volumeMounts, volumes, p.child('volumeMounts')));
    if (!ctr.imagePullPolicy) errs.push(required(p.child('imagePullPolicy'), ''));
    else if (!PULL_POLICIES.includes(ctr.imagePullPolicy)) {
      errs.push(notSupported(p.child('imagePullPolicy'), ctr.imagePullPolicy, PULL_POLICIES));
    }
    errs.push(...validateResourceRequirements(ctr.resources, p.child('resources')));
  });
  return errs;
}

/** hostPorts may not collide across the given containers (protocol/hostIP/port). */
export function checkHostPortConflicts(containers: Container[] | undefined, path: Path, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((ctr, ci) => {
    (ctr.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}
