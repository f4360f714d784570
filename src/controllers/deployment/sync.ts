// One reconcile of a Deployment by key (Kubernetes' syncDeployment and
// sync.go): claim ReplicaSets, find or create the new one with the next
// revision, handle paused Deployments and scaling events (proportional
// scaling), clean up old revisions, and write status. The strategies are
// in rolling.ts and recreate.ts.

import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { splitKey } from '../../client/informer.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/rest.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../util/controllerref.ts';
import { BY_NAMESPACE } from '../util/indexes.ts';
import type { DeploymentController } from './controller.ts';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH } from './hash.ts';
import {
  FAILED_RS_CREATE,
  FOUND_NEW_RS,
  NEW_RS_CREATED,
  PAUSED,
  PROGRESSING,
  RESUMED,
  TIMED_OUT,
  calculateStatus,
  getCondition,
  hasProgressDeadline,
  newCondition,
  requeueStuckAfter,
  rolloutStatus,
  setCondition,
  statusEqual,
} from './progress.ts';
import {
  activeReplicaSets,
  byCreation,
  desiredReplicasAnnotation,
  isRollingUpdate,
  maxSurge,
  newRSNewReplicas,
  proportionalSizes,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setReplicasAnnotations,
  availableReplicas,
} from './replicas.ts';
import { byRevision, maxRevision, REVISION, setNewReplicaSetAnnotations } from './rollback.ts';
import { rolloutRolling } from './rolling.ts';
import { rolloutRecreate } from './recreate.ts';

/** What one sync works on; ReplicaSet entries are replaced as writes return newer copies. */
export interface SyncContext {
  dc: DeploymentController;
  d: Deployment;
  rsList: ReplicaSet[];
}

export async function syncDeployment(dc: DeploymentController, key: string): Promise<void> {
  const cached = dc.deployments.get(key);
  if (!cached) return;
  // List items may come without apiVersion/kind; owner references need them.
  const d: Deployment = { ...structuredClone(cached), apiVersion: 'apps/v1', kind: 'Deployment' };
  const sel = d.spec?.selector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
    dc.events.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
      await writeStatus({ dc, d, rsList: [] }, { ...d.status, observedGeneration: d.metadata?.generation });
    }
    return;
  }
  const ctx: SyncContext = { dc, d, rsList: await claimReplicaSets(dc, d) };
  if (d.metadata?.deletionTimestamp) return syncStatusOnly(ctx);
  await checkPausedConditions(ctx);
  if (d.spec?.paused) return syncPaused(ctx);
  if (isScalingEvent(ctx)) return syncPaused(ctx);
  if (d.spec?.strategy?.type === 'Recreate') return rolloutRecreate(ctx, podsByReplicaSet(ctx));
  return rolloutRolling(ctx);
}

/** The ReplicaSets this Deployment controls, after adopting orphans and releasing non-matching ones. */
async function claimReplicaSets(dc: DeploymentController, d: Deployment): Promise<ReplicaSet[]> {
  const { namespace } = splitKey(`${d.metadata?.namespace}/${d.metadata?.name}`);
  const sel = selectorFromLabelSelector(d.spec?.selector);
  return claimObjects({
    owner: d,
    objects: dc.replicaSets.byIndex(BY_NAMESPACE, namespace).map((rs) => structuredClone(rs)),
    matches: (rs) => sel.matches(rs.metadata?.labels),
    handle: dc.rsHandle,
    canAdopt: recheckOwner(() => dc.deployHandle.get(namespace, d.metadata!.name!), d),
  });
}

/** Pods of each owned ReplicaSet, by ReplicaSet uid (Recreate waits on them). */
function podsByReplicaSet(ctx: SyncContext): Map<string, Pod[]> {
  const sel = selectorFromLabelSelector(ctx.d.spec?.selector);
  const uids = new Set(ctx.rsList.map((rs) => rs.metadata?.uid));
  const out = new Map<string, Pod[]>();
  for (const p of ctx.dc.pods.byIndex(BY_NAMESPACE, ctx.d.metadata?.namespace ?? '')) {
    const ref = getControllerOf(p);
    if (!ref || !uids.has(ref.uid) || !sel.matches(p.metadata?.labels)) continue;
    const list = out.get(ref.uid) ?? [];
    list.push(p);
    out.set(ref.uid, list);
  }
  return out;
}

// --- new and old ReplicaSets ---------------------------------------------------------

/** The oldest ReplicaSet whose template equals the Deployment's (Kubernetes' FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * The new ReplicaSet (created when `create` and missing) and every old one,
 * with revision annotations brought up to date.
 */
