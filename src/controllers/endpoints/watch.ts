// The informers both service-endpoint controllers run: services and pods,
// with a pod change enqueuing every Service in its namespace that selects it
// (before or after the change).

import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/rest.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import type { ControllerInformers } from '../util/informers.ts';
import { addIndexes, BY_NAMESPACE } from '../util/indexes.ts';
import { selects } from './pods.ts';

export interface ServicePodInformers {
  services: Informer<Service & KubeObject>;
  pods: Informer<Pod & KubeObject>;
}

/** Services and pods from `informers` (shared or the controller's own), indexed by namespace. */
export function servicePodInformers(informers: ControllerInformers, enqueue: (serviceKey: string) => void): ServicePodInformers {
  const services = addIndexes(informers.get<Service & KubeObject>('v1', 'services'), BY_NAMESPACE);
  const pods = addIndexes(informers.get<Pod & KubeObject>('v1', 'pods'), BY_NAMESPACE);
  const byService = (s: Service & KubeObject) => enqueue(keyOf(s));
  services.onAdd(byService).onUpdate((_, s) => byService(s)).onDelete(byService);
  const byPod = (...ps: Pod[]) => {
    const ns = ps[0]!.metadata?.namespace ?? '';
    for (const svc of services.byIndex('namespace', ns)) if (ps.some((p) => selects(svc, p))) enqueue(keyOf(svc));
  };
  pods.onAdd((p) => byPod(p)).onUpdate((o, n) => byPod(o, n)).onDelete((p) => byPod(p));
  return { services, pods };
}
