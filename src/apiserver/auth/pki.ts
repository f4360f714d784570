// The cluster's certificate authority and the API server's serving
// certificate, made once on first start (ECDSA P-256, by the openssl CLI) and
// kept in <data-dir>/pki. Clients pin the CA through the kubeconfig. The
// serving certificate always names the ways pods reach the API (the
// `kubernetes` Service's names and ClusterIP) and the advertised address; one
// that does not (an older data dir, a new address) is re-issued from the CA.

import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVICE_CIDR } from '../registry/allocator.ts';
import { firstServiceIP } from '../bootstrap/bootstrap.ts';
import { createCA, issueCert } from './x509.ts';

export { OPENSSL_INSTALL_HINT } from './x509.ts';

export interface ServingPKI {
  caCertPath: string;
  caCert: string;
  cert: string;
  key: string;
}


const isIP = (name: string) => /^[\d.]+$|:/.test(name);

/** Names the serving certificate must always hold: loopback and the `kubernetes` Service's names and ClusterIP (pods' way in). */
export function requiredServingNames(extra: string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  const ips = new Set(['127.0.0.1', firstServiceIP(DEFAULT_SERVICE_CIDR)]);
  for (const e of extra) (isIP(e) ? ips : dns).add(e);
  return { dns: [...dns], ips: [...ips] };
}

/** The addresses the serving certificate is valid for: the required names, this host's name and its interface addresses. */
export function servingNames(extra: string[] = []): { dns: string[]; ips: string[] } {
  const req = requiredServingNames(extra);
  const dns = new Set([...req.dns, hostname()]);
  const ips = new Set([...req.ips, '::1']);
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (!a.internal) ips.add(a.address.split('%')[0]!);
  return { dns: [...dns], ips: [...ips] };
}

/** The names of `names` a PEM certificate is not valid for (exact SAN entries; none missing means it covers them all). */
export function missingServingNames(certPem: string, names: { dns: string[]; ips: string[] }): string[] {
  const cert = new X509Certificate(certPem);
  const sans = new Set((cert.subjectAltName ?? '').split(', ').map((s) => s.replace(/^IP Address:/, 'IP:')));
  return [...names.dns.filter((d) => !sans.has(`DNS:${d}`)), ...names.ips.filter((i) => !cert.checkIP(i))];
}

/**
 * Loads the PKI in `dir`, creating what is missing. A serving certificate
 * lacking a required name or one of `extraNames` (the advertised address) is
 * re-issued from the same CA, so clients that pin the CA keep working.
 */
export function ensurePKI(dir: string, extraNames: string[] = []): ServingPKI {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f: string) => join(dir, f);
  if (!existsSync(p('ca.crt')) || !existsSync(p('ca.key'))) {
    createCA(dir);
    rmSync(p('apiserver.crt'), { force: true });
  }
  if (existsSync(p('apiserver.crt')) && missingServingNames(readFileSync(p('apiserver.crt'), 'utf8'), requiredServingNames(extraNames)).length > 0) rmSync(p('apiserver.crt'));
  if (!existsSync(p('apiserver.crt')) || !existsSync(p('apiserver.key'))) {
    const { dns, ips } = servingNames(extraNames);
    const pair = issueCert(dir, { commonName: 'skiff-apiserver', usage: 'server', dns, ips });
    writeFileSync(p('apiserver.key'), pair.key, { mode: 0o600 });
    writeFileSync(p('apiserver.crt'), pair.cert);
  }
  return { caCertPath: p('ca.crt'), caCert: readFileSync(p('ca.crt'), 'utf8'), cert: readFileSync(p('apiserver.crt'), 'utf8'), key: readFileSync(p('apiserver.key'), 'utf8') };
}
