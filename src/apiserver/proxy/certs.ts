// Certificates for the API server ↔ agent link, issued by the cluster CA
// (openssl, ECDSA P-256, like the serving certificate): the API server's
// client certificate for calling agents (`skiff-apiserver-kubelet-client`,
// as Kubernetes' --kubelet-client-certificate), and an agent's serving
// certificate for its node name and addresses.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL_INSTALL_HINT } from '../auth/pki.ts';

export const KUBELET_CLIENT_CN = 'skiff-apiserver-kubelet-client';

export interface CertPair {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(OPENSSL_INSTALL_HINT);
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** Issues a certificate from the CA in `pkiDir` (ca.crt, ca.key). */
export function issueCert(pkiDir: string, o: { commonName: string; organization?: string; usage: 'client' | 'server'; dns?: string[]; ips?: string[] }): CertPair {
  const ca = join(pkiDir, 'ca.crt');
  const caKey = join(pkiDir, 'ca.key');
  if (!existsSync(ca) || !existsSync(caKey)) throw new Error(`no cluster CA in ${pkiDir}: start the control plane once to create it`);
  const work = mkdtempSync(join(tmpdir(), 'skiff-cert-'));
  try {
    const san = [...(o.dns ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((i) => `IP:${i}`)];
    const ext = [
      `extendedKeyUsage=${o.usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'basicConstraints=critical,CA:FALSE',
      ...(san.length ? [`subjectAltName=${san.join(',')}`] : []),
    ];
    writeFileSync(join(work, 'cert.ext'), ext.join('\n') + '\n');
    const subj = `${o.organization ? `/O=${o.organization}` : ''}/CN=${o.commonName}`;
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'cert.key'], work);
    openssl(['req', '-new', '-key', 'cert.key', '-subj', subj, '-out', 'cert.csr'], work);
    openssl(['x509', '-req', '-in', 'cert.csr', '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-CAserial', join(work, 'ca.srl'), '-days', '3650', '-sha256', '-extfile', 'cert.ext', '-out', 'cert.crt'], work);
    return { cert: readFileSync(join(work, 'cert.crt'), 'utf8'), key: readFileSync(join(work, 'cert.key'), 'utf8') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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

/** A serving certificate for an agent: its node name and the addresses the API server dials. */
export function issueAgentServingCert(pkiDir: string, nodeName: string, addresses: string[]): CertPair {
  const ips = addresses.filter((a) => /^[\d.]+$|:/.test(a));
  const dns = [nodeName, ...addresses.filter((a) => !ips.includes(a))];
  return issueCert(pkiDir, { commonName: `system:node:${nodeName}`, organization: 'system:nodes', usage: 'server', dns, ips });
}
