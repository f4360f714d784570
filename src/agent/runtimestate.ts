// What the runtime holds for one pod, read back by its labels: sandboxes
// newest first, and each container name's instances newest first. Every
// sync decides from this (never from memory), so a restarted agent decides
// the same way and adopts what is already running.

import type { ContainerStatus, PodSandboxStatus, Runtime } from '../engine/runtime.ts';
import { CONTAINER_NAME, CONTAINER_RESTART_COUNT, POD_UID } from './labels.ts';

export interface PodRuntimeState {
  uid: string;
  sandboxes: PodSandboxStatus[];
  /** Container instances by container name, newest first. */
  containers: Map<string, ContainerStatus[]>;
}

export function restartCountOf(c: ContainerStatus): number {
  const n = Number(c.annotations[CONTAINER_RESTART_COUNT] ?? c.metadata.attempt);
  return Number.isFinite(n) ? n : c.metadata.attempt;
}

export async function podRuntimeState(runtime: Runtime, uid: string): Promise<PodRuntimeState> {
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes({ labelSelector: { [POD_UID]: uid } }), runtime.listContainers({ labelSelector: { [POD_UID]: uid } })]);
  return buildState(uid, sandboxes, containers);
}

export function buildState(uid: string, sandboxes: PodSandboxStatus[], containers: ContainerStatus[]): PodRuntimeState {
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  const byName = new Map<string, ContainerStatus[]>();
  for (const c of containers) {
    const name = c.labels[CONTAINER_NAME] ?? c.metadata.name;
    let l = byName.get(name);
    if (!l) byName.set(name, (l = []));
    l.push(c);
  }
  for (const l of byName.values()) l.sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
  return { uid, sandboxes, containers: byName };
}

/** The sandbox containers run in now: the newest, if ready. */
export function currentSandbox(s: PodRuntimeState): PodSandboxStatus | undefined {
  const sb = s.sandboxes[0];
  return sb?.state === 'ready' ? sb : undefined;
}

export function latest(s: PodRuntimeState, name: string): ContainerStatus | undefined {
  return s.containers.get(name)?.[0];
}

export function isEmpty(s: PodRuntimeState): boolean {
  return s.sandboxes.length === 0 && s.containers.size === 0;
}
