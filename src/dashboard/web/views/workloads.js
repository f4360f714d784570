// Workloads: deployments with their rollout progress (scale, restart),
// replicasets, and pods (delete), live from watches.

import { RESOURCES } from '../api.js';
import { age, h, link, podHref, podReady, podStatus, restarts, table } from '../dom.js';
import { deletePod, restartDeployment, scaleDeployment } from './actions.js';
import { inNamespace, live } from './live.js';

/** What the user typed in a scale box, kept across re-renders. */
const scaleInputs = new Map();
const armedDeletes = new Set();

function progress(d) {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const cond = (s.conditions ?? []).find((c) => c.type === 'Progressing');
  const done = (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  const pct = want === 0 ? 100 : Math.min(100, Math.round(((s.availableReplicas ?? 0) / want) * 100));
  const text = cond?.reason === 'ProgressDeadlineExceeded' ? 'rollout failed: progress deadline exceeded' : done ? 'complete' : `${s.updatedReplicas ?? 0} of ${want} updated, ${s.availableReplicas ?? 0} available`;
  return h('span', { class: 'rollout' }, h('span', { class: 'bar' }, h('span', { style: `width:${pct}%` })), h('span', { class: done ? 'ok' : cond?.reason === 'ProgressDeadlineExceeded' ? 'bad' : 'warn' }, text));
}

export function workloads(root, _args, state) {
  let message = '';
  const note = (m) => { message = m; view.redraw(); };
  const act = (p, ok) => p.then(() => note(ok), (e) => note(`Failed: ${e.message}`));
  const view = live(root, [RESOURCES.deployments, RESOURCES.replicasets, RESOURCES.pods], (deps, rss, pods) => {
    const mine = inNamespace(state);
    const dRows = deps.list().filter(mine).map((d) => {
      const key = `${d.metadata.namespace}/${d.metadata.name}`;
      const s = d.status ?? {};
      const input = h('input', { type: 'number', min: '0', value: scaleInputs.get(key) ?? String(d.spec?.replicas ?? 1), oninput: (e) => scaleInputs.set(key, e.target.value), 'aria-label': `replicas for ${d.metadata.name}` });
      return h('tr', { dataset: { deployment: key } },
        h('td', {}, d.metadata.namespace),
        h('td', {}, d.metadata.name),
        h('td', { class: 'num ready' }, `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`),
        h('td', { class: 'num' }, s.updatedReplicas ?? 0),
        h('td', { class: 'num' }, s.availableReplicas ?? 0),
        h('td', {}, progress(d)),
        h('td', {}, age(d.metadata.creationTimestamp)),
        h('td', {},
          input,
          h('button', { class: 'scale', onclick: () => { const n = Number(input.value); scaleInputs.delete(key); act(scaleDeployment(d.metadata.namespace, d.metadata.name, n), `Scaled ${key} to ${n}`); } }, 'Scale'),
          ' ',
          h('button', { class: 'restart', onclick: () => act(restartDeployment(d.metadata.namespace, d.metadata.name), `Restarted ${key}`) }, 'Restart')));
    });
    const rsRows = rss.list().filter(mine).filter((r) => (r.spec?.replicas ?? 0) > 0 || (r.status?.replicas ?? 0) > 0).map((r) => h('tr', {},
      h('td', {}, r.metadata.namespace), h('td', {}, r.metadata.name),
      h('td', { class: 'num' }, r.spec?.replicas ?? 0), h('td', { class: 'num' }, r.status?.replicas ?? 0), h('td', { class: 'num' }, r.status?.readyReplicas ?? 0),
      h('td', {}, age(r.metadata.creationTimestamp))));
    const ps = pods.list().filter(mine).sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
    const pRows = ps.slice(0, 500).map((p) => {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      const armed = armedDeletes.has(key);
      const st = podStatus(p);
      return h('tr', { dataset: { pod: key } },
        h('td', {}, p.metadata.namespace), h('td', {}, link(podHref(p), p.metadata.name)),
        h('td', { class: 'num' }, podReady(p)), h('td', { class: `phase-${p.status?.phase ?? 'Pending'}` }, st), h('td', { class: 'num' }, restarts(p)),
        h('td', {}, p.spec?.nodeName ?? ''), h('td', {}, age(p.metadata.creationTimestamp)),
        h('td', {}, h('button', { class: `danger delete${armed ? ' armed' : ''}`, onclick: () => {
          if (!armed) { armedDeletes.add(key); view.redraw(); setTimeout(() => { armedDeletes.delete(key); view.redraw(); }, 5000); return; }
          armedDeletes.delete(key);
          act(deletePod(p.metadata.namespace, p.metadata.name), `Deleted pod ${key}`);
        } }, armed ? 'Confirm delete' : 'Delete')));
    });
    return [
      h('h1', {}, 'Workloads'),
      message ? h('p', { id: 'action-message', class: message.startsWith('Failed') ? 'error' : 'ok' }, message) : null,
      h('h2', {}, 'Deployments'),
      table(['Namespace', 'Name', 'Ready', 'Up-to-date', 'Available', 'Rollout', 'Age', ''], dRows, { id: 'deployments' }),
      h('h2', {}, 'ReplicaSets'),
      table(['Namespace', 'Name', 'Desired', 'Current', 'Ready', 'Age'], rsRows, { id: 'replicasets' }),
      h('h2', {}, `Pods (${ps.length})`),
      table(['Namespace', 'Name', 'Ready', 'Status', 'Restarts', 'Node', 'Age', ''], pRows, { id: 'pods' }),
      ps.length > 500 ? h('p', { class: 'muted' }, `Showing 500 of ${ps.length} pods; pick a namespace to narrow.`) : null,
    ];
  });
  return view;
}
