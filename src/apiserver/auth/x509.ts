// Certificates by the openssl CLI (ECDSA P-256): the cluster CA, and
// certificates it signs (serving or client), each made by one openssl run
// (`req -x509 -newkey ... -CA`, OpenSSL 3) from a config written for it.
// Everything that issues certificates comes here: the API server's PKI, the
// agents', users' and the metrics client's certificates.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_INSTALL_HINT = 'openssl is needed to create the cluster CA: install it with `apt-get install openssl`';

export interface CertPair {
  cert: string;
  key: string;
}

export function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(OPENSSL_INSTALL_HINT);
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** A subject RDN value: openssl's -subj treats "/" "+" "=" "\" specially. */
const rdn = (v: string) => v.replace(/[\\/+=]/g, (c) => `\\${c}`);

/** One self-signed or CA-signed certificate and its new key, in `work`. */
function request(work: string, subject: string, extensions: string[], days: number, ca?: { cert: string; key: string }): CertPair {
  writeFileSync(join(work, 'req.cnf'), ['[req]', 'distinguished_name = dn', 'x509_extensions = ext', '[dn]', '[ext]', ...extensions, ''].join('\n'));
  openssl(
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'out.key', '-out', 'out.crt',
      '-config', 'req.cnf', '-subj', subject, '-multivalue-rdn', '-days', String(days), '-sha256',
      ...(ca ? ['-CA', ca.cert, '-CAkey', ca.key] : []),
    ],
    work,
  );
  return { cert: readFileSync(join(work, 'out.crt'), 'utf8'), key: readFileSync(join(work, 'out.key'), 'utf8') };
}

function inTempDir<T>(fn: (work: string) => T): T {
  const work = mkdtempSync(join(tmpdir(), 'skiff-x509-'));
  try {
    return fn(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A new CA (CN skiff-ca, ten years) as ca.crt and ca.key in `dir`. */
export function createCA(dir: string): void {
  const pair = inTempDir((work) => request(work, '/CN=skiff-ca', ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash'], 3650));
  writeFileSync(join(dir, 'ca.key'), pair.key, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), pair.cert);
}

export interface CertRequest {
  commonName: string;
  /** Subject O values (Kubernetes reads them as groups). */
  organizations?: string[];
  usage: 'client' | 'server';
  dns?: string[];
  ips?: string[];
  /** Validity (default 3650 days). */
  days?: number;
}

/** Issues a certificate from the CA in `pkiDir` (ca.crt, ca.key). */
export function issueCert(pkiDir: string, o: CertRequest): CertPair {
  const ca = { cert: join(pkiDir, 'ca.crt'), key: join(pkiDir, 'ca.key') };
  if (!existsSync(ca.cert) || !existsSync(ca.key)) throw new Error(`no cluster CA in ${pkiDir}: start the control plane once to create it`);
  if (!o.commonName) throw new Error('a certificate needs a common name');
  const san = [...(o.dns ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((i) => `IP:${i}`)];
  const extensions = [
    `extendedKeyUsage = ${o.usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'basicConstraints = critical,CA:FALSE',
    'authorityKeyIdentifier = keyid',
    ...(san.length ? [`subjectAltName = ${san.join(',')}`] : []),
  ];
  const subject = '/' + [...(o.organizations ?? []).map((g) => `O=${rdn(g)}`), `CN=${rdn(o.commonName)}`].join('/');
  return inTempDir((work) => request(work, subject, extensions, o.days ?? 3650, ca));
}
