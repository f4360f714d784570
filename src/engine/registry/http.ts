// One HTTP exchange with a registry over node:http(s): keep-alive agents,
// redirects followed for GET/HEAD (blob downloads are often redirected to
// storage; credentials are dropped when the host changes), an idle timeout.

import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });
const httpsInsecureAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a function that opens the body (so a retry can send it again). */
  body?: Buffer | (() => Readable | Promise<Readable>);
  /** Skip TLS verification (insecure registries only). */
  insecureTLS?: boolean;
  /** Idle timeout on the socket (ms). */
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

/** Thrown when no HTTP answer came back at all (refused, reset, DNS, TLS, timeout). */
export class TransportError extends Error {
  constructor(
    readonly url: URL,
    override readonly cause: Error,
  ) {
    super(`${url.origin}: ${cause.message}`);
    this.name = 'TransportError';
  }
}

function once(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const https = req.url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length);
    const r = send(req.url, { method: req.method, headers, agent: https ? (req.insecureTLS ? httpsInsecureAgent : httpsAgent) : httpAgent });
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      reject(new TransportError(req.url, e));
    };
    r.setTimeout(req.timeoutMs ?? 60_000, () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 60_000} ms`)));
    r.on('error', fail);
    r.on('response', (res) => {
      settled = true;
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      Promise.resolve(req.body())
        .then((s) => {
          s.on('error', (e) => r.destroy(e));
          s.pipe(r);
        })
        .catch((e: Error) => r.destroy(e));
    }
  });
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  let cur = req;
  for (let hops = 0; ; hops++) {
    const res = await once(cur);
    const loc = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !loc || (cur.method !== 'GET' && cur.method !== 'HEAD')) return res;
    if (hops >= (req.maxRedirects ?? 5)) return res;
    res.body.resume();
    const next = new URL(loc, cur.url);
    const headers = { ...cur.headers };
    if (next.host !== cur.url.host) delete headers.authorization;
    cur = { ...cur, url: next, headers };
  }
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new Error(`response body larger than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
