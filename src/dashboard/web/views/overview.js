// Cluster overview: nodes ready, pods by phase, workloads, recent events.

import { RESOURCES } from '../api.js';
import { age, h, table } from '../dom.js';
import { inNamespace, live } from './live.js';

const isReady = (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const eventTime = (e) => e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;

export function overview(root, _args, state) {
  return live(root, [RESOURCES.nodes, RESOURCES.pods, RESOURCES.deployments, RESOURCES.events], (nodes, pods, deps, events) => {
    const mine = inNamespace(state);
    const ps = pods.list().filter(mine);
    const phases = {};
    for (const p of ps) phases[p.status?.phase ?? 'Pending'] = (phases[p.status?.phase ?? 'Pending'] ?? 0) + 1;
    const card = (id, n, l, cls) => h('div', { class: 'card', id }, h('div', { class: `n ${cls ?? ''}` }, n), h('div', { class: 'l' }, l));
    const ns = nodes.list();
    const recent = events.list().filter(mine).sort((a, b) => Date.parse(eventTime(b)) - Date.parse(eventTime(a))).slice(0, 20);
    return [
      h('h1', {}, 'Cluster overview'),
      h('div', { class: 'cards' },
        card('card-nodes', `${ns.filter(isReady).length}/${ns.length}`, 'nodes ready'),
        card('card-pods', ps.length, 'pods'),
        ['Running', 'Pending', 'Succeeded', 'Failed'].map((ph) => card(`card-pods-${ph}`, phases[ph] ?? 0, `${ph}`, `phase-${ph}`)),
        card('card-deployments', deps.list().filter(mine).length, 'deployments')),
      h('h2', {}, 'Recent events'),
      table(['Last seen', 'Type', 'Reason', 'Object', 'Message'], recent.map((e) => h('tr', {},
        h('td', {}, age(eventTime(e))),
        h('td', { class: e.type === 'Warning' ? 'warn' : '' }, e.type),
        h('td', {}, e.reason),
        h('td', {}, `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`),
        h('td', {}, e.message))), { id: 'events' }),
    ];
  });
}
