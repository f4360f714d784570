// The three probe handlers (exec, httpGet, tcpSocket), shared by probes and
// lifecycle hooks, with the kubelet's outputs ("HTTP probe failed with
// statuscode: 503", `Get "http://ip:port/path": ... connection refused`).
//
// httpGet and tcpSocket reach the pod through runtime.portForward to its
// sandbox instead of dialling the pod IP from the node: until pod networking
// exists a pod's network namespace has only loopback, which the node cannot
// route to, and the real engine implements portForward by entering that
// namespace. Once pods get routable IPs the same path keeps working (and is
// what `kubectl port-forward` uses), so there is one code path, not two.

import { request as httpRequest } from 'node:http';
import type { Container, ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1.js';
import { isRuntimeError, type Runtime } from '../../engine/runtime.ts';
import { duplexPair } from './duplex.ts';
import { Writable } from 'node:stream';

export type ProbeResult = 'success' | 'failure';

export interface ActionTarget {
  runtime: Runtime;
  containerId: string;
  sandboxId: string;
  /** Shown in messages (the pod IP, or 127.0.0.1 when the pod has none). */
  podIP: string;
  container: Container;
  timeoutMs: number;
  /** kube-probe/<version> */
  userAgent?: string;
}

export interface ActionOutcome {
  result: ProbeResult;
  output: string;
}

/** A named port (`http`) resolves through the container's ports. */
export function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runExec(a: ExecAction, t: ActionTarget): Promise<ActionOutcome> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      if (chunks.reduce((n, c) => n + c.length, 0) < 10 * 1024) chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const cmd = a.command ?? [];
  try {
    const r = await t.runtime.exec(t.containerId, { cmd, stdout: sink, stderr: sink, timeoutMs: t.timeoutMs });
    const output = Buffer.concat(chunks).toString().trim();
    if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
    return { result: r.exitCode === 0 ? 'success' : 'failure', output };
  } catch (e) {
    return { result: 'failure', output: isRuntimeError(e) ? e.message : (e as Error).message };
  }
}

export async function runHTTPGet(a: HTTPGetAction, t: ActionTarget): Promise<ActionOutcome> {
  const port = resolvePort(a.port, t.container);
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  let path = a.path ?? '/';
  if (!path.startsWith('/')) path = '/' + path;
  const host = a.host || t.podIP;
  const url = `${scheme}://${host}:${port}${path}`;
  if (port === undefined) return { result: 'failure', output: `unknown port ${a.port}` };
  if (scheme !== 'http') return { result: 'failure', output: `Get "${url}": https probes are not supported through port-forward yet` };
  const headers: Record<string, string> = { 'User-Agent': t.userAgent ?? 'kube-probe/1.32', Accept: '*/*', Host: `${host}:${port}`, Connection: 'close' };
  for (const h of a.httpHeaders ?? []) headers[h.name] = h.value;
  const [local, remote] = duplexPair();
  let forwardError: Error | undefined;
  const forwarding = t.runtime.portForward(t.sandboxId, port, remote).catch((e: Error) => {
    forwardError = e;
    local.destroy();
  });
  return new Promise<ActionOutcome>((resolve) => {
    let settled = false;
    const done = (o: ActionOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      local.destroy();
      void forwarding;
      resolve(o);
    };
    const timer = setTimeout(() => {
      req.destroy();
      done({ result: 'failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, t.timeoutMs);
    const req = httpRequest({ createConnection: () => local as never, method: 'GET', path, headers }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => done(code >= 200 && code < 400 ? { result: 'success', output: '' } : { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` }));
      res.on('error', () => done(code >= 200 && code < 400 ? { result: 'success', output: '' } : { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` }));
    });
    req.on('error', (e) => {
      // Give a refused forward a moment to say why the stream closed.
      setImmediate(() => done({ result: 'failure', output: `Get "${url}": ${forwardError ? refusedText(forwardError, host, port) : e.message}` }));
    });
    req.end();
  });
}

function refusedText(e: Error, host: string, port: number): string {
  return /refused/i.test(e.message) ? `dial tcp ${host}:${port}: connect: connection refused` : e.message;
}

export async function runTCPSocket(a: TCPSocketAction, t: ActionTarget): Promise<ActionOutcome> {
  const port = resolvePort(a.port, t.container);
  if (port === undefined) return { result: 'failure', output: `unknown port ${a.port}` };
  const host = a.host || t.podIP;
  const [local, remote] = duplexPair();
  // A refused connection fails portForward at once; a connection that opens
  // is closed again from our side right away (end of stdin), as the kubelet's
  // dial-then-close does.
  local.resume();
  local.end();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    t.runtime.portForward(t.sandboxId, port, remote).then(
      (): ActionOutcome => ({ result: 'success', output: '' }),
      (e: Error): ActionOutcome => ({ result: 'failure', output: refusedText(e, host, port) }),
    ),
    // Still forwarding at the deadline: the connection was made and is being held open.
    new Promise<ActionOutcome>((r) => (timer = setTimeout(() => r({ result: 'success', output: '' }), t.timeoutMs))),
  ]);
  clearTimeout(timer);
  local.destroy();
  return outcome;
}

export function runAction(a: { exec?: ExecAction; httpGet?: HTTPGetAction; tcpSocket?: TCPSocketAction; grpc?: unknown }, t: ActionTarget): Promise<ActionOutcome> {
  if (a.exec) return runExec(a.exec, t);
  if (a.httpGet) return runHTTPGet(a.httpGet, t);
  if (a.tcpSocket) return runTCPSocket(a.tcpSocket, t);
  return Promise.resolve({ result: 'failure', output: 'unsupported probe or handler (grpc is not supported yet)' });
}
