// The client certificate Prometheus scrapes node agents with: issued by the
// cluster CA with common name `skiff-metrics`, which agents allow on /metrics
// only (never logs, exec or port-forward). Kept beside the cluster's PKI.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert, type CertPair } from '../apiserver/proxy/certs.ts';
import { METRICS_CLIENT_CN } from './kubelet.ts';

export const METRICS_CLIENT_CERT = 'metrics-client.crt';
export const METRICS_CLIENT_KEY = 'metrics-client.key';

/** Makes (once) and returns pkiDir/metrics-client.{crt,key}. */
export function ensureMetricsClientCert(pkiDir: string): CertPair & { certPath: string; keyPath: string } {
  const certPath = join(pkiDir, METRICS_CLIENT_CERT);
  const keyPath = join(pkiDir, METRICS_CLIENT_KEY);
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const pair = issueCert(pkiDir, { commonName: METRICS_CLIENT_CN, usage: 'client' });
    writeFileSync(keyPath, pair.key, { mode: 0o600 });
    writeFileSync(certPath, pair.cert);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
}
