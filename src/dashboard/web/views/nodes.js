// Nodes with live CPU and memory charts (uPlot): metrics.k8s.io is read
// every few seconds while the page is open, and each node keeps the last
// ten minutes of points. Without a metrics API the page says so.

import uPlot from '/dashboard/vendor/uPlot.esm.js';
import { get, RESOURCES } from '../api.js';
import { age, bytes, cores, h, quantity, table } from '../dom.js';
import { live } from './live.js';

const POLL_MS = 5000;
const KEEP_POINTS = 120;
/** Points per node name, kept across visits of the page. */
const history = new Map();

const condition = (n, type) => n.status?.conditions?.find((c) => c.type === type);

export function nodes(root, _args, _state) {
  const tableHolder = h('div');
  const status = h('p', { class: 'muted', id: 'metrics-status' }, 'Reading metrics…');
  const chartsHolder = h('div', { class: 'charts', id: 'charts' });
  root.append(h('h1', {}, 'Nodes'), tableHolder, h('h2', {}, 'Usage'), status, chartsHolder);
  const charts = new Map();

  const view = live(tableHolder, [RESOURCES.nodes], (inf) => {
    const rows = inf.list().map((n) => {
      const ready = condition(n, 'Ready');
      const last = history.get(n.metadata.name)?.at(-1);
      const alloc = n.status?.allocatable ?? {};
      return h('tr', { dataset: { node: n.metadata.name } },
        h('td', {}, n.metadata.name),
        h('td', { class: ready?.status === 'True' ? 'ok' : 'bad' }, ready?.status === 'True' ? 'Ready' : 'NotReady'),
        h('td', {}, (n.status?.addresses ?? []).map((a) => a.address).join(', ')),
        h('td', { class: 'num' }, last ? `${cores(last.cpu)} / ${alloc.cpu ?? '?'}` : '—'),
        h('td', { class: 'num' }, last ? `${bytes(last.memory)} / ${bytes(quantity(alloc.memory))}` : '—'),
        h('td', {}, n.status?.nodeInfo?.kubeletVersion ?? ''),
        h('td', {}, age(n.metadata.creationTimestamp)));
    });
    return table(['Name', 'Status', 'Addresses', 'CPU (cores)', 'Memory', 'Version', 'Age'], rows, { id: 'nodes' });
  });

  function chartFor(name) {
    if (charts.has(name)) return charts.get(name);
    const box = h('div', { class: 'chart', dataset: { node: name } }, h('strong', {}, name));
    chartsHolder.append(box);
    const opts = (title, unit, fmt) => ({
      title, width: 420, height: 180,
      series: [{}, { label: unit, stroke: '#2f6fed', fill: 'rgba(47,111,237,.1)', value: (_u, v) => (v === null ? '—' : fmt(v)) }],
      axes: [{}, { values: (_u, ticks) => ticks.map(fmt), size: 84 }],
    });
    const cpu = new uPlot(opts('CPU', 'cores', cores), [[], []], box);
    const mem = new uPlot(opts('Memory', 'working set', bytes), [[], []], box);
    const c = { cpu, mem };
    charts.set(name, c);
    return c;
  }

  let timer;
  let stopped = false;
  async function poll() {
    try {
      const list = await get('/apis/metrics.k8s.io/v1beta1/nodes');
      for (const m of list.items) {
        const pts = history.get(m.metadata.name) ?? [];
        const t = Date.parse(m.timestamp) / 1000;
        if (pts.at(-1)?.t !== t) pts.push({ t, cpu: quantity(m.usage.cpu), memory: quantity(m.usage.memory) });
        history.set(m.metadata.name, pts.slice(-KEEP_POINTS));
      }
      status.textContent = `metrics.k8s.io: ${list.items.length} node(s), read ${new Date().toLocaleTimeString()}`;
      for (const [name, pts] of history) {
        if (stopped) return;
        const c = chartFor(name);
        // A lone first point gets an empty one two minutes before it, or uPlot would stretch the time axis over years.
        const shown = pts.length === 1 ? [{ t: pts[0].t - 120, cpu: null, memory: null }, pts[0]] : pts;
        const ts = shown.map((p) => p.t);
        c.cpu.setData([ts, shown.map((p) => p.cpu)]);
        c.mem.setData([ts, shown.map((p) => p.memory)]);
      }
      view.redraw();
    } catch (e) {
      status.textContent = `Metrics are not available: ${e.message}`;
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  poll();
  return { dispose() { stopped = true; clearTimeout(timer); view.dispose(); for (const c of charts.values()) { c.cpu.destroy(); c.mem.destroy(); } } };
}
