// Carries a pod's log/exec/attach/portforward request to the node agent.
// Logs are a plain GET streamed back (an agent error becomes a Status with
// the agent's code and text, as Kubernetes' LocationStreamer does). Upgrade
// requests (WebSocket or SPDY) are replayed to the agent over mutual TLS and
// the two sockets are then joined byte for byte, so the agent's 101 answer —
// negotiated subprotocol included — reaches the client untouched, and so
// does a refusal.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import * as errors from '../../api/errors.ts';
import type { AgentLocation, KubeletClientConfig } from './locate.ts';

const FORWARDED_UPGRADE_HEADERS = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'x-stream-protocol-version'];
const CONNECT_TIMEOUT_MS = 10_000;

/** A transport failure reaching the agent: Kubernetes answers 500 with the error text and no reason. */
function unreachable(loc: AgentLocation, method: string, e: Error): errors.StatusError {
  return new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${method} "https://${hostPort(loc)}${loc.path}": ${e.message}`, code: 500 });
}

const hostPort = (loc: AgentLocation) => (isIP(loc.host) === 6 ? `[${loc.host}]:${loc.port}` : `${loc.host}:${loc.port}`);

const REASONS: Record<number, errors.StatusReason> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };

/** Streams the agent's log answer to `res`; an agent error is thrown as a Status before anything is written. */
export function proxyLogs(req: IncomingMessage, res: ServerResponse, loc: AgentLocation, kubelet: KubeletClientConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = request(
      { host: loc.host, port: loc.port, path: loc.path, method: 'GET', ca: kubelet.ca, cert: kubelet.cert, key: kubelet.key, headers: { accept: 'text/plain' }, timeout: CONNECT_TIMEOUT_MS },
      (ar) => {
        up.setTimeout(0);
        const code = ar.statusCode ?? 500;
        if (code < 200 || code > 299) {
          const chunks: Buffer[] = [];
          let size = 0;
          ar.on('data', (c: Buffer) => {
            if (size < 4096) chunks.push(c);
            size += c.length;
          });
          ar.on('end', () => {
            const text = Buffer.concat(chunks).toString().slice(0, 4096).trim();
            // The agent's credentials were refused: that is the server's problem, not the caller's.
            if (code === 401 || code === 403) return reject(errors.internalError(`the node agent refused the API server: ${text}`));
            reject(new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text || `the node agent answered ${code}`, reason: REASONS[code], code }));
          });
          ar.on('error', (e) => reject(unreachable(loc, 'Get', e)));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        ar.pipe(res);
        ar.on('end', () => resolve());
        ar.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    up.on('timeout', () => up.destroy(new Error('timed out connecting to the node agent')));
    up.on('error', (e) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(unreachable(loc, 'Get', e));
    });
    // The client went away: stop following.
    res.once('close', () => up.destroy());
    req.once('aborted', () => up.destroy());
    up.end();
  });
}

/** Replays an upgrade request to the agent and joins the sockets; resolves once joined. */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, loc: AgentLocation, kubelet: KubeletClientConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = connect({ host: loc.host, port: loc.port, ca: kubelet.ca, cert: kubelet.cert, key: kubelet.key, servername: isIP(loc.host) ? undefined : loc.host, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => up.destroy(new Error('timed out connecting to the node agent')), CONNECT_TIMEOUT_MS);
    up.once('error', (e) => {
      clearTimeout(timer);
      reject(unreachable(loc, req.method === 'POST' ? 'Post' : 'Get', e));
    });
    up.once('secureConnect', () => {
      clearTimeout(timer);
      const lines = [`${req.method ?? 'GET'} ${loc.path} HTTP/1.1`, `Host: ${hostPort(loc)}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (FORWARDED_UPGRADE_HEADERS.includes(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      up.removeAllListeners('error');
      const close = () => {
        up.destroy();
        socket.destroy();
      };
      up.on('error', close);
      socket.on('error', close);
      up.on('close', () => socket.end());
      socket.on('close', () => up.destroy());
      up.pipe(socket);
      socket.pipe(up);
      resolve();
    });
  });
}

/** A Status answer on a socket whose upgrade the API server refuses. */
export function writeStatusToSocket(socket: Duplex, e: errors.StatusError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(e.status);
  socket.end(`HTTP/1.1 ${e.code} ${statusText(e.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function statusText(code: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' } as Record<number, string>)[code] ?? 'Error';
}
