// Certificates for the API server ↔ agent link, issued by the cluster CA
// (auth/x509.ts, like the serving certificate): the API server's
// client certificate for calling agents (`skiff-apiserver-kubelet-client`,
// as Kubernetes' --kubelet-client-certificate), and an agent's serving
// certificate for its node name and addresses.

import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert as issueX509, type CertPair } from '../auth/x509.ts';
import { missingServingNames } from '../auth/pki.ts';

export const KUBELET_CLIENT_CN = 'skiff-apiserver-kubelet-client';

export type { CertPair };

/** Issues a certificate from the CA in `pkiDir` (ca.crt, ca.key). */
export function issueCert(pkiDir: string, o: { commonName: string; organization?: string; usage: 'client' | 'server'; dns?: string[]; ips?: string[] }): CertPair {
  return issueX509(pkiDir, { ...o, organizations: o.organization ? [o.organization] : [] });
}

/** The API server's client certificate for agents, kept in `pkiDir` (made once). */
export function ensureKubeletClientCert(pkiDir: string): CertPair {
  const certPath = join(pkiDir, 'apiserver-kubelet-client.crt');
  const keyPath = join(pkiDir, 'apiserver-kubelet-client.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const pair = issueCert(pkiDir, { commonName: KUBELET_CLIENT_CN, organization: 'system:masters', usage: 'client' });
    writeFileSync(keyPath, pair.key, { mode: 0o600 });
    writeFileSync(certPath, pair.cert);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/**
 * The node's own agent serving certificate, kept in `pkiDir` as
 * agent-<node>.crt/.key and issued again only when it no longer fits: not
 * from this CA, expiring within 30 days, or missing a name or address.
 */
export function ensureAgentServingCert(pkiDir: string, nodeName: string, addresses: string[]): CertPair {
  const certPath = join(pkiDir, `agent-${nodeName}.crt`);
  const keyPath = join(pkiDir, `agent-${nodeName}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const pair = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
    if (certFits(pair.cert, readFileSync(join(pkiDir, 'ca.crt'), 'utf8'), [nodeName, ...addresses])) return pair;
  }
  const pair = issueAgentServingCert(pkiDir, nodeName, addresses);
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  writeFileSync(certPath, pair.cert);
  return pair;
}

function certFits(certPem: string, caPem: string, names: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    if (Date.parse(cert.validTo) < Date.now() + 30 * 86_400_000) return false;
    return missingServingNames(certPem, { dns: names.filter((n) => !isIP(n)), ips: names.filter((n) => isIP(n)) }).length === 0;
  } catch {
    return false;
  }
}

/** A serving certificate for an agent: its node name and the addresses the API server dials. */
export function issueAgentServingCert(pkiDir: string, nodeName: string, addresses: string[]): CertPair {
  const ips = addresses.filter((a) => /^[\d.]+$|:/.test(a));
  const dns = [nodeName, ...addresses.filter((a) => !ips.includes(a))];
  return issueCert(pkiDir, { commonName: `system:node:${nodeName}`, organization: 'system:nodes', usage: 'server', dns, ips });
}
