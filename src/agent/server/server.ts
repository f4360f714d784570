// The agent's HTTPS API, reached by the API server only (the kubelet's port
// 10250 endpoints): container logs, exec, attach, port-forward, the stats
// summary and health.
//
// Who may call: mutual TLS. The agent serves a certificate from the cluster
// CA and asks every client for one signed by the same CA; only the common
// names in `allowedClients` (the API server's kubelet-client certificate)
// get through. Nothing secret has to be shared with the agent beyond its own
// key, the CA cannot be replayed like a token, and the API server
// authenticates the agent by the same CA in the other direction.

import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { runAttachSession, runExecSession, type ExecStreams } from './exec.ts';
import { HTTPError, serveContainerLogs } from './logs.ts';
import { PORT_FORWARD_PROTOCOL, PORT_FORWARD_TUNNEL_PROTOCOL, servePortForward } from './portforward.ts';
import { negotiateSPDYExec, serveSPDYExec } from './spdyexec.ts';
import { StatsProvider } from './stats.ts';
import { API_SERVER_CLIENT_CN, DEFAULT_AGENT_PORT, type AgentServerOptions, type ResolvedContainer } from './types.ts';
import { negotiateChannelProtocol, WebSocketChannels } from './wschannel.ts';
import { KubeletMetrics, METRICS_CLIENT_CN } from '../../metrics/kubelet.ts';
import { newRegistry, serveMetrics } from '../../metrics/registry.ts';

interface StreamRoute {
  kind: 'exec' | 'attach' | 'portForward';
  namespace: string;
  pod: string;
  container: string;
}