export async function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
  const existing = findNewReplicaSet(ctx.d, ctx.rsList);
  const oldRSs = ctx.rsList.filter((rs) => rs !== existing);
  const newRS = await getNewReplicaSet(ctx, existing, oldRSs, create);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(ctx: SyncContext, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const { dc, d } = ctx;
  const ns = d.metadata!.namespace!;
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsChanged || minReadyChanged) {
      copy.spec!.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      return replaceRS(ctx, await dc.rsHandle.update(ns, copy));
    }
    let needsStatus = await setDeploymentRevision(ctx, copy.metadata?.annotations?.[REVISION] ?? '');
    const status = structuredClone(ctx.d.status ?? {});
    if (hasProgressDeadline(d) && !getCondition(status, PROGRESSING)) {
      setCondition(status, newCondition(PROGRESSING, 'True', FOUND_NEW_RS, `Found new replica set "${copy.metadata?.name}"`, dc.now()));
      needsStatus = true;
    }
    if (needsStatus && !statusEqual(ctx.d.status, status)) await writeStatus(ctx, status);
    return copy;
  }
  if (!create) return undefined;

  const template = structuredClone(d.spec!.template!);
  const hash = computeHash(d.spec!.template, d.status?.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec!.selector!);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.metadata!.name}-${hash}`, namespace: ns, ownerReferences: [newControllerRef(d)], labels: template.metadata.labels },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = await dc.rsHandle.create(ns, rs);
  } catch (e) {
    if (isAlreadyExists(e)) {
      const found = dc.replicaSets.get(`${ns}/${rs.metadata!.name}`) ?? (await dc.rsHandle.get(ns, rs.metadata!.name!).catch(() => undefined));
      if (found && getControllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
        created = structuredClone(found);
        alreadyExisted = true;
      } else {
        // A hash collision: bump collisionCount so the next try hashes differently.
        await writeStatus(ctx, { ...structuredClone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw e;
      }
    } else {
      const msg = `Failed to create new replica set "${rs.metadata!.name}": ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition(PROGRESSING, 'False', FAILED_RS_CREATE, msg, dc.now()));
        await writeStatus(ctx, status).catch(() => {});
      }
      dc.events.event(d, 'Warning', 'FailedCreate', msg);
      throw e;
    }
  }
  ctx.rsList.push(created);
  if (!alreadyExisted && (rs.spec!.replicas ?? 0) > 0) {
    dc.events.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${rs.spec!.replicas}`);
  }
  let needsStatus = await setDeploymentRevision(ctx, String(newRevision));
  const status = structuredClone(ctx.d.status ?? {});
  if (!alreadyExisted && hasProgressDeadline(d)) {
    setCondition(status, newCondition(PROGRESSING, 'True', NEW_RS_CREATED, `Created new replica set "${created.metadata?.name}"`, dc.now()));
    needsStatus = true;
  }
  if (needsStatus && !statusEqual(ctx.d.status, status)) await writeStatus(ctx, status);
  return created;
}

/**
 * The Deployment's own revision annotation follows its newest ReplicaSet.
 * Kubernetes writes it with the status; our status subresource keeps
 * metadata, so it is a metadata patch of its own. Answers false (no status
 * write needed for it) either way.
 */
async function setDeploymentRevision(ctx: SyncContext, revision: string): Promise<boolean> {
  if (!revision || ctx.d.metadata?.annotations?.[REVISION] === revision) return false;
  const updated = await ctx.dc.deployHandle.patch(ctx.d.metadata!.namespace!, ctx.d.metadata!.name!, 'merge', { metadata: { annotations: { [REVISION]: revision }, resourceVersion: ctx.d.metadata?.resourceVersion } });
  ctx.d = { ...ctx.d, metadata: updated.metadata };
  return false;
}

function replaceRS(ctx: SyncContext, rs: ReplicaSet): ReplicaSet {
  const i = ctx.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
  if (i >= 0) ctx.rsList[i] = rs;
  else ctx.rsList.push(rs);
  return rs;
}

// --- scaling ---------------------------------------------------------------------------

/** Sets a ReplicaSet's size and replicas annotations; answers the updated copy. */
export async function scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, size: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const { d, dc } = ctx;
  const from = rs.spec?.replicas ?? 0;
  const sizeChanged = from !== size;
  const max = replicasOf(d) + maxSurge(d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  copy.spec!.replicas = size;
  setReplicasAnnotations(copy, replicasOf(d), max);
  const updated = replaceRS(ctx, await dc.rsHandle.update(rs.metadata!.namespace!, copy));
  if (sizeChanged) dc.events.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata?.name} from ${from} to ${size}`);
  return { scaled: sizeChanged, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(ctx: SyncContext, rs: ReplicaSet, size: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const from = rs.spec?.replicas ?? 0;
  if (from === size) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, size, from < size ? 'up' : 'down');
}

