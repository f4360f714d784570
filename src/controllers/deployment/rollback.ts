// Revisions, which is what rollback rests on. In apps/v1 a rollback is done
// by the client (`kubectl rollout undo` copies an old ReplicaSet's template
// back into the Deployment); the controller then finds that ReplicaSet again
// as the new one, gives it the next revision and records the revisions it
// had in `deployment.kubernetes.io/revision-history`. Pure.

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, maxSurge, replicasOf, setReplicasAnnotations } from './replicas.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** Longest revision-history annotation kept (Kubernetes' maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations never copied onto its ReplicaSets. */
const SKIP_COPY = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

/** The revision of a ReplicaSet (0 when it has none or a bad one). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  return Number(v);
}

export function maxRevision(rss: (ReplicaSet | undefined)[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs));
  return max;
}

/** The second highest revision: the one `rollout undo` goes back to. */
export function lastRevision(rss: (ReplicaSet | undefined)[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

/** Oldest revision first (ReplicaSetsByRevision; ties by creation). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || (Date.parse(a.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata?.creationTimestamp ?? '') || 0);
}

/** Copies the Deployment's own annotations (change-cause among them) onto the ReplicaSet; answers whether any changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIP_COPY.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * Kubernetes' SetNewReplicaSetAnnotations: copy the Deployment's
 * annotations, raise the revision to `newRevision` (keeping the old one in
 * revision-history when this is a rollback to an existing ReplicaSet) and,
 * for a ReplicaSet about to be created, set the replicas annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, historyLimit = MAX_REVISION_HISTORY_CHARS): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = rs.metadata!.annotations!;
  const oldRaw = a[REVISION];
  let old = 0;
  if (oldRaw !== undefined && oldRaw !== '') {
    if (!/^\d+$/.test(oldRaw)) return changed;
    old = Number(oldRaw);
  }
  if (old < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') a[REVISION_HISTORY] = oldRaw;
      else {
        const parts = history.split(',');
        let total = history.length + oldRaw.length + 1;
        let start = 0;
        while (total > historyLimit && start < parts.length) total -= parts[start++]!.length + 1;
        if (total <= historyLimit) a[REVISION_HISTORY] = [...parts.slice(start), oldRaw].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}
