// apps/v1 workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet) and
// the core/v1 ReplicationController, which shares their template rules.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbidden, invalid, notSupported, required, type FieldError, Path } from './field.ts';
import { jsonEqual, validateImmutableField, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { compileSelector, validateLabelSelector } from './selector.ts';
import { selectorFromSet, type Selector } from '../labels.ts';

const NOT_MATCH = '`selector` does not match template `labels`';
const META = { namespaced: true, nameFn: nameIsDNSSubdomain };

/** Go renders a *LabelSelector with encoding/json: matchLabels first, empty fields omitted. */
function selectorValue(sel: LabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (sel.matchLabels && Object.keys(sel.matchLabels).length) out['matchLabels'] = sel.matchLabels;
  if (sel.matchExpressions?.length) out['matchExpressions'] = sel.matchExpressions;
  return out;
}

// --- int-or-percent ------------------------------------------------------------

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

function intOrPercentValue(v: unknown): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === 'number') return v;
  // intstr.IntValue() parses strings leniently; a bad string is 0.
  const n = Number.parseInt(String(v ?? ''), 10);
  return Number.isNaN(n) ? 0 : n;
}

function validatePositiveIntOrPercent(v: unknown, path: Path): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  return v == null ? [] : [invalid(path, v, "must be an integer or percentage (e.g '5%%')")];
}

function notMoreThan100Percent(v: unknown, path: Path): FieldError[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

// --- shared template rules -----------------------------------------------------

function validateTemplateForSelector(
  template: PodTemplateSpec | undefined,
  selector: Selector,
  path: Path,
  owner: string,
): FieldError[] {
  if (template == null) return [required(path, '')];
  const errs: FieldError[] = [];
  if (!selector.isEmpty() && !selector.matches(template.metadata?.labels)) {
    errs.push(invalid(path.child('metadata', 'labels'), template.metadata?.labels ?? {}, NOT_MATCH));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  errs.push(...templateRestartRules(template, path, owner));
  return errs;
}

function templateRestartRules(template: PodTemplateSpec, path: Path, owner: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = template.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), rp, ['Always']));
  if (template.spec?.activeDeadlineSeconds != null) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return errs;
}

/** Selector presence, syntax and emptiness; returns the compiled selector when usable. */
function validateSpecSelector(sel: LabelSelector | undefined, path: Path, kind: string, errs: FieldError[]): Selector | undefined {
  if (sel == null) errs.push(required(path, ''));
  else {
    errs.push(...validateLabelSelector(sel, path));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalid(path, selectorValue(sel), `empty selector is invalid for ${kind}`));
    }
  }
  return compileSelector(sel);
}

// --- Deployment ----------------------------------------------------------------

