// `skiff user create NAME [--group G]... [--kubeconfig PATH]`: a client
// certificate for NAME (CN) in groups G (O), signed by the cluster CA, and
// a kubeconfig that uses it against this machine's cluster. What the user
// may do is RBAC's business: bind NAME or a group to a role.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { issueClientCertificate } from '../apiserver/auth/clientcert.ts';
import { UsageError } from './args.ts';
import { defaultDataDir } from './datadir.ts';

const USAGE = `usage: skiff user create NAME [--group GROUP]... [--kubeconfig PATH] [--days N] [--data-dir DIR]

Writes a kubeconfig with a client certificate for NAME, signed by the cluster CA.
  --group GROUP      a group the user is in (repeat, or separate with commas)
  --kubeconfig PATH  where to write it (default: <data-dir>/users/NAME.kubeconfig)
  --days N           certificate lifetime (default 365)
  --data-dir DIR     the cluster's data directory`;

export interface UserKubeconfigOptions {
  dataDir: string;
  name: string;
  groups: string[];
  out?: string;
  days?: number;
}

/** Issues the certificate and writes the kubeconfig; returns its path. */
export function createUserKubeconfig(o: UserKubeconfigOptions): string {
  if (!/^[^\s/]+$/.test(o.name)) throw new UsageError(`invalid user name ${JSON.stringify(o.name)}: no spaces or slashes`);
  const adminConfig = join(o.dataDir, 'kubeconfig.yaml');
  if (!existsSync(adminConfig)) throw new UsageError(`no cluster in ${o.dataDir} (${adminConfig} is missing): start one with \`skiff up\` or give --data-dir`);
  const admin = parse(readFileSync(adminConfig, 'utf8')) as { clusters: { name: string; cluster: Record<string, string> }[] };
  const cluster = admin.clusters[0]!;
  const { cert, key } = issueClientCertificate(join(o.dataDir, 'pki'), o.name, o.groups, o.days);
  const out = o.out ?? join(o.dataDir, 'users', `${o.name.replace(/:/g, '_')}.kubeconfig`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: cluster.cluster }],
    users: [{ name: o.name, user: { 'client-certificate-data': Buffer.from(cert).toString('base64'), 'client-key-data': Buffer.from(key).toString('base64') } }],
    contexts: [{ name: `${o.name}@${cluster.name}`, context: { cluster: cluster.name, user: o.name, namespace: 'default' } }],
    'current-context': `${o.name}@${cluster.name}`,
    preferences: {},
  };
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, stringify(doc), { mode: 0o600 });
  renameSync(tmp, out);
  return out;
}

export async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(sub ? `unknown subcommand "${sub}"\n${USAGE}` : USAGE);
  const groups: string[] = [];
  let name: string | undefined;
  let out: string | undefined;
  let days: number | undefined;
  let dataDir = defaultDataDir();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (!v) throw new UsageError(`flag ${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--group') groups.push(...value().split(',').filter(Boolean));
    else if (flag === '--kubeconfig') out = value();
    else if (flag === '--data-dir') dataDir = value();
    else if (flag === '--days') {
      days = Number(value());
      if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days must be a positive whole number\n${USAGE}`);
    } else if (a.startsWith('--')) throw new UsageError(`unknown flag ${flag}\n${USAGE}`);
    else if (name === undefined) name = a;
    else throw new UsageError(`one user at a time\n${USAGE}`);
  }
  if (!name) throw new UsageError(`a user name is required\n${USAGE}`);
  const path = createUserKubeconfig({ dataDir, name, groups, out, days });
  console.log(`user ${name}${groups.length ? ` (groups ${groups.join(', ')})` : ''}: kubeconfig written to ${path}`);
  console.log(`grant rights with RBAC, e.g. kubectl create rolebinding ${name}-view --clusterrole=view --user=${name}`);
  return 0;
}
