// The replica arithmetic of a Deployment rollout (Kubernetes'
// deployment/util): int-or-percent scaling, maxSurge/maxUnavailable
// fenceposts, how far the new ReplicaSet may grow, and proportional scaling
// of ReplicaSets when the Deployment is resized mid-rollout. Pure.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';

export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

export type IntOrString = number | string;

/**
 * intstr's GetScaledValueFromIntOrPercent: an int as is, "N%" of total
 * rounded up or down. Throws on a string that is not a percentage.
 */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** Kubernetes' ResolveFenceposts: surge rounds up, unavailable down; both 0 means unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const replicasOf = (d: Deployment | ReplicaSet | undefined): number => d?.spec?.replicas ?? (d ? 1 : 0);

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Pods above spec.replicas a rolling update may run. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

/** Pods below spec.replicas a rolling update may leave unavailable (never more than replicas). */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable);
}

// --- sums over ReplicaSets ---------------------------------------------------------

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Sum of spec.replicas. */
export const specReplicas = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.spec?.replicas ?? 0);
/** Sum of status.replicas. */
export const actualReplicas = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicas = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicas = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** ReplicaSets that want pods or still have some. */
export const activeReplicaSets = (rss: (ReplicaSet | undefined)[]): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && (rs.spec?.replicas ?? 0) > 0);

/** How many replicas the new ReplicaSet may have now (Kubernetes' NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  const current = newRS.spec?.replicas ?? 0;
  if (!isRollingUpdate(d)) return replicas;
  const maxTotal = replicas + scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const podCount = specReplicas(allRSs);
  if (podCount >= maxTotal) return current;
  return current + Math.min(maxTotal - podCount, replicas - current);
}

// --- replicas annotations --------------------------------------------------------

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, DESIRED_REPLICAS);
export const maxReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, MAX_REPLICAS);

/** Sets desired-replicas and max-replicas; answers whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

// --- proportional scaling -----------------------------------------------------------

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** The replicas `rs` gains (or loses) when the Deployment is resized to d.spec.replicas (getReplicaSetFraction). */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const rsReplicas = rs.spec?.replicas ?? 0;
  if (replicasOf(d) === 0) return -rsReplicas;
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((rsReplicas * deploymentReplicas) / annotated) - rsReplicas;
}

/** Kubernetes' GetProportion: this RS's share of `toAdd`, bounded by what is left to add. */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || (rs.spec?.replicas ?? 0) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** Older first, ties by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/**
 * New sizes for active ReplicaSets when the Deployment's size changes during
 * a rollout: every RS grows or shrinks in proportion to its share, the
 * leftover goes to the largest (newest on scale-up, oldest on scale-down).
 */
export function proportionalSizes(d: Deployment, allRSs: ReplicaSet[]): Map<string, number> {
  const active = activeReplicaSets(allRSs);
  const total = specReplicas(active);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  const sizes = new Map<string, number>();
  if (toAdd > 0) active.sort((a, b) => (b.spec?.replicas ?? 0) - (a.spec?.replicas ?? 0) || -byCreation(a, b));
  else if (toAdd < 0) active.sort((a, b) => (b.spec?.replicas ?? 0) - (a.spec?.replicas ?? 0) || byCreation(a, b));
  let added = 0;
  for (const rs of active) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata!.name!, (rs.spec?.replicas ?? 0) + p);
    added += p;
  }
  if (toAdd !== 0 && active[0]) {
    const name = active[0].metadata!.name!;
    sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added));
  }
  return sizes;
}
