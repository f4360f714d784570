// ControllerRevision history through the client (Kubernetes' realHistory and
// the revision step of StatefulSet's and DaemonSet's sync): find or create
// the revision of a parent's current template, renumbering an older equal
// revision on a rollback, resolving name collisions with the collision
// count, and deleting revisions beyond revisionHistoryLimit.

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { isAlreadyExists, isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import { equalRevision, findEqualRevisions, newControllerRevision, nextRevision, revisionsToTruncate, sortRevisions, type RevisionedParent } from './history.ts';

export interface RevisionResult {
  /** The revision of the parent's current template (created or renumbered if needed). */
  updateRevision: ControllerRevision;
  /** The collision count to record in the parent's status. */
  collisionCount: number;
  /** The parent's revisions after the step, oldest first. */
  revisions: ControllerRevision[];
}

/** A name collision gives up after this many tries (Kubernetes loops until it finds a name; a bound keeps a bug from spinning). */
const MAX_COLLISIONS = 100;

export class RevisionHistory {
  readonly handle: ResourceHandle<ControllerRevision>;

  constructor(
    client: Client,
    private readonly hashLabel: string,
  ) {
    this.handle = client.resource<ControllerRevision>('apps/v1', 'controllerrevisions');
  }

  /**
   * Makes sure a revision of the parent's template exists and is the newest:
   * the newest equal one is kept; an older equal one (a rollback) gets the
   * next number; otherwise a new one is created. `owned` are the parent's
   * revisions as the caller's cache sees them.
   */
  async ensureUpdateRevision(parent: RevisionedParent, owned: ControllerRevision[], collisionCount: number): Promise<RevisionResult> {
    const revisions = sortRevisions(owned);
    const candidate = newControllerRevision(parent, nextRevision(revisions), collisionCount, { hashLabel: this.hashLabel });
    const equal = findEqualRevisions(revisions, candidate);
    const newest = revisions[revisions.length - 1];
    const ns = parent.metadata!.namespace;
    if (equal.length > 0 && equalRevision(newest, equal[equal.length - 1])) {
      return { updateRevision: newest!, collisionCount, revisions };
    }
    if (equal.length > 0) {
      const old = equal[equal.length - 1]!;
      const renumbered = await this.handle.update(ns, { ...old, revision: candidate.revision });
      return { updateRevision: renumbered, collisionCount, revisions: sortRevisions(revisions.map((r) => (r.metadata?.name === renumbered.metadata?.name ? renumbered : r))) };
    }
    for (let i = 0; i < MAX_COLLISIONS; i++) {
      const rev = newControllerRevision(parent, candidate.revision!, collisionCount, { hashLabel: this.hashLabel });
      try {
        const created = await this.handle.create(ns, rev);
        return { updateRevision: created, collisionCount, revisions: [...revisions, created] };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await this.handle.get(ns, rev.metadata!.name!);
        const parentUID = parent.metadata?.uid;
        const mine = existing.metadata?.ownerReferences?.some((r) => r.controller && r.uid === parentUID);
        // Our own revision that the cache had not shown yet: use it.
        if (mine && equalRevision(existing, rev)) {
          const updated = existing.revision === rev.revision ? existing : await this.handle.update(ns, { ...existing, revision: rev.revision });
          return { updateRevision: updated, collisionCount, revisions: [...revisions.filter((r) => r.metadata?.name !== updated.metadata?.name), updated] };
        }
        collisionCount++;
      }
    }
    throw new Error(`controller revision for ${parent.kind} ${ns}/${parent.metadata?.name}: no free name after ${MAX_COLLISIONS} hash collisions`);
  }

  /** Deletes the oldest revisions no pod uses beyond `limit`. */
  async truncate(revisions: ControllerRevision[], live: Set<string>, limit: number): Promise<void> {
    for (const r of revisionsToTruncate(revisions, live, limit)) {
      try {
        await this.handle.delete(r.metadata!.namespace, r.metadata!.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
