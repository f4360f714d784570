// The dashboard's entry: login with a bearer token, a hash router over the
// views (#/overview, #/nodes, #/workloads, #/pods/<ns>/<name>, #/services),
// a namespace filter, and re-rendering when the informers a view reads
// change (batched to one render per animation frame).

import { ApiError, get, onUnauthorized, session, stopInformers, RESOURCES } from './api.js';
import { h } from './dom.js';
import { overview } from './views/overview.js';
import { nodes } from './views/nodes.js';
import { workloads } from './views/workloads.js';
import { pod } from './views/pod.js';
import { services } from './views/services.js';

const main = document.getElementById('main');
const VIEWS = { overview, nodes, workloads, pods: pod, services };
let current; // { dispose() }
export const state = { namespace: sessionStorage.getItem('skiff.ns') || '' };

function showLogin(message) {
  disposeView();
  stopInformers();
  document.getElementById('logout').hidden = true;
  document.getElementById('nav').hidden = true;
  document.getElementById('ns-picker').replaceChildren();
  const input = h('input', { type: 'password', id: 'token', placeholder: 'Bearer token', autocomplete: 'off' });
  const error = h('div', { class: 'error', id: 'login-error' }, message ?? '');
  const form = h('form', { class: 'login', id: 'login', onsubmit: async (e) => {
    e.preventDefault();
    session.token = input.value.trim();
    try {
      await get('/api/v1/namespaces?limit=1');
      start();
    } catch (err) {
      session.token = '';
      error.textContent = err instanceof ApiError && err.status === 401 ? 'That token was not accepted (401 Unauthorized). Check it and try again.' : `Cannot log in: ${err.message}`;
    }
  } }, h('h1', {}, 'Log in to Skiff'), h('p', { class: 'muted' }, 'Paste a bearer token: the admin token from the kubeconfig `skiff up` wrote, or a ServiceAccount token.'), input, h('button', { type: 'submit' }, 'Log in'), error);
  main.replaceChildren(form);
  input.focus();
}

function disposeView() {
  current?.dispose?.();
  current = undefined;
}

/** The namespace filter, read again on every page change (a list, not a watch: connections are scarce). */
async function namespacePicker() {
  const holder = document.getElementById('ns-picker');
  let names = [];
  try {
    names = (await get(RESOURCES.namespaces)).items.map((n) => n.metadata.name);
  } catch {
    return;
  }
  const sel = h('select', { id: 'namespace', onchange: (e) => { state.namespace = e.target.value; sessionStorage.setItem('skiff.ns', state.namespace); route(); } },
    h('option', { value: '' }, 'All namespaces'),
    names.map((n) => h('option', { value: n, selected: n === state.namespace }, n)));
  holder.replaceChildren(sel);
}

function route() {
  disposeView();
  const [, view = 'overview', ...args] = (location.hash || '#/overview').split('/');
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === view || (view === 'pods' && a.dataset.view === 'workloads'));
  const make = VIEWS[view] ?? overview;
  const root = h('div', { id: `view-${view}` });
  main.replaceChildren(root);
  current = make(root, args.map(decodeURIComponent), state);
  namespacePicker();
}

function start() {
  document.getElementById('logout').hidden = false;
  document.getElementById('nav').hidden = false;
  route();
}

window.addEventListener('hashchange', () => session.token && route());
document.getElementById('logout').addEventListener('click', () => { session.token = ''; showLogin(); });
onUnauthorized(() => showLogin('Your token is no longer accepted (401 Unauthorized). Log in again.'));

if (session.token) {
  get('/api/v1/namespaces?limit=1').then(start, (e) => showLogin(e.status === 401 ? 'Your token is no longer accepted (401 Unauthorized). Log in again.' : e.message));
} else {
  showLogin();
}
