// The informers both service-endpoint controllers run: services and pods,
// with a pod change enqueuing every Service in its namespace that selects it
// (before or after the change).

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Client, KubeObject } from '../../client/rest.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { selects } from './pods.ts';

export interface ServicePodInformers {
  services: Informer<Service & KubeObject>;
  pods: Informer<Pod & KubeObject>;
}

export function servicePodInformers(client: Client, enqueue: (serviceKey: string) => void, onError: (e: unknown) => void): ServicePodInformers {
  const services = new Informer<Service & KubeObject>(client.resource('v1', 'services') as never, { onError });
  const pods = new Informer<Pod & KubeObject>(client.resource('v1', 'pods') as never, { onError });
  services.addIndex('namespace', (s) => [s.metadata?.namespace ?? '']);
  pods.addIndex('namespace', (p) => [p.metadata?.namespace ?? '']);
  const byService = (s: Service & KubeObject) => enqueue(keyOf(s));
  services.onAdd(byService).onUpdate((_, s) => byService(s)).onDelete(byService);
  const byPod = (...ps: Pod[]) => {
    const ns = ps[0]!.metadata?.namespace ?? '';
    for (const svc of services.byIndex('namespace', ns)) if (ps.some((p) => selects(svc, p))) enqueue(keyOf(svc));
  };
  pods.onAdd((p) => byPod(p)).onUpdate((o, n) => byPod(o, n)).onDelete((p) => byPod(p));
  return { services, pods };
}
