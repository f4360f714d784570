// Serves the web dashboard at /dashboard: plain ES modules and CSS from
// ./web, and uPlot copied from node_modules as it is (no build step). The
// files are public, like any login page; everything they show comes from the
// API with the token the user logs in with.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = '/dashboard';

// Beside this file, or (when the CLI runs bundled into dist/skiff.mjs) in the source tree.
const HERE = dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = existsSync(join(HERE, 'web')) ? join(HERE, 'web') : join(HERE, '..', 'src', 'dashboard', 'web');
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Vendored files: served path → file in node_modules. */
function vendorFiles(): Record<string, string> {
  const uplot = dirname(require.resolve('uplot/package.json'));
  return { 'vendor/uPlot.esm.js': join(uplot, 'dist/uPlot.esm.js'), 'vendor/uPlot.min.css': join(uplot, 'dist/uPlot.min.css') };
}

function send(res: ServerResponse, code: number, body: Buffer | string, type: string, head = false): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(head ? undefined : body);
}

export function dashboardRoutes(): Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>> {
  const vendor = vendorFiles();
  const serve = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, `method ${req.method} not allowed\n`, 'text/plain; charset=utf-8');
    let rel = url.pathname.slice(DASHBOARD_PATH.length).replace(/^\/+/, '');
    // The dashboard is one page; every path that is not a file is a view of it (/dashboard/pods/ns/name).
    if (rel === '' && !url.pathname.endsWith('/')) {
      res.writeHead(301, { location: `${DASHBOARD_PATH}/` });
      return void res.end();
    }
    let file: string | undefined = vendor[rel];
    if (!file) {
      if (!/\.(js|css|svg|png|html)$/.test(rel)) rel = 'index.html';
      const p = normalize(join(WEB_ROOT, rel));
      if (!p.startsWith(WEB_ROOT + sep)) return send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
      file = p;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
    }
    send(res, 200, body, TYPES[extname(file)] ?? 'application/octet-stream', req.method === 'HEAD');
  };
  return { [DASHBOARD_PATH]: serve };
}
