// `skiff agent --server URL --token T [--ca-cert-hash sha256:...|--ca-cert FILE]`:
// a node alone (engine, agent, service proxy, DNS), joined to a remote
// control plane. Discovery as kubeadm does it: the cluster CA is fetched
// from /cacerts without verification only to be checked against the pinned
// public-key hash (or read from --ca-cert), then pinned in the data dir; the
// join token buys the node's own credentials (user system:node:<name>,
// group system:nodes) and a serving certificate, kept in <data-dir>/join so a
// restart needs no token.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { Client } from '../client/rest.ts';
import { learnAPIServers } from '../client/servers.ts';
import { nodeIP as detectNodeIP } from '../network/hostip.ts';
import { parseFlags, usageOf, UsageError, type FlagSpec } from './args.ts';
import { defaultDataDir } from './datadir.ts';
import { caCertHash, CACERTS_PATH, JOIN_PATH, type JoinResponse } from './join.ts';
import { startNode } from './node.ts';

const spec: FlagSpec = {
  server: { type: 'string', help: "the API server's URL, https://HOST:PORT" },
  token: { type: 'string', help: 'a join token from `skiff token create` (not needed once joined)' },
  'ca-cert-hash': { type: 'string', help: "sha256:<hex> of the cluster CA's public key (printed by skiff token create)" },
  'ca-cert': { type: 'string', help: 'the cluster CA certificate file, instead of --ca-cert-hash' },
  'node-name': { type: 'string', help: "this node's name (default: the host name)" },
  'node-ip': { type: 'string', help: "this node's address (default: the address of the default route's interface)" },
  'data-dir': { type: 'string', help: 'where the node keeps its state (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)' },
  registry: { type: 'string', help: "the cluster's image registry HOST:PORT, pulled from over plain HTTP" },
};

interface HttpResult {
  status: number;
  body: string;
}

/** One HTTPS request; `ca` pins the server's CA, absent skips verification (discovery only). */
function httpsRequest(url: URL, o: { method: string; ca?: string; headers?: Record<string, string>; body?: string }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method, ca: o.ca, rejectUnauthorized: o.ca !== undefined, headers: o.headers, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in 15 s`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The cluster CA: from --ca-cert, else fetched and checked against --ca-cert-hash. */
export async function discoverCA(server: URL, o: { caCertFile?: string; caCertHash?: string }): Promise<string> {
  if (o.caCertFile) {
    const pem = readFileSync(o.caCertFile, 'utf8');
    if (o.caCertHash && caCertHash(pem) !== o.caCertHash.toLowerCase()) throw new Error(`the CA in ${o.caCertFile} does not match --ca-cert-hash`);
    return pem;
  }
  if (!o.caCertHash) throw new UsageError('give --ca-cert-hash sha256:... (printed by skiff token create) or --ca-cert FILE, so the agent can trust the server');
  if (!/^sha256:[0-9a-f]{64}$/i.test(o.caCertHash)) throw new UsageError(`--ca-cert-hash must be sha256:<64 hex digits>, got "${o.caCertHash}"`);
  const r = await httpsRequest(new URL(CACERTS_PATH, server), { method: 'GET' });
  if (r.status !== 200 || !r.body.includes('BEGIN CERTIFICATE')) throw new Error(`${server.origin}${CACERTS_PATH} answered ${r.status}: not a skiff API server?`);
  const got = caCertHash(r.body);
  if (got !== o.caCertHash.toLowerCase()) throw new Error(`the server's CA has hash ${got}, not the pinned ${o.caCertHash}: refusing to join (wrong server, or someone in between)`);
  return r.body;
}

/** Trades a join token for the node's credentials, over TLS pinned to `ca`. */
export async function requestJoin(server: URL, ca: string, token: string, nodeName: string, addresses: string[]): Promise<JoinResponse> {
  const r = await httpsRequest(new URL(JOIN_PATH, server), {
    method: 'POST',
    ca,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, nodeName, addresses }),
  });
  if (r.status !== 200) {
    let msg = r.body;
    try {
      msg = (JSON.parse(r.body) as { message?: string }).message ?? r.body;
    } catch {
      // not JSON
    }
    throw new Error(`the server refused to join this node (${r.status}): ${msg}`);
  }
  return JSON.parse(r.body) as JoinResponse;
}

interface JoinState {
  /** The API servers, the one joined through first (several in an HA cluster). */
  servers?: string[];
  /** Before HA: the one server. */
  server?: string;
  nodeName: string;
  /** Agents joined before nodes got client certificates keep their bearer token. */
  token?: string;
}

/** `--server https://a:6443[,https://b:6443...]` as URLs. */
export function parseServers(v: string): URL[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new UsageError(`--server must be a URL like https://10.0.0.1:6443 (several separated by commas), got "${s}"`);
    }
    if (u.protocol !== 'https:') throw new UsageError(`--server must be an https:// URL, got "${s}"`);
    return u;
  });
}

/** The first of `servers` that answers `fn`; the last error when none does. */
async function firstAnswering<T>(servers: URL[], fn: (u: URL) => Promise<T>): Promise<T> {
  let last: unknown;
  for (const u of servers) {
    try {
      return await fn(u);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      last = e;
    }
  }
  throw last;
}

