// A small HTTPS client for a test cluster: the cluster CA and admin token
// from its kubeconfig, JSON in and out.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export function apiClient(kubeconfigPath: string) {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
  const server = new URL(kc.clusters[0].cluster.server);
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const token = kc.users[0].user.token as string;
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      // An explicit length: Node sends DELETE bodies unchunked, so without one the body would run into the next request.
      const length: Record<string, string> = data === undefined ? {} : { 'content-length': String(Buffer.byteLength(data)) };
      const req = request(
        { host: server.hostname, port: server.port, path, method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', ...length, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
}
