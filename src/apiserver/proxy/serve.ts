// The API server's entry points for pods/log, pods/exec, pods/attach and
// pods/portforward: ordinary requests come from the resource handler (logs
// are proxied; the streaming ones need an upgrade), upgrade requests come
// straight from the HTTP server's 'upgrade' event and are authenticated,
// checked and joined to the agent here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import * as errors from '../../api/errors.ts';
import type { UserInfo } from '../auth/tokens.ts';
import { parseRequestInfo } from '../request.ts';
import type { ResourceREST } from '../rest/resource.ts';
import { locatePodStream, type KubeletClientConfig, type StreamSubresource } from './locate.ts';
import { proxyLogs, proxyUpgrade, writeStatusToSocket } from './proxy.ts';

export type { KubeletClientConfig } from './locate.ts';

export const STREAM_SUBRESOURCES = new Set<string>(['log', 'exec', 'attach', 'portforward']);

export interface NodeProxyDeps {
  /** How to reach agents; absent: the cluster has none wired (503). */
  kubelet?: KubeletClientConfig;
  restFor: (group: string, version: string, resource: string) => ResourceREST | undefined;
}

function noAgents(node: string): errors.StatusError {
  return errors.serviceUnavailable(`no node agent serves node "${node}": the API server has no kubelet client credentials`);
}

/** A non-upgrade request to a pod's streaming subresource. */
export async function servePodStream(req: IncomingMessage, res: ServerResponse, pods: ResourceREST, ns: string, name: string, sub: StreamSubresource, query: URLSearchParams, deps: NodeProxyDeps): Promise<void> {
  const loc = await locatePodStream(pods, deps.restFor('', 'v1', 'nodes'), ns, name, sub, query);
  if (sub !== 'log') throw errors.badRequest('Upgrade request required');
  if (!deps.kubelet) throw noAgents(loc.node);
  await proxyLogs(req, res, loc, deps.kubelet);
}

/** An upgrade request (WebSocket or SPDY) arriving at the API server. */
export async function serveUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  deps: NodeProxyDeps & { authenticate?: (authorization: string | undefined) => UserInfo | undefined; log?: (line: string) => void },
): Promise<void> {
  socket.on('error', () => socket.destroy());
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (deps.authenticate && !deps.authenticate(req.headers.authorization)) throw errors.unauthorized();
    let info;
    try {
      info = parseRequestInfo(req.method ?? 'GET', url.pathname.replace(/\/+$/, ''), url.searchParams);
    } catch {
      throw errors.badRequest(`malformed path ${JSON.stringify(url.pathname)}`);
    }
    const sub = info.subresource;
    if (!info.isResourceRequest || info.group !== '' || info.resource !== 'pods' || !info.name || !STREAM_SUBRESOURCES.has(sub) || sub === 'log') {
      throw errors.badRequest(`upgrade requests are served only for pods' exec, attach and portforward, not ${url.pathname}`);
    }
    if (!['GET', 'POST'].includes(req.method ?? '')) throw errors.methodNotAllowed();
    const pods = deps.restFor('', info.version || 'v1', 'pods');
    if (!pods) throw errors.notFound({ group: '', resource: 'pods' }, info.name);
    const loc = await locatePodStream(pods, deps.restFor('', 'v1', 'nodes'), info.namespace, info.name, sub as StreamSubresource, url.searchParams);
    if (!deps.kubelet) throw noAgents(loc.node);
    await proxyUpgrade(req, socket, head, loc, deps.kubelet);
    deps.log?.(`${req.method} ${url.pathname}${url.search} upgraded to node ${loc.node}`);
  } catch (e) {
    if (e instanceof errors.StatusError) return writeStatusToSocket(socket, e);
    deps.log?.(`internal error on upgrade ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
    writeStatusToSocket(socket, errors.internalError((e as Error).message));
  }
}
