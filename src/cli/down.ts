// `skiff down`: removes what a stopped `skiff up` left on the host — every
// pod's containers and sandbox (with its network), the service proxy's
// nftables table, the pod bridge, mounts under the data dir, the extra
// nodes of `skiff up --nodes` (their namespaces and the host bridge) — and with
// --purge the data dir itself. Refuses while the cluster still runs.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { parseFlags, usageOf, type FlagSpec } from './args.ts';
import { defaultDataDir } from './datadir.ts';
import { LocalImageService } from '../engine/image/service.ts';
import { RuncRuntime } from '../engine/runc/runtime.ts';
import { CniNetwork } from '../network/cni/cni.ts';
import { DEFAULT_BRIDGE } from '../network/cni/config.ts';
import { withNetwork } from '../network/runtime.ts';
import { nft } from '../network/proxy/nft.ts';
import { TABLE } from '../network/proxy/rules.ts';
import { extraNodeDirs, removeNodeNetworks } from './cluster.ts';

const spec: FlagSpec = {
  'data-dir': { type: 'string', help: 'the cluster to remove (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)' },
  purge: { type: 'boolean', help: 'also delete the data dir: the cluster state, images and volumes' },
};

/** True while another process holds the store (skiff up/server running). */
function storeInUse(dataDir: string): boolean {
  const path = join(dataDir, 'state.db');
  if (!existsSync(path)) return false;
  try {
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.prepare('BEGIN EXCLUSIVE').run();
      db.prepare('COMMIT').run();
      return false;
    } finally {
      db.close();
    }
  } catch {
    return true;
  }
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp.replace(/\\040/g, ' '));
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function down(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, spec, usageOf('down [flags]', spec));
  const dataDir = (flags['data-dir'] as string | undefined) ?? defaultDataDir();
  if (!existsSync(dataDir)) {
    console.log(`skiff down: nothing at ${dataDir}`);
    return 0;
  }
  if (storeInUse(dataDir)) {
    console.error(`skiff down: the cluster in ${dataDir} is still running: stop skiff up (Ctrl-C) first`);
    return 1;
  }
  let removed = await removeContainers(dataDir);
  // `skiff up --nodes`: the extra nodes' containers, then their namespaces and the host bridge.
  for (const dir of extraNodeDirs(dataDir)) removed += await removeContainers(dir);
  for (const n of removeNodeNetworks(dataDir)) console.log(`skiff down: removed ${n}`);
  console.log(`skiff down: removed ${removed} container(s)`);
  await nft(`add table ip ${TABLE}\ndelete table ip ${TABLE}\n`).catch((e) => console.error(`skiff down: nftables: ${(e as Error).message}`));
  if (spawnSync('ip', ['link', 'show', DEFAULT_BRIDGE], { stdio: 'ignore' }).status === 0) spawnSync('ip', ['link', 'del', DEFAULT_BRIDGE], { stdio: 'inherit' });
  for (const mp of mountsUnder(dataDir)) spawnSync('umount', ['-l', mp], { stdio: 'inherit' });
  console.log(`skiff down: removed the service rules (nft table ${TABLE}) and the pod bridge ${DEFAULT_BRIDGE}`);
  if (flags.purge) {
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`skiff down: deleted ${dataDir}`);
  }
  return 0;
}

/** Stops and removes every container and sandbox (with its network) of the node whose data dir is `dataDir`. */
async function removeContainers(dataDir: string): Promise<number> {
  let removed = 0;
  if (existsSync(join(dataDir, 'engine'))) {
    const images = await LocalImageService.open({ root: join(dataDir, 'images') });
    const network = new CniNetwork({ confDir: join(dataDir, 'agent', 'cni', 'net.d'), cacheDir: join(dataDir, 'agent', 'cni', 'cache') });
    const runtime = withNetwork(new RuncRuntime({ root: join(dataDir, 'engine'), images }), network);
    try {
      for (const c of await runtime.listContainers()) {
        await runtime.stopContainer(c.id, 0).catch(() => {});
        await runtime.removeContainer(c.id).catch((e) => console.error(`skiff down: container ${c.id}: ${(e as Error).message}`));
        removed++;
      }
      for (const sb of await runtime.listPodSandboxes()) {
        await runtime.stopPodSandbox(sb.id).catch(() => {});
        await runtime.removePodSandbox(sb.id).catch((e) => console.error(`skiff down: sandbox ${sb.id}: ${(e as Error).message}`));
      }
    } finally {
      await runtime.close();
    }
  }
  return removed;
}
