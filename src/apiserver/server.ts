// The API server: HTTPS with bearer-token authentication in front of the
// resource handlers, discovery, OpenAPI and health endpoints. One watch cache
// per stored resource (shared by the versions that serve it) holds what lists
// and watches read.

import { createServer as createHTTPServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import * as errors from '../api/errors.ts';
import { objectCodec, objectKey, resourcePrefix, type StoredObject } from '../storage/objects.ts';
import { isStoreError, type Store } from '../storage/store.ts';
import { WatchCache } from '../storage/watchcache.ts';
import type { UserInfo } from './auth/tokens.ts';
import { aggregatedDiscovery, DISCOVERY_V2_CONTENT_TYPE, legacyAPIGroup, legacyAPIGroupList, legacyAPIResourceList, legacyAPIVersions } from './discovery.ts';
import { negotiate } from './http/negotiate.ts';
import { writeJSON, writeRaw, writeStatus } from './http/respond.ts';
import { lookupResource, RESOURCES, type ResourceInfo } from './registry/resources.ts';
import { parseRequestInfo } from './request.ts';
import { handleResource } from './rest/handler.ts';
import { ResourceREST, type NamespaceChecker } from './rest/resource.ts';
import { ServiceAllocator } from './registry/allocator.ts';
import { SYSTEM_PRIORITY_CLASSES, SYSTEM_PRIORITY_CLASS_DESCRIPTION } from './admission/priority.ts';
import { AdmissionChain, defaultPlugins } from './admission/chain.ts';
import { admissionSources, wireRESTAdmission } from './admission/wire.ts';
import { requestContext } from './admission/context.ts';
import { AccessControl, type AccessOptions } from './auth/access.ts';
import { AuditLog } from './auth/audit.ts';
import { encryptingStore, loadEncryptionConfig } from './auth/encryption.ts';
import type { User } from './auth/user.ts';
import { bootstrapKubernetesService, bootstrapPolicy } from './bootstrap/bootstrap.ts';
import { KubernetesEndpointsReconciler } from './bootstrap/endpoints.ts';
import { addWarning } from './http/respond.ts';
import { writeStatusToSocket } from './proxy/proxy.ts';
import { serveUpgrade, type KubeletClientConfig } from './proxy/serve.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+skiff' };

