// Client certificates for users, signed by the cluster CA (x509.ts): subject
// CN is the user name, one O per group, extendedKeyUsage clientAuth. What
// `skiff user create` writes into a kubeconfig.

import { issueCert, type CertPair } from './x509.ts';

/** Issues a client certificate; `pkiDir` holds ca.crt and ca.key. */
export function issueClientCertificate(pkiDir: string, user: string, groups: string[], days = 365): CertPair {
  if (!user) throw new Error('a user name is required');
  return issueCert(pkiDir, { commonName: user, organizations: groups, usage: 'client', days });
}