export function validateDeploymentSpec(spec: Deployment['spec'], path: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<Deployment['spec']>);
  const errs = validateNonnegative(s.replicas ?? 0, path.child('replicas'));
  const sel = validateSpecSelector(s.selector, path.child('selector'), 'deployment', errs);
  if (!sel) errs.push(invalid(path.child('selector'), selectorValue(s.selector!), 'invalid label selector'));
  else errs.push(...validateTemplateForSelector(s.template, sel, path.child('template'), 'ReplicaSet'));

  const st = s.strategy ?? {};
  const stPath = path.child('strategy');
  switch (st.type) {
    case 'Recreate':
      if (st.rollingUpdate != null) {
        errs.push(forbidden(stPath.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      const ru = st.rollingUpdate;
      const ruPath = stPath.child('rollingUpdate');
      if (ru == null) errs.push(required(ruPath, 'this should be defaulted and never be nil'));
      else {
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
        errs.push(...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child('maxSurge')));
        if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
          errs.push(invalid(ruPath.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
        }
        errs.push(...notMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      }
      break;
    }
    default:
      errs.push(notSupported(stPath, st, ['Recreate', 'RollingUpdate']));
  }
  const minReady = s.minReadySeconds ?? 0;
  errs.push(...validateNonnegative(minReady, path.child('minReadySeconds')));
  if (s.revisionHistoryLimit != null) errs.push(...validateNonnegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (s.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(s.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= minReady) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  return [...validateObjectMeta(d.metadata, META), ...validateDeploymentSpec(d.spec, new Path('spec'))];
}

/** apps/v1 forbids changing a workload's selector (enforced by the registry in Kubernetes). */
function selectorImmutable(sel: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  if (jsonEqual(sel ?? null, old ?? null)) return [];
  return validateImmutableField(sel ? selectorValue(sel) : null, old ? selectorValue(old) : null, new Path('spec', 'selector'));
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentSpec(d.spec, new Path('spec')),
    ...selectorImmutable(d.spec?.selector, old.spec?.selector),
  ];
}

// --- ReplicaSet ----------------------------------------------------------------

export function validateReplicaSetSpec(spec: ReplicaSet['spec'], path: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<ReplicaSet['spec']>);
  const errs = validateNonnegative(s.replicas ?? 0, path.child('replicas'));
  errs.push(...validateNonnegative(s.minReadySeconds ?? 0, path.child('minReadySeconds')));
  // Kubernetes really does say "deployment" here.
  const sel = validateSpecSelector(s.selector, path.child('selector'), 'deployment', errs);
  if (!sel) errs.push(invalid(path.child('selector'), selectorValue(s.selector!), 'invalid label selector'));
  else errs.push(...validateTemplateForSelector(s.template, sel, path.child('template'), 'ReplicaSet'));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  return [...validateObjectMeta(rs.metadata, META), ...validateReplicaSetSpec(rs.spec, new Path('spec'))];
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetSpec(rs.spec, new Path('spec')),
    ...selectorImmutable(rs.spec?.selector, old.spec?.selector),
  ];
}

// --- DaemonSet -----------------------------------------------------------------

export function validateDaemonSetSpec(spec: DaemonSet['spec'], path: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<DaemonSet['spec']>);
  const errs = validateLabelSelector(s.selector, path.child('selector'));
  if (s.selector == null) errs.push(required(path.child('selector'), ''));
  const sel = compileSelector(s.selector);
  if (sel && !sel.matches(s.template?.metadata?.labels)) {
    errs.push(invalid(path.child('template', 'metadata', 'labels'), s.template?.metadata?.labels ?? {}, NOT_MATCH));
  }
  if (s.selector && Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions ?? []).length === 0) {
    errs.push(invalid(path.child('selector'), selectorValue(s.selector), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(s.template, path.child('template')));
  if (s.template) errs.push(...templateRestartRules(s.template, path.child('template'), 'DaemonSet'));
  errs.push(...validateNonnegative(s.minReadySeconds ?? 0, path.child('minReadySeconds')));

  const us = s.updateStrategy ?? {};
  const usPath = path.child('updateStrategy');
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    const ruPath = usPath.child('rollingUpdate');
    if (ru == null) errs.push(required(ruPath, ''));
    else {
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child('maxSurge')));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      errs.push(...notMoreThan100Percent(ru.maxSurge, ruPath.child('maxSurge')));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(ruPath.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(ruPath.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(notSupported(usPath, us, ['RollingUpdate', 'OnDelete']));
  }
  if (s.revisionHistoryLimit != null) errs.push(...validateNonnegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  return [...validateObjectMeta(ds.metadata, META), ...validateDaemonSetSpec(ds.spec, new Path('spec'))];
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSetSpec(ds.spec, new Path('spec')),
    ...selectorImmutable(ds.spec?.selector, old.spec?.selector),
  ];
}

// --- StatefulSet ---------------------------------------------------------------

export function validateStatefulSetSpec(spec: StatefulSet['spec'], path: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<StatefulSet['spec']>);
  const errs: FieldError[] = [];
  const pmp = s.podManagementPolicy ?? '';
  if (!pmp) errs.push(required(path.child('podManagementPolicy'), ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(path.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = s.updateStrategy ?? {};
  const usPath = path.child('updateStrategy');
  switch (us.type ?? '') {
    case '':
      errs.push(required(usPath, ''));
      break;
    case 'OnDelete':
      if (us.rollingUpdate != null) errs.push(invalid(usPath.child('rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (ru != null) {
        const ruPath = usPath.child('rollingUpdate');
        errs.push(...validateNonnegative(ru.partition ?? 0, ruPath.child('partition')));
        if (ru.maxUnavailable != null) {
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
          if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(ruPath.child('maxUnavailable'), ru.maxUnavailable, 'cannot be 0'));
          errs.push(...notMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
        }
      }
      break;
    }
    default:
      errs.push(invalid(usPath, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const policy = s.persistentVolumeClaimRetentionPolicy;
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy?.[f];
    if (policy && v !== 'Retain' && v !== 'Delete') {
      errs.push(notSupported(path.child('persistentVolumeClaimRetentionPolicy', f), v ?? '', ['Retain', 'Delete']));
    }
  }
  errs.push(...validateNonnegative(s.replicas ?? 0, path.child('replicas')));
  errs.push(...validateNonnegative(s.minReadySeconds ?? 0, path.child('minReadySeconds')));
  if (s.ordinals) errs.push(...validateNonnegative(s.ordinals.start ?? 0, path.child('ordinals.start')));
  const sel = validateSpecSelector(s.selector, path.child('selector'), 'statefulset', errs);
  if (!sel) errs.push(invalid(path.child('selector'), selectorValue(s.selector!), ''));
  else if (s.template == null) errs.push(required(path.child('template'), ''));
  else {
    // StatefulSets check template labels and annotations but not the pod spec
    // (volumes may come from volumeClaimTemplates).
    const tPath = path.child('template');
    if (!sel.isEmpty() && !sel.matches(s.template.metadata?.labels)) {
      errs.push(invalid(tPath.child('metadata', 'labels'), s.template.metadata?.labels ?? {}, NOT_MATCH));
    }
    const full = validatePodTemplateSpec(s.template, tPath);
    errs.push(...full.filter((e) => !e.field.startsWith(`${tPath}.spec.`) && e.field !== `${tPath}.spec`));
  }
  if (s.template) errs.push(...templateRestartRules(s.template, path.child('template'), 'StatefulSet'));
  return errs;
}

export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(ss.metadata, { namespaced: true, nameFn: nameIsDNSLabel });
  return [...errs, ...validateStatefulSetSpec(ss.spec, new Path('spec'))];
}

const STS_UPDATE_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(ss.metadata, old.metadata), ...validateStatefulSetSpec(ss.spec, new Path('spec'))];
  const strip = (s: StatefulSet['spec']): unknown => ({
    ...s,
    replicas: undefined, template: undefined, updateStrategy: undefined, minReadySeconds: undefined,
    ordinals: undefined, persistentVolumeClaimRetentionPolicy: undefined,
  });
  if (!jsonEqual(strip(ss.spec), strip(old.spec))) errs.push(forbidden('spec', STS_UPDATE_FORBIDDEN));
  return errs;
}

// --- ReplicationController -------------------------------------------------------

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, META);
  errs.push(...validateReplicationControllerSpec(rc.spec, new Path('spec')));
  return errs;
}

export function validateReplicationControllerSpec(spec: ReplicationController['spec'], path: Path): FieldError[] {
  const s = spec ?? {};
  const errs = validateNonnegative(s.replicas ?? 0, path.child('replicas'));
  errs.push(...validateNonnegative(s.minReadySeconds ?? 0, path.child('minReadySeconds')));
  const sel = s.selector ?? {};
  if (Object.keys(sel).length === 0) errs.push(required(path.child('selector'), ''));
  const compiled: Selector = selectorFromSet(sel);
  errs.push(...validateTemplateForSelector(s.template, compiled, path.child('template'), 'ReplicationController'));
  return errs;
}

export function validateReplicationControllerUpdate(rc: ReplicationController, old: ReplicationController): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateReplicationControllerSpec(rc.spec, new Path('spec'))];
}
