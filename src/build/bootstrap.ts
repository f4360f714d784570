// Base images without a registry: `debian:SUITE` made by debootstrap
// (minbase, plus --include packages) from the Debian mirror the machine's apt
// uses, and `busybox` from Debian's static busybox. The root filesystem is
// imported as a one-layer image. A rootfs cache directory, when given, keeps
// the debootstrap result so a second bootstrap (tests, CI) needs no mirror.

import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, symlink, writeFile, copyFile, chmod, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalImageService } from '../engine/image/service.ts';
import type { StoredImage } from '../engine/image/store.ts';
import { BuildError } from './errors.ts';

export const BOOTSTRAP_KINDS = ['debian:SUITE', 'busybox'];
const BUSYBOX = '/usr/bin/busybox';
const DEBOOTSTRAP_TIMEOUT_MS = 15 * 60_000;

export interface BootstrapOptions {
  name?: string;
  include?: string[];
  mirror?: string;
  /** Keeps debootstrap results here (`<dir>/<suite>[+pkgs]/rootfs`), reused when complete. */
  rootfsCache?: string;
  log?: (s: string) => void;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The first Debian mirror in apt's sources, else deb.debian.org. */
export async function aptMirror(): Promise<string> {
  const files = ['/etc/apt/sources.list', ...(await readdir('/etc/apt/sources.list.d').catch(() => [] as string[])).map((f) => join('/etc/apt/sources.list.d', f))];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    const m = text.match(/^URIs:\s*(\S+\/debian)\s*$/m) ?? text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s/m);
    if (m) return m[1]!;
  }
  return 'http://deb.debian.org/debian';
}

function debootstrap(args: string[], log: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('debootstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      log(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), DEBOOTSTRAP_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new BuildError(`debootstrap could not start (${e.message}); install it: apt-get install debootstrap`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new BuildError(`debootstrap failed (${signal ? `killed by ${signal} after ${DEBOOTSTRAP_TIMEOUT_MS / 60000} min` : `exit ${code}`}): ${tail.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

async function debianRootfs(suite: string, opts: BootstrapOptions, scratch: string): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const key = [suite, ...(opts.include ?? []).sort()].join('+');
  const dir = opts.rootfsCache ? join(opts.rootfsCache, key) : scratch;
  const rootfs = join(dir, 'rootfs');
  if (opts.rootfsCache && (await exists(join(dir, '.complete')))) return rootfs;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const mirror = opts.mirror ?? (await aptMirror());
  const build = join(dir, 'rootfs.partial');
  const args = ['--variant=minbase', ...(opts.include?.length ? [`--include=${opts.include.join(',')}`] : []), suite, build, mirror];
  log(`debootstrap ${args.join(' ')}\n`);
  await debootstrap(args, log);
  // What an image does not need: package lists and caches.
  for (const p of ['var/lib/apt/lists', 'var/cache/apt/archives', 'var/log']) {
    const full = join(build, p);
    for (const n of await readdir(full).catch(() => [] as string[])) if (n !== 'partial' && n !== 'lock') await rm(join(full, n), { recursive: true, force: true });
  }
  await rename(build, rootfs);
  if (opts.rootfsCache) await writeFile(join(dir, '.complete'), new Date().toISOString());
  return rootfs;
}

async function busyboxRootfs(dir: string): Promise<string> {
  if (!(await exists(BUSYBOX))) throw new BuildError(`${BUSYBOX} is missing; install Debian's busybox-static`);
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'usr/bin', 'var']) await mkdir(join(rootfs, d), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await chmod(join(rootfs, 'root'), 0o700);
  await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await symlink('busybox', join(rootfs, 'bin', a));
  await symlink('/bin/busybox', join(rootfs, 'usr/bin/env'));
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  return rootfs;
}

export async function bootstrapImage(images: LocalImageService, kind: string, opts: BootstrapOptions = {}): Promise<StoredImage> {
  const scratch = join(images.store.root, 'ingest', `bootstrap-${process.pid}-${Date.now()}`);
  await mkdir(scratch, { recursive: true });
  try {
    let rootfs: string;
    let name: string;
    if (kind === 'busybox' || kind.startsWith('busybox:')) {
      rootfs = await busyboxRootfs(scratch);
      name = opts.name ?? (kind === 'busybox' ? 'busybox:latest' : kind);
    } else if (kind.startsWith('debian:')) {
      const suite = kind.slice('debian:'.length);
      if (!/^[a-z]+$/.test(suite)) throw new BuildError(`debian suite ${JSON.stringify(suite)} is not a name like bookworm`);
      rootfs = await debianRootfs(suite, opts, scratch);
      name = opts.name ?? kind;
    } else throw new BuildError(`unknown base ${JSON.stringify(kind)}: bootstrap makes ${BOOTSTRAP_KINDS.join(' or ')}`);
    const [img] = await images.import(rootfs, { name });
    return img!;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