/** The one active ReplicaSet, or the newest when none is active (Kubernetes' FindActiveOrLatest). */
function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => -byCreation(a, b));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  return desiredReplicasAnnotation(rs) === replicasOf(d) && (rs.spec?.replicas ?? 0) === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** Resizes ReplicaSets to a changed spec.replicas: all on one, or proportionally during a rollout. */
async function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const { d } = ctx;
  const one = activeOrLatest(newRS, oldRSs);
  if (one) {
    if ((one.spec?.replicas ?? 0) !== replicasOf(d)) await scaleReplicaSetAndRecordEvent(ctx, one, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(ctx, rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const sizes = proportionalSizes(d, all);
  const total = all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const operation = allowed > total ? 'up' : allowed < total ? 'down' : '';
  for (const rs of all) await scaleReplicaSet(ctx, rs, sizes.get(rs.metadata!.name!)!, operation);
}

/** A paused Deployment, or a resize: scale without rolling out (Kubernetes' sync). */
async function syncPaused(ctx: SyncContext): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  await scale(ctx, newRS, oldRSs);
  const fresh = () => ({ newRS: newRS && ctx.rsList.find((x) => x.metadata?.uid === newRS.metadata?.uid), old: ctx.rsList.filter((x) => x.metadata?.uid !== newRS?.metadata?.uid) });
  if (ctx.d.spec?.paused) await cleanupDeployment(ctx, fresh().old);
  const f = fresh();
  await syncDeploymentStatus(ctx, [...f.old, f.newRS], f.newRS);
}

/** A desired-replicas annotation differs from spec.replicas: the user resized the Deployment. */
function isScalingEvent(ctx: SyncContext): boolean {
  const newRS = findNewReplicaSet(ctx.d, ctx.rsList);
  const all = activeReplicaSets(ctx.rsList);
  void newRS;
  return all.some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== replicasOf(ctx.d);
  });
}

/** Deletes the oldest unused ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(ctx: SyncContext, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = ctx.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i]!;
    if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec?.replicas ?? 0) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await ctx.dc.rsHandle.delete(rs.metadata!.namespace!, rs.metadata!.name!, { preconditions: { uid: rs.metadata?.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}

// --- status ------------------------------------------------------------------------------

export async function writeStatus(ctx: SyncContext, status: DeploymentStatus): Promise<void> {
  const updated = await ctx.dc.deployHandle.updateStatus(ctx.d.metadata!.namespace!, { ...ctx.d, status });
  ctx.d = updated;
}

async function syncDeploymentStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(allRSs, newRS, ctx.d, ctx.dc.now());
  if (!statusEqual(ctx.d.status, status)) await writeStatus(ctx, status);
}

async function syncStatusOnly(ctx: SyncContext): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
}

/** The status after a rollout step; requeues a stuck rollout for its deadline. */
export async function syncRolloutStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const now = ctx.dc.now();
  const status = rolloutStatus(allRSs, newRS, ctx.d, now);
  if (!statusEqual(ctx.d.status, status)) {
    await writeStatus(ctx, status);
    return;
  }
  const after = requeueStuckAfter(ctx.d, status, now);
  if (after !== undefined) ctx.dc.queue.addAfter(`${ctx.d.metadata?.namespace}/${ctx.d.metadata?.name}`, after);
}

/** Progressing shows DeploymentPaused while paused and DeploymentResumed after (unless it timed out). */
async function checkPausedConditions(ctx: SyncContext): Promise<void> {
  const { d, dc } = ctx;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, PROGRESSING);
  if (cond?.reason === TIMED_OUT) return;
  const pausedCond = cond?.reason === PAUSED;
  const status = structuredClone(d.status ?? {});
  if (d.spec?.paused && !pausedCond) setCondition(status, newCondition(PROGRESSING, 'Unknown', PAUSED, 'Deployment is paused', dc.now()));
  else if (!d.spec?.paused && pausedCond) setCondition(status, newCondition(PROGRESSING, 'Unknown', RESUMED, 'Deployment is resumed', dc.now()));
  else return;
  await writeStatus(ctx, status);
}

export { availableReplicas };