export class AgentServer {
  private server?: Server;
  /** Port-forward tunnels: SPDY inside the WebSocket. */
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(PORT_FORWARD_TUNNEL_PROTOCOL) ? PORT_FORWARD_TUNNEL_PROTOCOL : false) });
  private readonly stats: StatsProvider;
  private readonly allowed: Set<string>;
  private readonly sockets = new Set<Duplex>();
  private readonly metricsClients: Set<string>;
  /** The agent's /metrics registry (kubelet and cAdvisor series). */
  readonly registry = newRegistry();
  readonly kubeletMetrics: KubeletMetrics;

  constructor(private readonly opts: AgentServerOptions) {
    this.stats = new StatsProvider(opts.runtime, opts.nodeName);
    this.allowed = new Set(opts.allowedClients ?? [API_SERVER_CLIENT_CN]);
    this.metricsClients = new Set(opts.metricsClients ?? [API_SERVER_CLIENT_CN, METRICS_CLIENT_CN]);
    this.kubeletMetrics = new KubeletMetrics(this.registry, opts.runtime);
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    const { cert, key, clientCA } = this.opts.tls;
    this.server = createServer({ cert, key, ca: clientCA, requestCert: true, rejectUnauthorized: false }, (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    this.server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.requestTimeout = 0;
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? DEFAULT_AGENT_PORT, host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    return { host, port, url: `https://${host.includes(':') ? `[${host}]` : host}:${port}` };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.wss.close();
  }

  /** The caller's certificate is from the cluster CA and names an allowed client. */
  private authorized(req: IncomingMessage, allowed = this.allowed): boolean {
    const sock = req.socket as TLSSocket;
    if (!sock.authorized) return false;
    const cn = sock.getPeerCertificate()?.subject?.CN;
    return typeof cn === 'string' && allowed.has(cn);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    try {
      if (url.pathname === '/metrics') {
        if (!(req.socket as TLSSocket).authorized) throw new HTTPError(401, 'Unauthorized');
        if (!this.authorized(req, this.metricsClients)) throw new HTTPError(403, 'Forbidden: this client certificate may not read metrics');
        return await serveMetrics(this.registry, req, res, () => this.kubeletMetrics.containerSeriesText());
      }
      if (!this.authorized(req)) throw new HTTPError(401, 'Unauthorized');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method !== 'GET' && req.method !== 'POST') throw new HTTPError(405, `method ${req.method} not allowed`);
      if (url.pathname === '/healthz') return text(res, 200, 'ok');
      if (url.pathname === '/stats/summary' || url.pathname === '/stats/summary/') {
        const body = JSON.stringify(await this.stats.summary());
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        return void res.end(body);
      }
      if (parts[0] === 'containerLogs' && parts.length === 4) {
        return await serveContainerLogs(req, res, { namespace: parts[1]!, pod: parts[2]!, container: parts[3]!, query: url.searchParams }, { runtime: this.opts.runtime, resolve: this.opts.resolve, pollIntervalMs: this.opts.logPollIntervalMs });
      }
      if (streamRoute(parts)) throw new HTTPError(400, 'Upgrade request required');
      throw new HTTPError(404, '404 page not found');
    } catch (e) {
      if (e instanceof HTTPError) return text(res, e.code, e.message);
      this.opts.log?.(`agent: ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) text(res, 500, (e as Error).message);
      else res.destroy();
    }
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://agent');
    try {
      if (!this.authorized(req)) throw new HTTPError(401, 'Unauthorized');
      const route = streamRoute(url.pathname.split('/').filter(Boolean).map(decodeURIComponent));
      if (!route) throw new HTTPError(404, '404 page not found');
      const upgrade = (req.headers.upgrade ?? '').toLowerCase();
      if (upgrade === 'websocket') return await this.upgradeWebSocket(req, socket, head, route, url.searchParams);
      if (upgrade === 'spdy/3.1') return await this.upgradeSPDY(req, socket, head, route, url.searchParams);
      throw new HTTPError(400, `unsupported upgrade protocol ${JSON.stringify(req.headers.upgrade)}`);
    } catch (e) {
      if (!(e instanceof HTTPError)) this.opts.log?.(`agent: upgrade ${url.pathname}: ${(e as Error).stack ?? e}`);
      rawError(socket, e instanceof HTTPError ? e.code : 500, (e as Error).message);
    }
  }

  /** The container a stream is for, running (exec/attach), or the pod's sandbox (port-forward). */
  private async target(route: StreamRoute): Promise<ResolvedContainer> {
    const c = await this.opts.resolve(route.namespace, route.pod, route.kind === 'portForward' ? '' : route.container, false);
    if (route.kind === 'portForward') {
      if (!c?.sandboxId) throw new HTTPError(404, `pod "${route.pod}" not found in namespace "${route.namespace}"`);
      return c;
    }
    if (!c?.containerId) throw new HTTPError(404, `container not found (${JSON.stringify(route.container)})`);
    const st = await this.opts.runtime.containerStatus(c.containerId).catch(() => undefined);
    if (st?.state !== 'running') throw new HTTPError(404, `container not found (${JSON.stringify(route.container)})`);
    return c;
  }

  private async upgradeWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, route: StreamRoute, q: URLSearchParams): Promise<void> {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (route.kind === 'portForward') {
      if (!offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL)) throw new HTTPError(400, `port-forward over WebSocket needs the subprotocol ${PORT_FORWARD_TUNNEL_PROTOCOL}`);
      const c = await this.target(route);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const tunnel = createWebSocketStream(ws);
        tunnel.on('error', () => tunnel.destroy());
        servePortForward(tunnel, this.opts.runtime, c.sandboxId, route.pod);
      });
      return;
    }
    const proto = negotiateChannelProtocol(offered);
    if (!proto) throw new HTTPError(400, `none of the offered subprotocols is supported: ${offered.join(', ')}`);
    const want = streamFlags(q, route.kind);
    const c = await this.target(route);
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => (offered.length ? proto.name : false) });
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.close();
      void this.runSession(route, c, q, want.tty, new WebSocketChannels(ws, proto, want));
    });
  }

  private async upgradeSPDY(req: IncomingMessage, socket: Duplex, head: Buffer, route: StreamRoute, q: URLSearchParams): Promise<void> {
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    let protocol: string | undefined;
    if (route.kind === 'portForward') {
      protocol = offered.length === 0 || offered.includes(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : undefined;
    } else {
      protocol = offered.length === 0 ? 'channel.k8s.io' : negotiateSPDYExec(offered);
    }
    if (!protocol) throw new HTTPError(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}]`);
    const want = route.kind === 'portForward' ? undefined : streamFlags(q, route.kind);
    const c = await this.target(route);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    if (route.kind === 'portForward') return servePortForward(socket, this.opts.runtime, c.sandboxId, route.pod);
    serveSPDYExec(socket, protocol, want!, (s) => this.runSession(route, c, q, want!.tty, s));
  }

  private runSession(route: StreamRoute, c: ResolvedContainer, q: URLSearchParams, tty: boolean, s: ExecStreams): Promise<void> {
    if (route.kind === 'exec') return runExecSession(this.opts.runtime, c.containerId, q.getAll('command'), tty, s);
    return runAttachSession(this.opts.runtime, c.containerId, tty, s);
  }
}

function streamRoute(parts: string[]): StreamRoute | undefined {
  if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length === 4) return { kind: parts[0], namespace: parts[1]!, pod: parts[2]!, container: parts[3]! };
  if (parts[0] === 'portForward' && parts.length === 3) return { kind: 'portForward', namespace: parts[1]!, pod: parts[2]!, container: '' };
  return undefined;
}

function streamFlags(q: URLSearchParams, kind: 'exec' | 'attach' | 'portForward') {
  const on = (k: string) => ['1', 'true'].includes(q.get(k) ?? '');
  const want = { stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr'), tty: on('tty') };
  if (want.tty) want.stderr = false;
  if (!want.stdin && !want.stdout && !want.stderr) throw new HTTPError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  if (kind === 'exec' && q.getAll('command').length === 0) throw new HTTPError(400, 'you must specify a command');
  return want;
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An HTTP error answer on a socket whose upgrade is refused. */
function rawError(socket: Duplex, code: number, body: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
