// `skiff up --nodes N`: a local multi-node cluster. Node 1 is this process
// (as plain `skiff up`); each extra node K (2..N) is a `skiff agent` child
// in its own network namespace `skiff-node-K`, wired to the host by a veth
// pair on the host bridge `skiff-nodes` (10.44.0.0/24: the host is .1, node
// K is .K), so it joins over a real network path: discovery of the CA, the
// join token, then the API at https://10.44.0.1:PORT. Each node keeps its
// state in <data-dir>/nodes/<name>; host-gateway routes between the nodes'
// pod CIDRs follow the Nodes (src/network/routes.ts, in every node).
// `skiff down` removes the namespaces and the bridge (removeNodeNetworks).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { Client, KubeObject } from '../client/rest.ts';
import { caCertHash, newJoinTokenSecret } from './join.ts';

export const NODES_BRIDGE = 'skiff-nodes';
export const NODES_SUBNET = '10.44.0';
export const HOST_ADDRESS = `${NODES_SUBNET}.1`;
export const MAX_NODES = 200;

export const extraNodeName = (k: number) => `skiff-node-${k}`;
export const extraNodeIP = (k: number) => `${NODES_SUBNET}.${k}`;
export const nodesDir = (dataDir: string) => join(dataDir, 'nodes');

