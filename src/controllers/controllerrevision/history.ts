// ControllerRevision history, the pure part (Kubernetes' pkg/controller/history
// and the DaemonSet/StatefulSet getPatch): what a revision of a workload holds
// (a strategic-merge patch that puts its pod template back), how revisions
// are named, compared and ordered, and which old ones may go.

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { newControllerRef } from '../util/controllerref.ts';
import { computeHash } from './hash.ts';

/** The label DaemonSet pods and revisions carry (and StatefulSet pods, with the revision name). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label history.NewControllerRevision puts on StatefulSet revisions. */
export const CONTROLLER_HASH_LABEL = 'controller.kubernetes.io/hash';

/** A workload that keeps revisions of its pod template: DaemonSet or StatefulSet. */
export interface RevisionedParent {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { template?: PodTemplateSpec };
}

/** What a revision stores: `{"spec":{"template":{...,"$patch":"replace"}}}`, so `kubectl rollout undo` can patch it back. */
export function templatePatch(parent: RevisionedParent): Record<string, unknown> {
  return { spec: { template: { ...(structuredClone(parent.spec?.template) ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision holds (the patch without its directive). */
export function templateOf(rev: ControllerRevision): PodTemplateSpec {
  const t = structuredClone(((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) as Record<string, unknown>);
  delete t.$patch;
  return t as PodTemplateSpec;
}

/** `<parent>-<hash>`, as Kubernetes' ControllerRevisionName (the parent name is cut to keep it a valid name). */
export function revisionName(parentName: string, hash: string): string {
  const prefix = parentName.length > 223 ? parentName.slice(0, 223) : parentName;
  return `${prefix}-${hash}`;
}

/** The hash of a revision's data under a collision count. */
export function revisionHash(data: unknown, collisionCount: number | undefined): string {
  return computeHash(data, collisionCount);
}

/**
 * A new (unsaved) revision of `parent`: template labels plus the hash label,
 * the parent's annotations (kubectl reads change-cause there), a controller
 * reference, the data and the revision number.
 */
export function newControllerRevision(
  parent: RevisionedParent,
  revision: number,
  collisionCount: number | undefined,
  opts: { hashLabel: string },
): ControllerRevision {
  const data = templatePatch(parent);
  const hash = revisionHash(data, collisionCount);
  const m = parent.metadata!;
  const annotations = m.annotations && Object.keys(m.annotations).length ? { ...m.annotations } : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(m.name!, hash),
      namespace: m.namespace,
      labels: { ...(parent.spec?.template?.metadata?.labels ?? {}), [opts.hashLabel]: hash },
      annotations,
      ownerReferences: [newControllerRef(parent as never)],
    },
    data,
    revision,
  };
}

/** The hash part of a revision's name (after the parent's name and a dash). */
export function hashOfRevision(rev: ControllerRevision, parentName: string): string {
  const name = rev.metadata?.name ?? '';
  return name.startsWith(`${parentName}-`) ? name.slice(parentName.length + 1) : name;
}

/** Whether two revisions hold the same template. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return false;
  return semanticEqual(a.data ?? null, b.data ?? null);
}

/** Oldest first: by revision number, then creation time, then name (Kubernetes' byRevision). */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => {
    const d = (a.revision ?? 0) - (b.revision ?? 0);
    if (d !== 0) return d;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  });
}

/** The revisions among `revs` holding the same template as `needle`, oldest first. */
export function findEqualRevisions(revs: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return sortRevisions(revs.filter((r) => equalRevision(r, needle)));
}

/** One more than the highest revision number (1 for an empty history). */
export function nextRevision(revs: ControllerRevision[]): number {
  return revs.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/**
 * The revisions to delete so at most `limit` revisions that no pod uses
 * remain: the oldest unused ones go first. `live` names the revisions in use.
 */
export function revisionsToTruncate(revs: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const unused = sortRevisions(revs).filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = unused.length - Math.max(0, limit);
  return excess > 0 ? unused.slice(0, excess) : [];
}
