// The typed client over HTTPS: what every component above the API server uses
// to read and write objects (DESIGN: components talk through the API, never
// around it). One keep-alive agent per Client; methods are generic over the
// resource table, so any served resource works without per-kind code.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { parse as parseYAML } from 'yaml';
import { apiVersionOf, lookupResource, resourceForKind, type ResourceInfo } from '../apiserver/registry/resources.ts';
import { errorFromResponse, type Status } from './errors.ts';
import { WatchStream, type Watch } from './watch.ts';

export * from './errors.ts';
export type { Watch, WatchEvent, WatchEventType } from './watch.ts';

/** Any Kubernetes object as it travels on the wire. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** The resource a request is about: a ResourceInfo from the table, or just its path parts. */
export type ResourceRef = Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'>;

export interface ClientOptions {
  /** https://host:port */
  server: string;
  /**
   * More API servers of the same cluster (HA): when the current one cannot be
   * reached, requests move to the next. See `failover` below for what is retried.
   */
  fallbackServers?: string[];
  /** PEM of the cluster CA. */
  ca?: string | Buffer;
  token?: string;
  /** A client certificate and its key (PEM), for clients that authenticate by certificate. */
  cert?: string | Buffer;
  key?: string | Buffer;
  userAgent?: string;
  /** Per-request timeout for everything but watches (default 30 s). */
  timeoutMs?: number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListResult<T> {
  items: T[];
  metadata: ListMeta;
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface CreateOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export type UpdateOptions = CreateOptions;

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions {
  fieldManager?: string;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

const PATCH_MEDIA_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** The URL path of a resource's collection or of one object in it (optionally a subresource). */
export function resourcePath(res: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  let p = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.resource}`;
  if (name !== undefined) {
    if (!name) throw new Error(`${res.resource}: a name is required`);
    p += `/${encodeURIComponent(name)}`;
  }
  if (subresource) p += `/${subresource}`;
  return p;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface RequestSpec {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

// Connection failures that mean the server is gone. The first three happen
// before any byte of the request left, so every request is safe to resend;
// after the others the request may have been served, so only reads are resent.
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

// One TLS context per set of credentials, shared by every Client in the
// process: building one parses the CA and key again, a few ms for each
// connection (and `skiff up` opens dozens at start).
const contexts = new Map<string, SecureContext>();
function secureContextFor(ca?: string | Buffer, cert?: string | Buffer, key?: string | Buffer): SecureContext {
  const id = createHash('sha256');
  for (const part of [ca, cert, key]) id.update(part === undefined ? '\0' : `${part.length}:`).update(part ?? '');
  const k = id.digest('hex');
  let ctx = contexts.get(k);
  if (!ctx) contexts.set(k, (ctx = createSecureContext({ ca, cert, key })));
  return ctx;
}

export class Client {
  private readonly endpoints: URL[];
  private current = 0;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.endpoints = [opts.server, ...(opts.fallbackServers ?? [])].map((s) => {
      const u = new URL(s);
      if (u.protocol !== 'https:') throw new Error(`client: server ${s} must be an https:// URL`);
      return u;
    });
    this.agent = new Agent({ keepAlive: true, secureContext: secureContextFor(opts.ca, opts.cert, opts.key) });
    this.headers = { accept: 'application/json', 'user-agent': opts.userAgent ?? 'skiff-client/0.1' };
    if (opts.token) this.headers.authorization = `Bearer ${opts.token}`;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** A client for the current context of a kubeconfig (server, CA data, bearer token). */
  static fromKubeconfig(path: string, opts: Pick<ClientOptions, 'userAgent' | 'timeoutMs'> = {}): Client {
    const kc = parseYAML(readFileSync(path, 'utf8')) as {
      clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
      users?: { name: string; user: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
      contexts?: { name: string; context: { cluster: string; user: string } }[];
      'current-context'?: string;
    };
    const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context;
    const cluster = (ctx ? kc.clusters?.find((c) => c.name === ctx.cluster) : kc.clusters?.[0])?.cluster;
    const user = (ctx ? kc.users?.find((u) => u.name === ctx.user) : kc.users?.[0])?.user;
    if (!cluster?.server) throw new Error(`kubeconfig ${path}: no cluster server for context "${kc['current-context'] ?? ''}"`);
    const caData = cluster['certificate-authority-data'];
    const ca = caData ? Buffer.from(caData, 'base64') : cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority']) : undefined;
    const certData = user?.['client-certificate-data'];
    const keyData = user?.['client-key-data'];
    const cert = certData && keyData ? { cert: Buffer.from(certData, 'base64'), key: Buffer.from(keyData, 'base64') } : {};
    return new Client({ server: cluster.server, ca, token: user?.token, ...cert, ...opts });
  }

  /** The API server requests go to now (it changes on failover). */
  get server(): URL {
    return this.endpoints[this.current]!;
  }

  /** Every API server this client may use, the current one first. */
  get servers(): URL[] {
    return [...this.endpoints.slice(this.current), ...this.endpoints.slice(0, this.current)];
  }

  /**
   * Adds API servers to fail over to (those not known yet, by origin);
   * answers the ones added. The current server stays.
   */
  addServers(urls: string[]): string[] {
    const known = new Set(this.endpoints.map((u) => u.origin));
    const added: string[] = [];
    for (const s of urls) {
      const u = new URL(s);
      if (u.protocol !== 'https:' || known.has(u.origin)) continue;
      known.add(u.origin);
      this.endpoints.push(u);
      added.push(u.origin);
    }
    return added;
  }

  /**
   * After a connection error on endpoint `failed`: moves on to the next
   * endpoint (unless another request already did). True when there is
   * another endpoint to try.
   */
  private failover(failed: number, err: unknown): boolean {
    if (this.endpoints.length < 2) return false;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!NOT_SENT.has(code) && !CONNECTION_LOST.has(code) && (err as Error).message !== 'socket hang up') return false;
    if (this.current === failed) this.current = (failed + 1) % this.endpoints.length;
    return true;
  }

