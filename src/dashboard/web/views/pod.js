// One pod: status, containers, events, and its log followed live (the
// log endpoint with follow=true, streamed). A pod deleted while open is
// shown as gone, with what was last known of it.

import { RESOURCES, streamLines } from '../api.js';
import { age, h, podReady, podStatus, table } from '../dom.js';
import { deletePod } from './actions.js';
import { live } from './live.js';

const MAX_LOG_LINES = 2000;

function containerState(c) {
  const [k, v] = Object.entries(c.state ?? {})[0] ?? ['waiting', {}];
  return `${k}${v.reason ? ` (${v.reason})` : ''}`;
}

export function pod(root, [namespace, name]) {
  const key = `${namespace}/${name}`;
  let lastSeen;
  let gone = false;
  let message = '';
  const info = h('div');
  const logBox = h('pre', { class: 'log', id: 'log' });
  const logStatus = h('span', { class: 'muted', id: 'log-status' });
  const containerPick = h('select', { id: 'log-container', onchange: () => follow() });
  root.append(info, h('h2', {}, 'Log ', containerPick, ' ', logStatus), logBox);

  let logAbort;
  function follow() {
    logAbort?.abort();
    logAbort = new AbortController();
    logBox.textContent = '';
    const c = containerPick.value;
    if (!c) return;
    logStatus.textContent = 'following';
    const lines = [];
    streamLines(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?follow=true&tailLines=500&container=${encodeURIComponent(c)}`, (line) => {
      lines.push(line);
      if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
      const atBottom = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
      logBox.textContent = lines.join('\n');
      if (atBottom) logBox.scrollTop = logBox.scrollHeight;
    }, logAbort.signal).then(() => { logStatus.textContent = 'log ended'; }, (e) => { if (e.name !== 'AbortError') logStatus.textContent = `log unavailable: ${e.message}`; });
  }

  const view = live(info, [RESOURCES.pods, RESOURCES.events], (pods, events) => {
    const p = pods.get(key);
    if (p) lastSeen = p;
    else if (pods.synced && (lastSeen || !gone)) gone = true;
    const shown = p ?? lastSeen;
    const head = [h('h1', {}, `Pod ${namespace}/${name}`), message ? h('p', { class: 'error' }, message) : null];
    if (!shown) {
      return [...head, pods.synced ? h('div', { class: 'gone', id: 'gone' }, `Pod ${key} does not exist (it may have been deleted).`) : h('p', { class: 'muted' }, 'Loading…')];
    }
    const names = (shown.spec?.containers ?? []).map((c) => c.name);
    if (containerPick.options.length !== names.length) {
      containerPick.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
      queueMicrotask(follow);
    }
    const st = shown.status ?? {};
    const evs = events.list().filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject?.namespace === namespace && e.involvedObject?.name === name)
      .sort((a, b) => Date.parse(b.lastTimestamp || b.eventTime || b.metadata.creationTimestamp) - Date.parse(a.lastTimestamp || a.eventTime || a.metadata.creationTimestamp));
    const kv = (k, v) => h('tr', {}, h('td', {}, k), h('td', {}, v ?? ''));
    return [
      ...head,
      !p ? h('div', { class: 'gone', id: 'gone' }, `This pod is gone: it was deleted. What is shown is its last known state.`) : null,
      h('table', { class: 'kv', id: 'pod-status' },
        kv('Status', h('span', { class: `phase-${st.phase}` }, podStatus(shown))), kv('Ready', podReady(shown)), kv('Node', shown.spec?.nodeName), kv('Pod IP', st.podIP),
        kv('Started', st.startTime ? `${age(st.startTime)} ago` : ''), kv('Conditions', (st.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(', ')),
        kv('Labels', Object.entries(shown.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', '))),
      p ? h('p', {}, h('button', { class: 'danger', id: 'delete-pod', onclick: () => deletePod(namespace, name).catch((e) => { message = `Delete failed: ${e.message}`; view.redraw(); }) }, 'Delete pod')) : null,
      h('h2', {}, 'Containers'),
      table(['Name', 'Image', 'State', 'Ready', 'Restarts'], (shown.spec?.containers ?? []).map((c) => {
        const s = (st.containerStatuses ?? []).find((x) => x.name === c.name) ?? {};
        return h('tr', {}, h('td', {}, c.name), h('td', {}, c.image), h('td', {}, containerState(s)), h('td', {}, s.ready ? 'true' : 'false'), h('td', { class: 'num' }, s.restartCount ?? 0));
      }), { id: 'containers' }),
      h('h2', {}, 'Events'),
      table(['Last seen', 'Type', 'Reason', 'Message'], evs.map((e) => h('tr', {}, h('td', {}, age(e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp)), h('td', {}, e.type), h('td', {}, e.reason), h('td', {}, e.message))), { id: 'pod-events' }),
    ];
  });
  return { dispose() { logAbort?.abort(); view.dispose(); } };
}
