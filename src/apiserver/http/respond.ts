import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../../api/errors.ts';

export function writeJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  writeRaw(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export function writeRaw(res: ServerResponse, code: number, text: string, contentType: string): void {
  const buf = Buffer.from(text);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': buf.length, 'Cache-Control': 'no-cache, private' });
  res.end(buf);
}

export function writeStatus(res: ServerResponse, e: errors.StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  writeJSON(res, e.status.code, e.status);
}

/** A `Warning: 299 - "text"` header, which kubectl prints as `Warning: text`. */
export function addWarning(res: ServerResponse, text: string): void {
  // Header values allow printable ASCII only: escape the rest, as Go's %q does.
  const quoted = JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const v = `299 - ${quoted}`;
  const prev = res.getHeader('Warning');
  res.setHeader('Warning', prev === undefined ? [v] : [...(Array.isArray(prev) ? prev : [String(prev)]), v]);
}

/** Reads a request body, refusing more than Kubernetes' 3 MiB limit. */
export async function readBody(req: IncomingMessage, limit = errors.MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw errors.requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw errors.requestEntityTooLarge(limit);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
