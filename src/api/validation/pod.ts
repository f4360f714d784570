// PodSpec, Pod, PodTemplateSpec and PodTemplate.

import type { Pod, PodSpec, PodTemplate, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, notSupported, required, type FieldError, Path } from './field.ts';
import { checkHostPortConflicts, validateContainers } from './containers.ts';
import {
  validateAnnotations,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  jsonEqual,
} from './meta.ts';
import { inclusiveRangeError, isDNS1123Label, isValidIP, isValidLabelValue, nameIsDNSSubdomain } from './names.ts';
import { validateLabelName, validateLabels } from './selector.ts';
import { validateAffinity, validateTopologySpreadConstraints } from './scheduling.ts';
import { validateVolumes } from './volumes.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

export function validateTolerations(tolerations: Toleration[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key) errs.push(...validateLabelName(t.key, p.child('key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(p.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.push(invalid(p.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(p.child('operator'), t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(p.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const errs: FieldError[] = [];
  const vols = validateVolumes(s.volumes, path.child('volumes'));
  errs.push(...vols.errs);

  const names = new Set<string>();
  const ctrPath = path.child('containers');
  if (!s.containers || s.containers.length === 0) errs.push(required(ctrPath, ''));
  else {
    errs.push(...validateContainers(s.containers, vols.names, ctrPath, names));
    errs.push(...checkHostPortConflicts(s.containers, ctrPath));
  }
  // Init container names share one namespace with the regular containers.
  const initPath = path.child('initContainers');
  errs.push(...validateContainers(s.initContainers, vols.names, initPath, names));
  (s.initContainers ?? []).forEach((c, i) => {
    errs.push(...checkHostPortConflicts([c], initPath));
    const p = initPath.index(i);
    const sidecar = c.restartPolicy === 'Always';
    if (c.lifecycle && !sidecar) errs.push(invalid(p.child('lifecycle'), c.lifecycle, 'must not be set for init containers'));
    if (c.livenessProbe && !sidecar) errs.push(invalid(p.child('livenessProbe'), c.livenessProbe, 'must not be set for init containers'));
    if (c.readinessProbe && !sidecar) errs.push(invalid(p.child('readinessProbe'), c.readinessProbe, 'must not be set for init containers'));
    if (c.startupProbe && !sidecar) errs.push(invalid(p.child('startupProbe'), c.startupProbe, 'must not be set for init containers'));
  });

  const rp = s.restartPolicy ?? '';
  if (!rp) errs.push(required(path.child('restartPolicy'), ''));
  else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(path.child('restartPolicy'), rp, RESTART_POLICIES));
  const dp = s.dnsPolicy ?? '';
  if (!dp) errs.push(required(path.child('dnsPolicy'), ''));
  else if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(path.child('dnsPolicy'), dp, DNS_POLICIES));
  if (dp === 'None') {
    if (!s.dnsConfig) errs.push(required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (!s.dnsConfig.nameservers?.length) {
      errs.push(required(path.child('dnsConfig', 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  (s.dnsConfig?.nameservers ?? []).forEach((ns, i) => {
    if (isValidIP(ns).length > 0) errs.push(invalid(path.child('dnsConfig', 'nameservers').index(i), ns, 'must be valid IP address'));
  });

  errs.push(...validateLabels(s.nodeSelector, path.child('nodeSelector')));
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c, ci) => {
      (c.ports ?? []).forEach((port, pi) => {
        if (port.hostPort !== port.containerPort) {
          errs.push(invalid(ctrPath.index(ci).child('ports').index(pi).child('containerPort'), port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  (s.imagePullSecrets ?? []).forEach((ref, i) => {
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').index(i), ref, 'only name may be set'));
  });
  for (const [field, value] of [['serviceAccountName', s.serviceAccountName], ['nodeName', s.nodeName], ['priorityClassName', s.priorityClassName]] as const) {
    if (value) for (const m of nameIsDNSSubdomain(value, false)) errs.push(invalid(path.child(field), value, m));
  }
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), s.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = s[field];
    if (v) for (const m of isDNS1123Label(v)) errs.push(invalid(path.child(field), v, m));
  }
  errs.push(...validateTolerations(s.tolerations, path.child('tolerations')));
  errs.push(...validateAffinity(s.affinity, path.child('affinity')));
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  if (s.terminationGracePeriodSeconds != null) {
    errs.push(...validateNonnegative(s.terminationGracePeriodSeconds, path.child('terminationGracePeriodSeconds')));
  }
  return errs;
}

function validateImageWhitespace(spec: PodSpec | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['containers', 'initContainers'] as const) {
    (spec?.[field] ?? []).forEach((c, i) => {
      if (c.image && c.image !== c.image.trim()) {
        errs.push(invalid(path.child(field).index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validatePodSpec(pod.spec, new Path('spec')));
  // Only checked on bare pods, for compatibility with old templates.
  errs.push(...validateImageWhitespace(pod.spec, new Path('spec')));
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodSpec(pod.spec, new Path('spec')));
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const oldSpec = old.spec ?? ({ containers: [] } as PodSpec);
  if (spec.activeDeadlineSeconds == null && oldSpec.activeDeadlineSeconds != null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  } else if (spec.activeDeadlineSeconds != null && oldSpec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds > oldSpec.activeDeadlineSeconds) {
    errs.push(invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }
  // Compare with the mutable fields neutralised.
  const munge = (s: PodSpec, images: PodSpec): PodSpec => ({
    ...s,
    containers: (s.containers ?? []).map((c, i) => ({ ...c, image: images.containers?.[i]?.image ?? c.image })),
    initContainers: s.initContainers?.map((c, i) => ({ ...c, image: images.initContainers?.[i]?.image ?? c.image })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
  });
  const oldTolerations = oldSpec.tolerations ?? [];
  const kept = oldTolerations.every((ot) => (spec.tolerations ?? []).some((nt) => jsonEqual({ ...ot, tolerationSeconds: nt.tolerationSeconds }, nt)));
  if (!kept) errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  if (!jsonEqual(munge(spec, oldSpec), munge(oldSpec, oldSpec))) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

/** Template labels are reported at `<template>.labels`, a Kubernetes quirk kept for fidelity. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: Path): FieldError[] {
  if (t == null) return [required(path, '')];
  const errs = validateLabels(t.metadata?.labels, path.child('labels'));
  errs.push(...validateAnnotations(t.metadata?.annotations, path.child('annotations')));
  errs.push(...validatePodSpec(t.spec, path.child('spec')));
  if (t.spec?.ephemeralContainers?.length) {
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export function validatePodTemplate(pt: PodTemplate): FieldError[] {
  const errs = validateObjectMeta(pt.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...validatePodTemplateSpec(pt.template, new Path('template')));
  return errs;
}

export function validatePodTemplateUpdate(pt: PodTemplate, old: PodTemplate): FieldError[] {
  const errs = validateObjectMetaUpdate(pt.metadata, old.metadata);
  errs.push(...validatePodTemplateSpec(pt.template, new Path('template')));
  return errs;
}

