// Talking to the API server from the browser: the bearer token the user
// logged in with (kept for the tab's session), JSON requests, and informers
// (list, then watch from the list's resourceVersion over a streamed fetch;
// re-watch when a watch ends, re-list on 410 Expired) that keep a live copy
// of a resource for the views.

const TOKEN_KEY = 'skiff.token';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || ''; },
  set token(t) { t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY); },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `the API server answered ${status}`);
    this.status = status;
    this.reason = body?.reason;
  }
}

/** Listeners told when a request is refused for the token (401): the app shows the login page. */
const unauthorizedListeners = new Set();
export const onUnauthorized = (fn) => unauthorizedListeners.add(fn);

export async function request(method, path, { body, contentType = 'application/json', signal } = {}) {
  const headers = { Authorization: `Bearer ${session.token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  if (!res.ok) {
    if (res.status === 401) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(res.status, parsed ?? { message: text.trim() });
  }
  return parsed;
}

export const get = (path, o) => request('GET', path, o);

/** Streams the lines of a response (logs, watch events) to `onLine` until it ends or `signal` aborts. */
export async function streamLines(path, onLine, signal) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` }, signal });
  if (!res.ok) {
    let body;
    try { body = await res.json(); } catch { body = undefined; }
    if (res.status === 401) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(res.status, body);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  if (buf) onLine(buf);
}

const keyOf = (o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** A live copy of one resource (all namespaces): `path` is its list URL, e.g. /apis/apps/v1/deployments. */
export class Informer {
  constructor(path) {
    this.path = path;
    this.items = new Map();
    this.listeners = new Set();
    this.synced = false;
    this.error = undefined;
    this.abort = new AbortController();
    this.ready = new Promise((r) => (this.markReady = r));
  }

  start() {
    if (this.running) return this;
    this.running = this.loop();
    return this;
  }

  stop() { this.abort.abort(); }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  list() { return [...this.items.values()]; }

  get(key) { return this.items.get(key); }

  notify(type, obj) { for (const fn of this.listeners) fn(type, obj); }

  async loop() {
    let rv = '';
    let backoff = 250;
    while (!this.abort.signal.aborted) {
      try {
        if (!rv) {
          const l = await get(this.path, { signal: this.abort.signal });
          this.items = new Map(l.items.map((o) => [keyOf(o), o]));
          rv = l.metadata.resourceVersion;
          this.synced = true;
          this.error = undefined;
          this.markReady();
          this.notify('SYNC');
        }
        const sep = this.path.includes('?') ? '&' : '?';
        await streamLines(`${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=300`, (line) => {
          if (!line.trim()) return;
          const ev = JSON.parse(line);
          if (ev.type === 'ERROR') {
            if (ev.object?.code === 410) rv = '';
            throw new ApiError(ev.object?.code ?? 500, ev.object);
          }
          rv = ev.object.metadata.resourceVersion || rv;
          if (ev.type === 'BOOKMARK') return;
          const k = keyOf(ev.object);
          if (ev.type === 'DELETED') this.items.delete(k);
          else this.items.set(k, ev.object);
          this.notify(ev.type, ev.object);
        }, this.abort.signal);
        backoff = 250;
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.error = e;
        if (e.status === 401) return;
        if (e.status === 410) rv = '';
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }
}

const informers = new Map();

/**
 * The shared informer for a list URL, started on first use and stopped when
 * its last subscriber leaves: a browser opens at most six HTTP/1.1
 * connections to a host, so only the watches the open page needs may hold one.
 */
export function informer(path) {
  if (!informers.has(path)) {
    const inf = new Informer(path).start();
    const subscribe = inf.subscribe.bind(inf);
    inf.subscribe = (fn) => {
      const off = subscribe(fn);
      return () => {
        off();
        if (inf.listeners.size === 0 && informers.get(path) === inf) {
          informers.delete(path);
          inf.stop();
        }
      };
    };
    informers.set(path, inf);
  }
  return informers.get(path);
}

export function stopInformers() {
  for (const i of informers.values()) i.stop();
  informers.clear();
}

export const RESOURCES = {
  nodes: '/api/v1/nodes',
  pods: '/api/v1/pods',
  events: '/api/v1/events',
  services: '/api/v1/services',
  endpoints: '/api/v1/endpoints',
  namespaces: '/api/v1/namespaces',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
};
