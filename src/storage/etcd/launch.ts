// Starts real etcd on loopback ports, one member or a cluster of several, for
// tests, benchmarks and a local multi-node cluster. Production clusters point
// at their own etcd.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_INSTALL_HINT = 'etcd is not installed: install it with `apt-get install etcd-server etcd-client` (Debian/Ubuntu), or put an etcd 3.4+ binary on PATH';

export function findEtcd(): string | undefined {
  for (const p of [process.env.SKIFF_ETCD_BIN, '/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (!p) continue;
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return p;
    } catch {}
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface EtcdProcess {
  endpoints: string[];
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Where etcd keeps its data; a fresh temp dir (removed on stop) when absent. */
  dataDir?: string;
  /** How long to wait for /health (default 15 s). */
  timeoutMs?: number;
}

export async function launchEtcd(opts: LaunchOptions = {}): Promise<EtcdProcess> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const member = { name: 'skiff-test', client: `http://127.0.0.1:${clientPort}`, peer: `http://127.0.0.1:${peerPort}` };
  return startMember(member, `${member.name}=${member.peer}`, opts);
}

export interface EtcdCluster {
  /** Every member's client URL. */
  endpoints: string[];
  members: EtcdProcess[];
  /** `etcd://h:p,h:p,...`, the --datastore value for the whole cluster. */
  datastore: string;
  stop(): Promise<void>;
}

/** A real etcd cluster of `size` members on loopback ports (HA tests). */
export async function launchEtcdCluster(size: number, opts: Omit<LaunchOptions, 'dataDir'> = {}): Promise<EtcdCluster> {
  const specs = [];
  for (let i = 0; i < size; i++) specs.push({ name: `skiff-test-${i}`, client: `http://127.0.0.1:${await freePort()}`, peer: `http://127.0.0.1:${await freePort()}` });
  const initial = specs.map((m) => `${m.name}=${m.peer}`).join(',');
  // Members wait for each other before they are healthy: start them together.
  const started = await Promise.allSettled(specs.map((m) => startMember(m, initial, opts)));
  const members = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(members.map((m) => m.stop()));
    throw failed.reason;
  }
  const endpoints = members.map((m) => m.endpoints[0]!);
  return {
    endpoints,
    members,
    datastore: `etcd://${endpoints.map((e) => e.replace(/^http:\/\//, '')).join(',')}`,
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
}

async function startMember(m: { name: string; client: string; peer: string }, initialCluster: string, opts: LaunchOptions): Promise<EtcdProcess> {
  const bin = findEtcd();
  if (!bin) throw new Error(ETCD_INSTALL_HINT);
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const { client, peer } = m;
  const child = spawn(
    bin,
    [
      '--name', m.name,
      '--data-dir', dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--log-level', 'error',
      '--logger', 'zap',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with code ${child.exitCode} before it was ready: ${stderr.trim()}`);
    }
    try {
      const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy within ${opts.timeoutMs ?? 15_000} ms: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoints: [client], dataDir, process: child, stop };
}
