// Services with their ports and endpoints (ready addresses from the
// Endpoints object of the same name), live from watches.

import { RESOURCES } from '../api.js';
import { age, h, table } from '../dom.js';
import { inNamespace, live } from './live.js';

function ports(s) {
  return (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(', ');
}

function endpoints(ep) {
  if (!ep) return h('span', { class: 'muted' }, '<none>');
  const out = [];
  for (const sub of ep.subsets ?? []) {
    for (const a of sub.addresses ?? []) for (const p of sub.ports ?? [{}]) out.push(`${a.ip}${p.port ? `:${p.port}` : ''}`);
    for (const a of sub.notReadyAddresses ?? []) out.push(`${a.ip} (not ready)`);
  }
  return out.length ? out.join(', ') : h('span', { class: 'muted' }, '<none>');
}

export function services(root, _args, state) {
  return live(root, [RESOURCES.services, RESOURCES.endpoints], (svcs, eps) => {
    const rows = svcs.list().filter(inNamespace(state)).map((s) => h('tr', { dataset: { service: `${s.metadata.namespace}/${s.metadata.name}` } },
      h('td', {}, s.metadata.namespace), h('td', {}, s.metadata.name), h('td', {}, s.spec?.type ?? 'ClusterIP'),
      h('td', {}, s.spec?.clusterIP ?? ''), h('td', {}, ports(s)),
      h('td', { class: 'endpoints' }, endpoints(eps.get(`${s.metadata.namespace}/${s.metadata.name}`))),
      h('td', {}, age(s.metadata.creationTimestamp))));
    return [h('h1', {}, 'Services'), table(['Namespace', 'Name', 'Type', 'Cluster IP', 'Ports', 'Endpoints', 'Age'], rows, { id: 'services' })];
  });
}
