// The Recreate strategy (Kubernetes' recreate.go): scale every old
// ReplicaSet to zero, wait until none of their pods is left running, then
// create the new ReplicaSet at full size.

import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deploymentComplete } from './progress.ts';
import { activeReplicaSets, actualReplicas, replicasOf } from './replicas.ts';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, syncRolloutStatus, type SyncContext } from './sync.ts';

/** Old pods still count until they are gone or terminal (a terminating pod may still be running). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export async function rolloutRecreate(ctx: SyncContext, podMap: Map<string, Pod[]>): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, false);
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    if ((rs.spec?.replicas ?? 0) !== 0 && (await scaleReplicaSetAndRecordEvent(ctx, rs, 0)).scaled) scaledDown = true;
  }
  const fresh = (rs: ReplicaSet) => ctx.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs;
  oldRSs = oldRSs.map(fresh);
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS);

  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(ctx, true));
  newRS = (await scaleReplicaSetAndRecordEvent(ctx, newRS!, replicasOf(ctx.d))).rs;
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await cleanupDeployment(ctx, oldRSs);
  return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS);
}
