// `skiff token create [--ttl 24h]`: a join token for `skiff agent`, stored
// in the cluster as a bootstrap-token Secret (kube-system/bootstrap-token-<id>,
// as kubeadm does), printed with the command that joins a machine.
// `skiff token list` shows them; `skiff token delete ID` revokes one.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { Client, type KubeObject } from '../client/rest.ts';
import { ApiError } from '../client/errors.ts';
import { parseFlags, usageOf, UsageError, type FlagSpec } from './args.ts';
import { defaultDataDir } from './datadir.ts';
import { nodeIP } from '../network/hostip.ts';
import { BOOTSTRAP_TOKEN_TYPE, caCertHash, newJoinTokenSecret } from './join.ts';

const spec: FlagSpec = {
  'data-dir': { type: 'string', help: "the cluster's data dir, whose admin kubeconfig is used (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)" },
  ttl: { type: 'string', help: 'how long the token is valid: 90s, 30m, 24h (default 24h; 0 never expires)' },
};

/** "90s", "30m", "24h", "2d" or "0" as seconds (0: no expiry). */
export function parseTTL(v: string, flag = '--ttl'): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${flag} must be a duration like 90s, 30m or 24h, got "${v}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'];
}

/** The admin client from the kubeconfig `skiff up`/`skiff server` wrote. */
export function adminClientOf(dataDir: string): { client: Client; server: string; caCert: string } {
  const path = join(dataDir, 'kubeconfig.yaml');
  if (!existsSync(path)) throw new UsageError(`no cluster in ${dataDir} (no kubeconfig.yaml): start it with skiff up or skiff server, or pass --data-dir`);
  const kc = parse(readFileSync(path, 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] };
  const server = kc.clusters[0]!.cluster.server;
  const caCert = Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8');
  return { client: new Client({ server, ca: caCert, token: kc.users[0]!.user.token, userAgent: 'skiff-token' }), server, caCert };
}

export async function token(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const usage = usageOf('token create|list|delete [flags]', spec);
  const { flags, rest: positional } = parseFlags(rest, spec, usage);
  const dataDir = (flags['data-dir'] as string | undefined) ?? process.env.SKIFF_DATA_DIR ?? defaultDataDir();
  if (sub !== 'create' && sub !== 'list' && sub !== 'delete') throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')}\n${usage}`);
  const { client, server, caCert } = adminClientOf(dataDir);
  const secrets = client.resource<Secret & KubeObject>('v1', 'secrets');
  try {
    if (sub === 'create') {
      const ttl = parseTTL((flags.ttl as string | undefined) ?? '24h');
      const { token: t, secret } = newJoinTokenSecret(ttl || undefined);
      await secrets.create('kube-system', secret);
      const port = new URL(server).port || '443';
      console.log(t);
      console.error(`skiff token: join a machine with:\n  skiff agent --server https://${nodeIP() ?? '<this-host>'}:${port} --token ${t} --ca-cert-hash ${caCertHash(caCert)}`);
      if (ttl) console.error(`skiff token: the token expires in ${flags.ttl ?? '24h'}`);
      return 0;
    }
    if (sub === 'list') {
      const list = await secrets.list('kube-system', { fieldSelector: `type=${BOOTSTRAP_TOKEN_TYPE}` });
      console.log('TOKEN ID\tEXPIRES');
      for (const s of list.items) {
        const d = (k: string) => (s.data?.[k] ? Buffer.from(s.data[k]!, 'base64').toString('utf8') : undefined);
        console.log(`${d('token-id')}\t${d('expiration') ?? '<never>'}`);
      }
      return 0;
    }
    const id = positional[0]?.split('.')[0];
    if (!id || !/^[a-z0-9]{6}$/.test(id)) throw new UsageError(`token delete needs a token ID (6 characters)\n${usage}`);
    try {
      await secrets.delete('kube-system', `bootstrap-token-${id}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) {
        console.error(`skiff token: no token with ID ${id}`);
        return 1;
      }
      throw e;
    }
    console.log(`skiff token: deleted ${id}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(`skiff token: ${(e as Error).message}`);
    return 1;
  } finally {
    client.close();
  }
}
