// Fetches a node agent's Summary API (GET /stats/summary) over mutual TLS
// with the API server's kubelet client certificate, as metrics-server asks
// each kubelet. A slow or failing agent costs one node's metrics, never the
// whole answer.

import { request } from 'node:https';
import { isIP } from 'node:net';
import type { KubeletClientConfig } from '../../apiserver/proxy/locate.ts';
import type { Summary } from '../summary.ts';

export type { Summary } from '../summary.ts';

const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

export function fetchSummary(host: string, port: number, kubelet: KubeletClientConfig, timeoutMs: number): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path: '/stats/summary?only_cpu_and_memory=true', method: 'GET', ca: kubelet.ca, cert: kubelet.cert, key: kubelet.key, servername: isIP(host) ? undefined : host, headers: { accept: 'application/json' }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_SUMMARY_BYTES) return req.destroy(new Error(`summary larger than ${MAX_SUMMARY_BYTES} bytes`));
          chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return reject(new Error(`GET https://${host}:${port}/stats/summary: ${res.statusCode}: ${body.slice(0, 200).trim()}`));
          try {
            resolve(JSON.parse(body) as Summary);
          } catch (e) {
            reject(new Error(`GET https://${host}:${port}/stats/summary: bad JSON: ${(e as Error).message}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET https://${host}:${port}/stats/summary: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