  /** Closes idle keep-alive connections. Open watches end on their own close(). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * A handle bound to one resource: `resource('apps/v1', 'deployments')` or
   * by kind, `resource('apps/v1', 'Deployment')`.
   */
  resource<T extends KubeObject = KubeObject>(apiVersion: string, resourceOrKind: string): ResourceHandle<T> {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
    const info = lookupResource(group, version, resourceOrKind) ?? resourceForKind(apiVersion, resourceOrKind);
    if (!info) throw new Error(`client: the server does not serve "${resourceOrKind}" in ${apiVersion}`);
    return new ResourceHandle<T>(this, info);
  }

  /** The resource of an object, from its apiVersion and kind. */
  resourceFor<T extends KubeObject>(obj: T): ResourceHandle<T> {
    if (!obj.apiVersion || !obj.kind) throw new Error('client: the object has no apiVersion or kind');
    return this.resource<T>(obj.apiVersion, obj.kind);
  }

  get<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, name: string): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(res, ns, name) });
  }

  list<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, o: ListOptions = {}): Promise<ListResult<T>> {
    const q = query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue, resourceVersion: o.resourceVersion });
    return this.request<ListResult<T>>({ method: 'GET', path: resourcePath(res, ns) + q, signal: o.signal }).then((l) => ({ items: l.items ?? [], metadata: l.metadata ?? {} }));
  }

  create<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, o: CreateOptions = {}): Promise<T> {
    return this.request<T>({ method: 'POST', path: resourcePath(res, ns) + query({ dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager }), body: obj });
  }

  update<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, o: UpdateOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(res, ns, nameOf(obj)) + query({ dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager }), body: obj });
  }

  updateStatus<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, o: UpdateOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(res, ns, nameOf(obj), 'status') + query({ dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager }), body: obj });
  }

  /** PATCH by type; `apply` is server-side apply and needs a fieldManager. `subresource` patches e.g. status. */
  patch<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, name: string, type: PatchType, body: unknown, o: PatchOptions & { subresource?: string } = {}): Promise<T> {
    if (type === 'apply' && !o.fieldManager) throw new Error(`client: server-side apply of ${res.resource}/${name} needs a fieldManager`);
    const q = query({ fieldManager: o.fieldManager, force: type === 'apply' && o.force ? true : undefined, dryRun: o.dryRun ? 'All' : undefined });
    // JSON is YAML, so an apply configuration goes as JSON too.
    return this.request<T>({ method: 'PATCH', path: resourcePath(res, ns, name, o.subresource) + q, body, contentType: PATCH_MEDIA_TYPES[type] });
  }

  /** Deletes; answers the object (while finalizers or grace hold it) or the server's Success Status. */
  delete<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, name: string, o: DeleteOptions = {}): Promise<T | Status> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: o.propagationPolicy, gracePeriodSeconds: o.gracePeriodSeconds, preconditions: o.preconditions, dryRun: o.dryRun ? ['All'] : undefined };
    return this.request<T | Status>({ method: 'DELETE', path: resourcePath(res, ns, name), body });
  }

  /** Opens a watch; iterate it for events, close() or `break` to end it. */
  watch<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, o: WatchOptions = {}): Watch<T> {
    const path =
      resourcePath(res, ns) +
      query({ watch: 'true', resourceVersion: o.resourceVersion, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, allowWatchBookmarks: o.allowWatchBookmarks ? 'true' : undefined, timeoutSeconds: o.timeoutSeconds });
    const used = this.current;
    const req = request(this.requestOptions('GET', path));
    // The watcher (an informer) opens a new watch after an error: it goes to the next server.
    req.once('error', (e) => this.failover(used, e));
    req.end();
    return new WatchStream<T>(req, `watch ${path}`);
  }

  private requestOptions(method: string, path: string, extra: Record<string, string> = {}): RequestOptions {
    const server = this.server;
    return { agent: this.agent, host: server.hostname, port: server.port || 443, method, path, headers: { ...this.headers, ...extra } };
  }

  /** One request, JSON in and out; a non-2xx answer throws ApiError with the server's Status. */
  async request<T>(spec: RequestSpec): Promise<T> {
    // Each other server is tried at most once; see NOT_SENT for what is resent.
    for (let tries = 1; ; tries++) {
      const used = this.current;
      try {
        return await this.requestOnce<T>(spec);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const resend = NOT_SENT.has(code) || spec.method === 'GET';
        if (!this.failover(used, e) || !resend || tries >= this.endpoints.length || spec.signal?.aborted) throw e;
      }
    }
  }

  private requestOnce<T>(spec: RequestSpec): Promise<T> {
    const data = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    const extra: Record<string, string> = {};
    if (data) {
      extra['content-type'] = spec.contentType ?? 'application/json';
      extra['content-length'] = String(data.length);
    }
    const what = `${spec.method} ${spec.path}`;
    return new Promise<T>((resolve, reject) => {
      const req = request({ ...this.requestOptions(spec.method, spec.path, extra), signal: spec.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) return reject(errorFromResponse(code, text, what));
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new Error(`${what}: the server answered ${code} with a body that is not JSON: ${text.slice(0, 200)}`));
          }
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${what}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('client: the object has no metadata.name');
  return name;
}

/** One resource of a Client: the same verbs without repeating the resource. Also an informer's ListerWatcher. */
export class ResourceHandle<T extends KubeObject = KubeObject> {
  constructor(
    readonly client: Client,
    readonly info: ResourceInfo,
  ) {}

  get apiVersion(): string {
    return apiVersionOf(this.info);
  }

  get(ns: string | undefined, name: string): Promise<T> {
    return this.client.get<T>(this.info, ns, name);
  }
  list(ns: string | undefined, o?: ListOptions): Promise<ListResult<T>> {
    return this.client.list<T>(this.info, ns, o);
  }
  create(ns: string | undefined, obj: T, o?: CreateOptions): Promise<T> {
    return this.client.create<T>(this.info, ns, obj, o);
  }
  update(ns: string | undefined, obj: T, o?: UpdateOptions): Promise<T> {
    return this.client.update<T>(this.info, ns, obj, o);
  }
  updateStatus(ns: string | undefined, obj: T, o?: UpdateOptions): Promise<T> {
    return this.client.updateStatus<T>(this.info, ns, obj, o);
  }
  patch(ns: string | undefined, name: string, type: PatchType, body: unknown, o?: PatchOptions & { subresource?: string }): Promise<T> {
    return this.client.patch<T>(this.info, ns, name, type, body, o);
  }
  delete(ns: string | undefined, name: string, o?: DeleteOptions): Promise<T | Status> {
    return this.client.delete<T>(this.info, ns, name, o);
  }
  watch(ns: string | undefined, o?: WatchOptions): Watch<T> {
    return this.client.watch<T>(this.info, ns, o);
  }
}
