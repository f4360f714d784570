// The RollingUpdate strategy (Kubernetes' rolling.go): grow the new
// ReplicaSet up to replicas+maxSurge pods in total, shrink old ones while
// at least replicas-maxUnavailable stay available, unhealthy old pods first.

import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { deploymentComplete } from './progress.ts';
import { activeReplicaSets, availableReplicas, byCreation, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas } from './replicas.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, syncRolloutStatus, type SyncContext } from './sync.ts';

export async function rolloutRolling(ctx: SyncContext): Promise<void> {
  const { newRS: created, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, true);
  let newRS = created!;
  let old = oldRSs;
  const all = () => [...old, newRS];

  const up = await reconcileNewReplicaSet(ctx, all(), newRS);
  newRS = up.rs;
  if (up.scaled) return syncRolloutStatus(ctx, all(), newRS);

  const down = await reconcileOldReplicaSets(ctx, all(), activeReplicaSets(old), newRS);
  old = old.map((rs) => ctx.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs);
  if (down) return syncRolloutStatus(ctx, all(), newRS);

  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, old);
  return syncRolloutStatus(ctx, all(), newRS);
}

async function reconcileNewReplicaSet(ctx: SyncContext, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const want = replicasOf(ctx.d);
  const have = newRS.spec?.replicas ?? 0;
  if (have === want) return { scaled: false, rs: newRS };
  if (have > want) return scaleReplicaSetAndRecordEvent(ctx, newRS, want);
  return scaleReplicaSetAndRecordEvent(ctx, newRS, newRSNewReplicas(ctx.d, allRSs, newRS));
}

/**
 * How many old replicas may go now: everything above minAvailable, minus
 * new pods not yet available (they may never become so).
 */
export function maxScaledDown(allPods: number, replicas: number, maxUnavail: number, newRSUnavailable: number): number {
  return allPods - (replicas - maxUnavail) - newRSUnavailable;
}

async function reconcileOldReplicaSets(ctx: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
  const budget = maxScaledDown(specReplicas(allRSs), replicasOf(ctx.d), maxUnavailable(ctx.d), newUnavailable);
  if (budget <= 0) return false;
  const { old, count: cleaned } = await cleanupUnhealthyReplicas(ctx, oldRSs, budget);
  const scaled = await scaleDownOldReplicaSetsForRollingUpdate(ctx, [...old, newRS], old);
  return cleaned + scaled > 0;
}

/** Scales old ReplicaSets down by their unavailable pods first (oldest first), up to `max`. */
async function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: ReplicaSet[], max: number): Promise<{ old: ReplicaSet[]; count: number }> {
  const old = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < old.length && total < max; i++) {
    const rs = old[i]!;
    const replicas = rs.spec?.replicas ?? 0;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const n = Math.min(max - total, replicas - available);
    old[i] = (await scaleReplicaSetAndRecordEvent(ctx, rs, replicas - n)).rs;
    total += n;
  }
  return { old, count: total };
}

/** Scales old ReplicaSets down while availability stays at or above minAvailable. */
async function scaleDownOldReplicaSetsForRollingUpdate(ctx: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(ctx.d) - maxUnavailable(ctx.d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    const replicas = rs.spec?.replicas ?? 0;
    if (replicas === 0) continue;
    const n = Math.min(replicas, target - total);
    await scaleReplicaSetAndRecordEvent(ctx, rs, replicas - n);
    total += n;
  }
  return total;
}
