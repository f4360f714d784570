// One Prometheus registry per component (API server, agent, controller
// manager): prom-client's process and Node.js metrics plus what the
// component registers, and the /metrics handler that writes it in the
// Prometheus text format. A registry per component, never prom-client's
// global one, so several components can share a process (skiff up, tests)
// without their series colliding.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry with prom-client's default process_* and nodejs_* metrics. */
export function newRegistry(defaults = true): Registry {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Writes the registry in the text exposition format (GET and HEAD only), then what `extra` renders itself. */
export async function serveMetrics(registry: Registry, req: IncomingMessage, res: ServerResponse, extra?: () => Promise<string>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
    res.end(`method ${req.method} not allowed on /metrics\n`);
    return;
  }
  const [body, more] = await Promise.all([registry.metrics(), extra?.() ?? '']);
  const text = more ? body + more : body;
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}
