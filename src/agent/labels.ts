// How the agent marks what it runs: the kubelet's labels and annotations on
// sandboxes and containers. A restarted agent finds its pods' containers by
// them (restart safety): pod uid, name and namespace, container name, the
// restart count and a hash of the container spec (a changed spec restarts
// the container; an unchanged one is adopted as is).

import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

export const POD_UID = 'io.kubernetes.pod.uid';
export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
/** Which list the container comes from: `init` or `app` (ours; the kubelet looks names up in the spec). */
export const CONTAINER_TYPE = 'skiff.io/container-type';
export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const POD_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
/** Marks everything this agent manages, so it never touches other runtimes' users. */
export const MANAGED_BY = 'skiff.io/managed-by';
export const MANAGER = 'skiff-agent';

export function sandboxLabels(pod: Pod): Record<string, string> {
  const m = pod.metadata!;
  return { ...(m.labels ?? {}), [POD_UID]: m.uid!, [POD_NAME]: m.name!, [POD_NAMESPACE]: m.namespace!, [MANAGED_BY]: MANAGER };
}

export function containerLabels(pod: Pod, c: Container, type: 'init' | 'app'): Record<string, string> {
  const m = pod.metadata!;
  return { [POD_UID]: m.uid!, [POD_NAME]: m.name!, [POD_NAMESPACE]: m.namespace!, [CONTAINER_NAME]: c.name, [CONTAINER_TYPE]: type, [MANAGED_BY]: MANAGER };
}

export function containerAnnotations(pod: Pod, c: Container, restartCount: number): Record<string, string> {
  return {
    [CONTAINER_HASH]: containerHash(c),
    [CONTAINER_RESTART_COUNT]: String(restartCount),
    [POD_GRACE]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
}

/** JSON with sorted keys, so equal specs hash equally whatever their key order. */
function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJSON((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Hash of the container spec; resources are left out as the kubelet does (they may be resized in place). */
export function containerHash(c: Container): string {
  const { resources: _r, ...rest } = c;
  return createHash('sha256').update(stableJSON(rest)).digest('hex').slice(0, 8);
}