export interface ApiServerOptions {
  store: Store;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** More addresses to listen on, on the same port as `host` (the node's address beside loopback, so pods reach the API). */
  alsoListen?: string[];
  /** Serve HTTPS with this certificate; plain HTTP when absent (tests of the handlers only). */
  tls?: { cert: string; key: string };
  /** Resolves a request's user; undefined means unauthenticated (401). Absent: every request is admin. */
  authenticate?: (authorization: string | undefined) => UserInfo | undefined;
  /** Decoder for Kubernetes protobuf bodies. */
  protobuf?: (b: Buffer) => unknown;
  /** Extra non-resource routes (OpenAPI documents), by path prefix. */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>>;
  log?: (line: string) => void;
  /** How often watches that allow bookmarks get one (default 60 s, about Kubernetes' cadence). */
  bookmarkIntervalMs?: number;
  /** Where Service cluster IPs come from (default 10.43.0.0/16, as k3s). */
  serviceCIDR?: string;
  /** Events each watch cache keeps for watches resuming from a revision (default 1000). */
  watchCacheHistory?: number;
  /** Credentials for calling node agents (pods/log, exec, attach, portforward); absent: those answer 503. */
  kubelet?: KubeletClientConfig;
  /** Called once per request when its response ends, with its duration (request metrics). */
  onResponse?: (req: IncomingMessage, res: ServerResponse, url: URL, seconds: number) => void;
  /** Prefixes of `routes` served without authentication (the dashboard's static files). */
  publicRoutes?: string[];
  /** Access control: client certificates, ServiceAccount tokens, RBAC. Absent: `authenticate` alone, no authorization. */
  access?: AccessOptions;
  /** Admission plugins to run (Kubernetes' names); absent: all of them. */
  admissionPlugins?: string[];
  /** An EncryptionConfiguration file: the resources it names are encrypted at rest (aesgcm). */
  encryptionConfig?: string;
  /** Append one JSON line per write request to this file. */
  auditLogPath?: string;
  /** The address the `kubernetes` Service's endpoints name (default: the bound host, or a host address when bound to all). */
  advertiseAddress?: string;
}

/** Namespaces every cluster has. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class ApiServer implements NamespaceChecker {
  private readonly caches = new Map<string, WatchCache<StoredObject>>();
  private readonly rests = new Map<ResourceInfo, ResourceREST>();
  private servers: Server[] = [];
  private endpoints?: KubernetesEndpointsReconciler;
  private ready = false;
  private readonly allocator: ServiceAllocator;
  private readonly opts: ApiServerOptions;
  readonly access?: AccessControl;
  private readonly audit?: AuditLog;
  readonly admission: AdmissionChain;

  constructor(options: ApiServerOptions) {
    const opts = (this.opts = options.encryptionConfig ? { ...options, store: encryptingStore(options.store, loadEncryptionConfig(options.encryptionConfig)) } : options);
    this.allocator = new ServiceAllocator(opts.store, opts.serviceCIDR);
    for (const info of RESOURCES) {
      let cache = this.caches.get(info.groupResource);
      if (!cache) {
        cache = new WatchCache(opts.store, resourcePrefix(info.groupResource), objectCodec, { historySize: opts.watchCacheHistory });
        this.caches.set(info.groupResource, cache);
      }
      this.rests.set(info, new ResourceREST(info, opts.store, cache, this, info.kind === 'Service' ? this.allocator : undefined));
    }
    const cacheFor = (gr: string) => this.caches.get(gr);
    const restFor = (g: string, v: string, r: string) => this.restFor(g, v, r);
    // The admission chain, in Kubernetes' order, on every resource's writes.
    this.admission = new AdmissionChain(defaultPlugins(admissionSources(cacheFor, restFor), opts.admissionPlugins ? new Set(opts.admissionPlugins) : undefined));
    for (const rest of this.rests.values()) wireRESTAdmission(rest, this.admission);
    if (opts.access) this.access = new AccessControl({ tokens: opts.authenticate, ...opts.access }, cacheFor, restFor);
    if (opts.auditLogPath) this.audit = new AuditLog(opts.auditLogPath);
  }

  /** Loads every cache, makes the system namespaces, and starts listening. Resolves with the bound address. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    await Promise.all([...this.caches.values()].map((c) => c.start()));
    await this.bootstrap();
    await this.access?.start();
    const host = this.opts.host ?? '127.0.0.1';
    const port = await this.listen(host, this.opts.port ?? 0);
    // The other addresses on the same port (a port of 0 was chosen by the first).
    const others = [...new Set(this.opts.alsoListen ?? [])].filter((a) => a !== host);
    try {
      for (const address of wildcard(host) ? [] : others) await this.listen(address, port);
    } catch (e) {
      await this.closeServers();
      throw e;
    }
    await this.bootstrapService(host, port);
    this.ready = true;
    return { host, port, url: `${this.opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}` };
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.endpoints?.stop();
    this.access?.stop();
    await this.audit?.close();
    await Promise.all([...this.caches.values()].map((c) => c.stop()));
    await this.closeServers();
  }

  /** One HTTP(S) server on `host:port`, resolving with the bound port. */
  private async listen(host: string, port: number): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const clientCA = this.opts.access?.clientCA;
    const server = this.opts.tls
      ? createHTTPSServer({ cert: this.opts.tls.cert, key: this.opts.tls.key, ...(clientCA ? { requestCert: true, rejectUnauthorized: false, ca: clientCA } : {}) }, handler)
      : createHTTPServer(handler);
    // exec, attach and portforward upgrade to WebSocket or SPDY: joined to the pod's node agent.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    // Watches are long-lived; Node's default request timeouts would cut them.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(
      servers.map(async (s) => {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }),
    );
  }

  private async bootstrap(): Promise<void> {
    const pcREST = this.restFor('scheduling.k8s.io', 'v1', 'priorityclasses');
    for (const pc of pcREST ? SYSTEM_PRIORITY_CLASSES : []) {
      const name = pc.metadata!.name!;
      if (await this.opts.store.get(objectKey('priorityclasses.scheduling.k8s.io', undefined, name))) continue;
      try {
        await pcREST!.create('', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', ...pc, description: SYSTEM_PRIORITY_CLASS_DESCRIPTION[name] } as never);
      } catch (e) {
        if (!errors.isStatusError(e, 'AlreadyExists')) throw e;
      }
    }
    await bootstrapPolicy((g, v, r) => this.restFor(g, v, r), (name) => this.access?.rbac.clusterRoleRules(name));
    const nsREST = this.restFor('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      const key = objectKey('namespaces', undefined, name);
      if (await this.opts.store.get(key)) continue;
      try {
        await nsREST.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
      } catch (e) {
        if (!errors.isStatusError(e, 'AlreadyExists')) throw e;
      }
    }
  }

  restFor(group: string, version: string, resource: string): ResourceREST | undefined {
    const info = lookupResource(group, version, resource);
    return info && this.rests.get(info);
  }

  checkWritable(namespace: string): void {
    const e = this.caches.get('namespaces')!.get(objectKey('namespaces', undefined, namespace));
    if (!e) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if ((e.object.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp) {
      throw errors.forbidden({ group: '', resource: 'namespaces' }, namespace, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** The `kubernetes` Service and its endpoints, once the port is known. */
  private async bootstrapService(host: string, port: number): Promise<void> {
    const advertise = this.opts.advertiseAddress ?? (wildcard(host) ? servingAddress() : host);
    const restFor = (g: string, v: string, r: string) => this.restFor(g, v, r);
    try {
      await bootstrapKubernetesService(restFor, { serviceCIDR: this.opts.serviceCIDR ?? '10.43.0.0/16', port });
      // Every live server of the cluster, this one included, as the Service's endpoints.
      this.endpoints = new KubernetesEndpointsReconciler(restFor, { address: advertise, port, log: this.opts.log });
      await this.endpoints.start();
    } catch (e) {
      this.opts.log?.(`bootstrap: the kubernetes Service could not be made: ${(e as Error).message}`);
    }
  }

  /** Authentication and authorization of an upgrade (exec, attach, port-forward) before it is joined to the agent. */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const deps = { kubelet: this.opts.kubelet, restFor: (g: string, v: string, r: string) => this.restFor(g, v, r), log: this.opts.log };
    if (!this.access) return serveUpgrade(req, socket, head, { ...deps, authenticate: this.opts.authenticate });
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const user = this.access.authenticate(req);
      this.access.authorize(user, parseRequestInfo(req.method ?? 'GET', url.pathname.replace(/\/+$/, ''), url.searchParams));
    } catch (e) {
      socket.on('error', () => socket.destroy());
      return writeStatusToSocket(socket, e instanceof errors.StatusError ? e : errors.badRequest((e as Error).message));
    }
    return serveUpgrade(req, socket, head, deps);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = { warn: (m: string) => addWarning(res, m), auditAnnotations: {} as Record<string, string>, user: undefined as User | undefined };
    return requestContext.run(ctx, () => this.handleIn(req, res, ctx));
  }

  private async handleIn(req: IncomingMessage, res: ServerResponse, ctx: { auditAnnotations: Record<string, string>; user?: User }): Promise<void> {
    const started = performance.now();
    const received = new Date();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.opts.onResponse) res.once('close', () => this.opts.onResponse!(req, res, url, (performance.now() - started) / 1000));
    let info: ReturnType<typeof parseRequestInfo> | undefined;
    try {
      if (this.access) {
        ctx.user = this.access.authenticate(req);
        try {
          info = parseRequestInfo(req.method ?? 'GET', url.pathname.replace(/\/+$/, '') || '/', url.searchParams);
        } catch (e) {
          if (e instanceof URIError) throw errors.badRequest(`malformed path ${JSON.stringify(url.pathname)}: ${e.message}`);
          throw e;
        }
        // The dashboard's static files are public, as the health endpoints are for everyone through RBAC.
        if (!(this.opts.publicRoutes ?? []).some((p) => url.pathname === p || url.pathname.startsWith(p + '/'))) this.access.authorize(ctx.user, info);
        if (info.isResourceRequest && info.verb === 'delete') await this.admitDelete(info);
        if (await this.access.serve(req, res, info, ctx.user, url.searchParams, this.opts.protobuf)) return;
      } else if (!this.isPublic(url.pathname) && this.opts.authenticate && !this.opts.authenticate(req.headers.authorization)) throw errors.unauthorized();
      await this.route(req, res, url);
    } catch (e) {
      if (e instanceof errors.StatusError) writeStatus(res, e);
      else if (isStoreError(e, 'Unavailable') || isStoreError(e, 'Timeout')) writeStatus(res, errors.serviceUnavailable(`storage is unavailable: ${(e as Error).message}`));
      else {
        this.opts.log?.(`internal error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
        writeStatus(res, errors.internalError((e as Error).message));
      }
    } finally {
      if (this.audit && info) {
        const audit = this.audit;
        const i = info;
        res.once('finish', () => audit.record({ info: i, user: ctx.user, uri: req.url ?? '/', code: res.statusCode, sourceIP: req.socket.remoteAddress, userAgent: req.headers['user-agent'], received, annotations: ctx.auditAnnotations }));
      }
      if (this.opts.log && !url.searchParams.has('watch')) res.once('finish', () => this.opts.log!(`${req.method} ${url.pathname}${url.search} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`));
    }
  }

  private isPublic(path: string): boolean {
    return PUBLIC_PATHS.has(path) || (this.opts.publicRoutes ?? []).some((p) => path === p || path.startsWith(p + '/'));
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    switch (path) {
      case '/healthz':
      case '/livez':
        return writeRaw(res, 200, 'ok', 'text/plain; charset=utf-8');
      case '/readyz':
        return writeRaw(res, this.ready ? 200 : 500, this.ready ? 'ok' : 'not ready', 'text/plain; charset=utf-8');
      case '/version':
        return writeJSON(res, 200, { ...KUBERNETES_VERSION, gitCommit: 'skiff', gitTreeState: 'clean', buildDate: '2026-11-22T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsx', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` });
      case '/api':
      case '/apis': {
        const f = negotiate(req.headers.accept, { discovery: true });
        const prefix = path === '/api' ? 'api' : 'apis';
        if (f.kind === 'discovery') return writeJSON(res, 200, aggregatedDiscovery(prefix, f.version), DISCOVERY_V2_CONTENT_TYPE(f.version));
        return writeJSON(res, 200, prefix === 'api' ? legacyAPIVersions(req.headers.host ?? '127.0.0.1') : legacyAPIGroupList());
      }
    }
    for (const [prefix, route] of Object.entries(this.opts.routes ?? {})) {
      if (path === prefix || path.startsWith(prefix + '/')) return route(req, res, url);
    }
    let info;
    try {
      info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
    } catch (e) {
      if (e instanceof URIError) throw errors.badRequest(`malformed path ${JSON.stringify(url.pathname)}: ${e.message}`);
      throw e;
    }
    if (!info.isResourceRequest) {
      if (info.apiPrefix === 'api' && info.version) return this.discoveryDoc(res, '', info.version);
      if (info.apiPrefix === 'apis' && info.group && info.version) return this.discoveryDoc(res, info.group, info.version);
      if (info.apiPrefix === 'apis' && path.split('/').length === 3) {
        const g = legacyAPIGroup(path.split('/')[2]!);
        if (g) return writeJSON(res, 200, g);
      }
      throw this.pathNotFound();
    }
    const rest = this.restFor(info.group, info.version, info.resource);
    if (!rest) throw this.pathNotFound();
    await handleResource({ req, res, info, query: url.searchParams, rest, protobuf: this.opts.protobuf, restFor: (g, v, r) => this.restFor(g, v, r), bookmarkIntervalMs: this.opts.bookmarkIntervalMs, kubelet: this.opts.kubelet });
  }

  /** The validating admission of a delete (NamespaceLifecycle keeps the system namespaces). */
  private async admitDelete(info: ReturnType<typeof parseRequestInfo>): Promise<void> {
    const rest = this.restFor(info.group, info.version, info.resource);
    if (!rest || info.subresource) return;
    await this.admission.validate({ operation: 'DELETE', resource: rest.info, namespace: info.namespace, name: info.name, object: {} });
  }

  private discoveryDoc(res: ServerResponse, group: string, version: string): void {
    const doc = legacyAPIResourceList(group, version);
    if (!doc) throw this.pathNotFound();
    writeJSON(res, 200, doc);
  }

  private pathNotFound(): errors.StatusError {
    return new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  }

}

const wildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** A non-loopback IPv4 address of this host, for endpoints of a server bound to every address. */
function servingAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return '127.0.0.1';
}
