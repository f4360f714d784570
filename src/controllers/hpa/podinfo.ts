// What the replica calculation reads of a Pod: phase, deletion, start time,
// the Ready condition, and the pod's request of a resource — the sum over
// its containers and restartable (sidecar) init containers, as Kubernetes'
// calculatePodRequests counts them.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { amount } from './podmetrics.ts';
import type { PodInfo } from './replicas.ts';

const time = (t: string | undefined): number | undefined => {
  const v = t ? Date.parse(t) : NaN;
  return Number.isNaN(v) ? undefined : v;
};

export function podInfo(p: Pod, resource: string): PodInfo {
  const containers = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  let request = 0;
  let missingRequest: string | undefined;
  for (const c of containers) {
    const q = c.resources?.requests?.[resource];
    if (q === undefined) missingRequest ??= c.name;
    else request += amount(resource, q);
  }
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    name: p.metadata?.name ?? '',
    phase: p.status?.phase,
    deleting: !!p.metadata?.deletionTimestamp,
    startTime: time(p.status?.startTime),
    ready: ready ? { status: ready.status, lastTransitionTime: time(ready.lastTransitionTime) } : undefined,
    request,
    ...(missingRequest !== undefined ? { missingRequest } : {}),
  };
}
