// Client certificates for users, signed by the cluster CA (openssl, ECDSA
// P-256): subject CN is the user name, one O per group, extendedKeyUsage
// clientAuth. What `skiff user create` writes into a kubeconfig.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL_INSTALL_HINT } from './pki.ts';

/** A subject RDN value: openssl's -subj treats "/" "+" "=" "\" specially. */
function rdn(v: string): string {
  return v.replace(/[\\/+=]/g, (c) => `\\${c}`);
}

/** Issues a client certificate; `pkiDir` holds ca.crt and ca.key. */
export function issueClientCertificate(pkiDir: string, user: string, groups: string[], days = 365): { cert: string; key: string } {
  if (!user) throw new Error('a user name is required');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-usercert-'));
  const run = (args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error(OPENSSL_INSTALL_HINT);
      throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`);
    }
  };
  try {
    const subj = '/' + [...groups.map((g) => `O=${rdn(g)}`), `CN=${rdn(user)}`].join('/');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n');
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'client.key']);
    run(['req', '-new', '-key', 'client.key', '-subj', subj, '-multivalue-rdn', '-out', 'client.csr']);
    run(['x509', '-req', '-in', 'client.csr', '-CA', join(pkiDir, 'ca.crt'), '-CAkey', join(pkiDir, 'ca.key'), '-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-days', String(days), '-sha256', '-extfile', 'client.ext', '-out', 'client.crt']);
    return { cert: readFileSync(join(dir, 'client.crt'), 'utf8'), key: readFileSync(join(dir, 'client.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
