// What the batch/node controller tests do in place of a kubelet: write a
// pod's status (Running and Ready, or finished with an exit code) through
// the pods/status subresource, as the node agent will.

import assert from 'node:assert/strict';
import type { apiClient } from './api.ts';

type Api = ReturnType<typeof apiClient>;

const nowStr = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Writes the pod's status as a kubelet would report it. */
export async function setPodStatus(api: Api, ns: string, name: string, s: { phase: 'Running' | 'Succeeded' | 'Failed'; ready?: boolean; exitCode?: number; restartCount?: number }): Promise<any> {
  const path = `/api/v1/namespaces/${ns}/pods/${name}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const pod = (await api('GET', path)).body;
    const t = nowStr();
    const running = s.phase === 'Running';
    pod.status = {
      ...pod.status,
      phase: s.phase,
      startTime: pod.status?.startTime ?? t,
      conditions: [{ type: 'Ready', status: running && s.ready !== false ? 'True' : 'False', lastTransitionTime: t }],
      containerStatuses: (pod.spec.containers as { name: string; image: string }[]).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: running && s.ready !== false,
        restartCount: s.restartCount ?? 0,
        started: running,
        state: running ? { running: { startedAt: t } } : { terminated: { exitCode: s.exitCode ?? (s.phase === 'Succeeded' ? 0 : 1), reason: s.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: t, finishedAt: t } },
      })),
    };
    const r = await api('PUT', `${path}/status`, pod);
    if (r.status === 409) continue;
    assert.equal(r.status, 200, `status of pod ${ns}/${name}: ${r.text}`);
    return r.body;
  }
  throw new Error(`status of pod ${ns}/${name}: conflicts on every try`);
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
