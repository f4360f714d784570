// What the batch and node controller tests do in place of a kubelet: write
// a pod's status (Running and Ready, or finished with an exit code) through
// pods/status, as the node agent will; and small readers for Jobs.

import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { apiClient } from './api.ts';
import { kubeletStatus, type SimulatedState } from './workloads.ts';

type Api = ReturnType<typeof apiClient>;

/** Writes the pod's status as a kubelet would report it (see kubeletStatus). */
export async function setPodStatus(api: Api, ns: string, name: string, s: SimulatedState): Promise<any> {
  const path = `/api/v1/namespaces/${ns}/pods/${name}`;
  const pod = (await api('GET', path)).body as Pod;
  const r = await api('PATCH', `${path}/status`, { status: kubeletStatus(pod, s) }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(r.status, 200, `status of pod ${ns}/${name}: ${r.text}`);
  return r.body;
}

/** Pods of a Job (by its job-name label), oldest first. */
export async function jobPods(api: Api, ns: string, job: string): Promise<any[]> {
  const r = await api('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${job}`)}`);
  return (r.body.items as any[]).sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
}

export function condition(obj: any, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

export function jobManifest(name: string, spec: Record<string, unknown> = {}, command = ['true']): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command }] } } },
  };
}
