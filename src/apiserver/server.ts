// The API server: HTTPS with bearer-token authentication in front of the
// resource handlers, discovery, OpenAPI and health endpoints. One watch cache
// per stored resource (shared by the versions that serve it) holds what lists
// and watches read.

import { createServer as createHTTPServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
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
import { admitDefaultStorageClass } from './admission/defaultstorageclass.ts';
import { admitPodPriority, SYSTEM_PRIORITY_CLASSES, SYSTEM_PRIORITY_CLASS_DESCRIPTION, type PriorityClassLike } from './admission/priority.ts';
import { serveUpgrade, type KubeletClientConfig } from './proxy/serve.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+skiff' };

export interface ApiServerOptions {
  store: Store;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
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
}

/** Namespaces every cluster has. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class ApiServer implements NamespaceChecker {
  private readonly caches = new Map<string, WatchCache<StoredObject>>();
  private readonly rests = new Map<ResourceInfo, ResourceREST>();
  private server?: Server;
  private ready = false;
  private readonly allocator: ServiceAllocator;

  constructor(private readonly opts: ApiServerOptions) {
    this.allocator = new ServiceAllocator(opts.store, opts.serviceCIDR);
    for (const info of RESOURCES) {
      let cache = this.caches.get(info.groupResource);
      if (!cache) {
        cache = new WatchCache(opts.store, resourcePrefix(info.groupResource), objectCodec, { historySize: opts.watchCacheHistory });
        this.caches.set(info.groupResource, cache);
      }
      this.rests.set(info, new ResourceREST(info, opts.store, cache, this, info.kind === 'Service' ? this.allocator : undefined));
    }
    const claims = this.restFor('', 'v1', 'persistentvolumeclaims')!;
    claims.admitCreate = (pvc) => admitDefaultStorageClass(pvc as never, this.caches.get('storageclasses.storage.k8s.io')!.list().items.map((e) => e.object as never));
  }

  /** Pod admission that needs other objects: Priority (PriorityClasses from their watch cache). */
  private wireAdmission(): void {
    const pcCache = this.caches.get('priorityclasses.scheduling.k8s.io');
    const pods = this.restFor('', 'v1', 'pods');
    if (!pcCache || !pods) return;
    const lister = {
      get: (name: string) => pcCache.get(objectKey('priorityclasses.scheduling.k8s.io', undefined, name))?.object as PriorityClassLike | undefined,
      list: () => pcCache.list().items.map((e) => e.object as PriorityClassLike),
    };
    pods.admitCreate = (obj) => admitPodPriority(obj as never, lister);
    pods.admitUpdate = (obj, old) => admitPodPriority(obj as never, lister, old as never);
  }

  /** Loads every cache, makes the system namespaces, and starts listening. Resolves with the bound address. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    await Promise.all([...this.caches.values()].map((c) => c.start()));
    await this.bootstrap();
    this.wireAdmission();
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = this.opts.tls ? createHTTPSServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, handler) : createHTTPServer(handler);
    // exec, attach and portforward upgrade to WebSocket or SPDY: joined to the pod's node agent.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      void serveUpgrade(req, socket, head, { kubelet: this.opts.kubelet, restFor: (g, v, r) => this.restFor(g, v, r), authenticate: this.opts.authenticate, log: this.opts.log }),
    );
    // Watches are long-lived; Node's default request timeouts would cut them.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.ready = true;
    const port = (this.server.address() as AddressInfo).port;
    return { host, port, url: `${this.opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}` };
  }

  async stop(): Promise<void> {
    this.ready = false;
    await Promise.all([...this.caches.values()].map((c) => c.stop()));
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (!PUBLIC_PATHS.has(url.pathname) && this.opts.authenticate && !this.opts.authenticate(req.headers.authorization)) throw errors.unauthorized();
      await this.route(req, res, url);
    } catch (e) {
      if (e instanceof errors.StatusError) writeStatus(res, e);
      else if (isStoreError(e, 'Unavailable') || isStoreError(e, 'Timeout')) writeStatus(res, errors.serviceUnavailable(`storage is unavailable: ${(e as Error).message}`));
      else {
        this.opts.log?.(`internal error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
        writeStatus(res, errors.internalError((e as Error).message));
      }
    } finally {
      if (this.opts.log && !url.searchParams.has('watch')) res.once('finish', () => this.opts.log!(`${req.method} ${url.pathname}${url.search} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`));
    }
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

  private discoveryDoc(res: ServerResponse, group: string, version: string): void {
    const doc = legacyAPIResourceList(group, version);
    if (!doc) throw this.pathNotFound();
    writeJSON(res, 200, doc);
  }

  private pathNotFound(): errors.StatusError {
    return new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  }

}