function ip(args: string[], o: { ignoreError?: RegExp } = {}): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message} (install iproute2)`);
  if (r.status !== 0 && !(o.ignoreError && o.ignoreError.test(r.stderr))) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

const linkExists = (name: string, netns?: string) => spawnSync('ip', [...(netns ? ['-n', netns] : []), 'link', 'show', name], { stdio: 'ignore' }).status === 0;

/** The host bridge the extra nodes hang off (idempotent). */
export function ensureHostBridge(): void {
  if (!linkExists(NODES_BRIDGE)) ip(['link', 'add', NODES_BRIDGE, 'type', 'bridge']);
  ip(['addr', 'replace', `${HOST_ADDRESS}/24`, 'dev', NODES_BRIDGE]);
  ip(['link', 'set', NODES_BRIDGE, 'up']);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
}

/** Node K's network namespace, its veth to the host bridge, address and default route (idempotent). */
export function ensureNodeNetns(k: number): string {
  const ns = extraNodeName(k);
  if (!existsSync(`/run/netns/${ns}`)) ip(['netns', 'add', ns]);
  const hostSide = `skn${k}`;
  if (!linkExists('eth0', ns)) {
    ip(['link', 'del', hostSide], { ignoreError: /Cannot find|does not exist/ });
    ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', `skn${k}p`]);
    ip(['link', 'set', `skn${k}p`, 'netns', ns]);
    ip(['-n', ns, 'link', 'set', `skn${k}p`, 'name', 'eth0']);
  }
  ip(['link', 'set', hostSide, 'master', NODES_BRIDGE]);
  ip(['link', 'set', hostSide, 'up']);
  ip(['-n', ns, 'addr', 'replace', `${extraNodeIP(k)}/24`, 'dev', 'eth0']);
  ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  ip(['-n', ns, 'route', 'replace', 'default', 'via', HOST_ADDRESS]);
  // Nodes route for their pods.
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`enabling forwarding in ${ns}: ${r.stderr.trim()}`);
  return ns;
}

/** Makes sure the API server's serving certificate covers `address` (re-issued from the cluster CA on next start when not). */
export function ensureServingCertCovers(pkiDir: string, address: string): void {
  const crt = join(pkiDir, 'apiserver.crt');
  if (!existsSync(crt)) return;
  if (new X509Certificate(readFileSync(crt)).checkIP(address)) return;
  rmSync(crt);
  rmSync(join(pkiDir, 'apiserver.key'), { force: true });
}

export interface ExtraNodesOptions {
  count: number;
  dataDir: string;
  /** The API server's port (it listens on the host bridge's address too). */
  apiPort: number;
  client: Client;
  caCertPath: string;
  /** The cluster registry's port, when it runs (listening on all addresses). */
  registryPort?: number;
  log: (line: string) => void;
}

export interface ExtraNodes {
  names: string[];
  stop(): Promise<void>;
}

/** Starts nodes 2..count as `skiff agent` children in their namespaces. */
export async function startExtraNodes(o: ExtraNodesOptions): Promise<ExtraNodes> {
  // A short-lived join token, only when a node has not joined yet (joined ones keep their credentials).
  let token = '';
  const unjoined = Array.from({ length: o.count - 1 }, (_, i) => i + 2).some((k) => !existsSync(join(nodesDir(o.dataDir), extraNodeName(k), 'join', 'state.json')));
  if (unjoined) {
    const made = newJoinTokenSecret(600);
    await o.client.resource<Secret & KubeObject>('v1', 'secrets').create('kube-system', made.secret);
    token = made.token;
  }
  const children: { name: string; child: ChildProcess }[] = [];
  const main = process.argv[1]!;
  const caHash = caCertHash(readFileSync(o.caCertPath, 'utf8'));
  for (let k = 2; k <= o.count; k++) {
    const ns = ensureNodeNetns(k);
    const name = extraNodeName(k);
    const dir = join(nodesDir(o.dataDir), name);
    mkdirSync(dir, { recursive: true });
    const args = [
      `--net=/run/netns/${ns}`, '--',
      process.execPath, ...process.execArgv, main, 'agent',
      '--server', `https://${HOST_ADDRESS}:${o.apiPort}`,
      ...(token ? ['--token', token] : []),
      // Discovery as on a real machine: the CA is fetched and checked against its pinned hash.
      '--ca-cert-hash', caHash,
      '--node-name', name,
      '--node-ip', extraNodeIP(k),
      '--data-dir', dir,
      ...(o.registryPort !== undefined ? ['--registry', `${HOST_ADDRESS}:${o.registryPort}`] : []),
    ];
    const child = spawn('nsenter', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SKIFF_AGENT_LIFELINE: 'stdin' } });
    writeFileSync(join(dir, 'agent.pid'), `${child.pid}\n`);
    const prefix = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line) o.log(`[${name}] ${line.replace(/^skiff: /, '')}`);
    };
    child.stdout!.on('data', prefix);
    child.stderr!.on('data', prefix);
    child.on('exit', (code, sig) => o.log(`node ${name}: agent exited (${sig ?? code})`));
    children.push({ name, child });
  }
  return {
    names: children.map((c) => c.name),
    stop: async () => {
      await Promise.all(
        children.map(async ({ child }) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(t);
        }),
      );
    },
  };
}

/** The extra nodes' data dirs of a cluster (for skiff down). */
export function extraNodeDirs(dataDir: string): string[] {
  const d = nodesDir(dataDir);
  if (!existsSync(d)) return [];
  return readdirSync(d, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^skiff-node-\d+$/.test(e.name))
    .map((e) => join(d, e.name));
}

/** Deletes the nodes' namespaces, their veths and the host bridge (their routes go with them). */
export function removeNodeNetworks(dataDir: string): string[] {
  const removed: string[] = [];
  for (const dir of extraNodeDirs(dataDir)) {
    const ns = dir.split('/').pop()!;
    const k = ns.slice('skiff-node-'.length);
    if (existsSync(`/run/netns/${ns}`)) {
      ip(['netns', 'del', ns], { ignoreError: /No such file/ });
      removed.push(ns);
    }
    ip(['link', 'del', `skn${k}`], { ignoreError: /Cannot find|does not exist/ });
  }
  // Only a cluster that had extra nodes owns the bridge (another cluster's skiff down must leave it alone).
  if (extraNodeDirs(dataDir).length && linkExists(NODES_BRIDGE)) {
    ip(['link', 'del', NODES_BRIDGE]);
    removed.push(NODES_BRIDGE);
  }
  return removed;
}
