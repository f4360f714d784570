// The changes a user can make from the dashboard, as kubectl makes them:
// scale (merge patch of the scale subresource), rollout restart (the
// restartedAt annotation on the pod template, strategic merge), delete a pod.

import { request } from '../api.js';

const seg = encodeURIComponent;

export function scaleDeployment(ns, name, replicas) {
  return request('PATCH', `/apis/apps/v1/namespaces/${seg(ns)}/deployments/${seg(name)}/scale`, { body: { spec: { replicas } }, contentType: 'application/merge-patch+json' });
}

export function restartDeployment(ns, name) {
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
  return request('PATCH', `/apis/apps/v1/namespaces/${seg(ns)}/deployments/${seg(name)}?fieldManager=skiff-dashboard`, { body: patch, contentType: 'application/strategic-merge-patch+json' });
}

export function deletePod(ns, name) {
  return request('DELETE', `/api/v1/namespaces/${seg(ns)}/pods/${seg(name)}`, { body: { propagationPolicy: 'Background' } });
}