export async function agent(args: string[]): Promise<number> {
  const usage = usageOf('agent --server URL[,URL...] --token TOKEN --ca-cert-hash sha256:... [flags]', spec);
  const { flags } = parseFlags(args, spec, usage);
  const dataDir = (flags['data-dir'] as string | undefined) ?? defaultDataDir();
  const joinDir = join(dataDir, 'join');
  const statePath = join(joinDir, 'state.json');
  const saved = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as JoinState) : undefined;
  const savedServers = saved?.servers ?? (saved?.server ? [saved.server] : undefined);
  const serverFlag = (flags.server as string | undefined) ?? savedServers?.join(',');
  if (!serverFlag) throw new UsageError(`--server is required\n${usage}`);
  const servers = parseServers(serverFlag);
  if (servers.length === 0) throw new UsageError(`--server is required\n${usage}`);
  const nodeName = ((flags['node-name'] as string | undefined) ?? saved?.nodeName ?? hostname()).toLowerCase();
  const ip = (flags['node-ip'] as string | undefined) ?? detectNodeIP();
  if (!ip) throw new UsageError("cannot tell this machine's IP address: pass --node-ip");
  const log = (l: string) => console.log(`skiff: ${l}`);
  let stop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());

  let caCert: string;
  let creds: { token?: string; clientCert?: string; clientKey?: string; cert: string; key: string };
  // A node keeps its identity when only the list of servers changes (a server added to an HA cluster).
  const rejoin = !saved || saved.nodeName !== nodeName || !savedServers?.some((s) => servers.some((u) => u.href === s));
  try {
    if (!rejoin) {
      caCert = readFileSync(join(joinDir, 'ca.crt'), 'utf8');
      const hasCert = existsSync(join(joinDir, 'client.crt'));
      creds = {
        token: saved!.token,
        ...(hasCert ? { clientCert: readFileSync(join(joinDir, 'client.crt'), 'utf8'), clientKey: readFileSync(join(joinDir, 'client.key'), 'utf8') } : {}),
        cert: readFileSync(join(joinDir, 'agent.crt'), 'utf8'),
        key: readFileSync(join(joinDir, 'agent.key'), 'utf8'),
      };
      if (flags['ca-cert-hash'] && caCertHash(caCert) !== (flags['ca-cert-hash'] as string).toLowerCase()) throw new Error('the pinned CA does not match --ca-cert-hash');
    } else {
      if (!flags.token) throw new UsageError(`--token is required to join (skiff token create on the server prints one)\n${usage}`);
      const joined = await firstAnswering(servers, async (server) => {
        const ca = await discoverCA(server, { caCertFile: flags['ca-cert'] as string | undefined, caCertHash: flags['ca-cert-hash'] as string | undefined });
        return { server, ca, r: await requestJoin(server, ca, flags.token as string, nodeName, [ip, nodeName]) };
      });
      const r = joined.r;
      caCert = joined.ca;
      mkdirSync(joinDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(joinDir, 'ca.crt'), caCert);
      writeFileSync(join(joinDir, 'client.crt'), r.clientCert);
      writeFileSync(join(joinDir, 'client.key'), r.clientKey, { mode: 0o600 });
      writeFileSync(join(joinDir, 'agent.crt'), r.servingCert);
      writeFileSync(join(joinDir, 'agent.key'), r.servingKey, { mode: 0o600 });
      creds = { clientCert: r.clientCert, clientKey: r.clientKey, cert: r.servingCert, key: r.servingKey };
      log(`joined ${joined.server.origin} as node ${nodeName} (CA ${caCertHash(caCert)})`);
    }
    const state: JoinState = { servers: servers.map((u) => u.href), nodeName, ...(creds.clientCert ? {} : { token: creds.token }) };
    writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(`skiff agent: ${(e as Error).message}`);
    return 1;
  }
  const urls = servers.map((u) => u.href.replace(/\/$/, ''));
  const credentials = creds.clientCert ? { clientCert: creds.clientCert, clientKey: creds.clientKey } : { token: creds.token };
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, { server: urls[0]!, caCert, ...credentials, user: `system:node:${nodeName}` });
  // With several servers, requests move to the next when one is unreachable (HA).
  const client = new Client({
    server: urls[0]!,
    fallbackServers: urls.slice(1),
    ca: caCert,
    ...(creds.clientCert ? { cert: creds.clientCert, key: creds.clientKey } : { token: creds.token }),
    userAgent: `skiff-agent/${nodeName}`,
  });
  // Servers added to the cluster later are learned from the kubernetes Service's endpoints, and kept for restarts.
  const learning = learnAPIServers(client, {
    log,
    onAdded: (origins) => {
      log(`API servers ${origins.join(', ')} added to fail over to`);
      const state: JoinState = { ...(JSON.parse(readFileSync(statePath, 'utf8')) as JoinState), servers: [...new Set([...servers.map((u) => u.href), ...client.servers.map((u) => u.href)])] };
      writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
    },
  });
  const registry = flags.registry as string | undefined;
  // Started by `skiff up --nodes`: stop with the parent (its end of stdin closes when it dies).
  const lifeline = process.env.SKIFF_AGENT_LIFELINE === 'stdin';
  if (lifeline) process.stdin.on('end', () => stop()).on('close', () => stop()).resume();
  let node;
  try {
    node = await startNode({
      client,
      dataDir,
      caCert,
      servingCert: { cert: creds.cert, key: creds.key },
      nodeName,
      nodeIP: ip,
      defaultRegistry: registry,
      insecureRegistries: registry ? [registry] : undefined,
      log,
    });
  } catch (e) {
    console.error(`skiff agent: the node could not start: ${(e as Error).message}`);
    learning.stop();
    client.close();
    if (lifeline) process.stdin.destroy();
    return 1;
  }
  log(`node ${node.nodeName} (${node.nodeIP}) runs containers with runc; API server ${urls.join(', ')}`);
  log('agent running in the foreground; Ctrl-C stops it.');
  await stopRequested;
  await node.stop();
  learning.stop();
  client.close();
  if (lifeline) process.stdin.destroy();
  log('agent stopped cleanly.');
  // Work that no longer matters (a container's grace period the next start will finish) must not
  // hold the process: exit soon even if such work is still pending.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  return 0;
}
