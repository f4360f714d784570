// What a failed attempt writes to the pod: the PodScheduled=False condition
// (reason Unschedulable or SchedulerError, with the scheduler's message) and
// status.nominatedNodeName, patched only when they change, as Kubernetes'
// updatePod does. Messages are cut to Kubernetes' 1024-character note limit.

import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

export const NOTE_LENGTH_LIMIT = 1024;

export function truncateMessage(m: string): string {
  if (m.length <= NOTE_LENGTH_LIMIT) return m;
  const suffix = ' ...';
  return m.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The strategic-merge patch of pods/status for a failed attempt, or undefined when nothing changes. */
export function podScheduledPatch(pod: Pod, reason: string, message: string, nominatedNodeName: string | undefined): object | undefined {
  const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const condChanged = !old || old.status !== 'False' || old.reason !== reason || old.message !== message;
  const nomChanged = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
  if (!condChanged && !nomChanged) return undefined;
  const status: Record<string, unknown> = {};
  if (condChanged) {
    const cond: PodCondition = { type: 'PodScheduled', status: 'False', reason, message, lastTransitionTime: old?.status === 'False' ? old.lastTransitionTime : now() };
    status.conditions = [{ ...cond, lastProbeTime: null }];
  }
  if (nomChanged) status.nominatedNodeName = nominatedNodeName || null;
  return { status };
}
