// One RUN step: a runc container over the step's snapshot, built with the
// engine's spec builder (the image's user, env and working directory; the
// default capabilities) and run in the foreground with its output streamed.
// The network is a fresh namespace holding only loopback (runc brings `lo`
// up) unless the build asks for the host's. Mount points runc had to create
// in the image (/proc, /dev, /etc/hosts... when the image lacks them) are
// removed from the upper directory afterwards, so they never become part of
// the layer.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { cgroupVersion } from '../engine/cgroups/cgroups.ts';
import type { OciImageConfig } from '../engine/images.ts';
import { mountAll, unmount } from '../engine/snapshot/mount.ts';
import type { SnapshotMount } from '../engine/snapshot/snapshotter.ts';
import { buildSpec, SpecError } from '../engine/spec/build.ts';
import { pathInRoot } from './copy.ts';
import { BuildError } from './errors.ts';

export type BuildNetwork = 'none' | 'host';

export interface RunStep {
  /** Mounts of the step's active snapshot. */
  mounts: SnapshotMount[];
  /** Its upper directory (where stubs are cleaned). */
  upper: string;
  args: string[];
  /** The image config so far (User, Env, WorkingDir). */
  config: OciImageConfig;
  /** Build args in scope, added to the environment (ENV wins). */
  buildArgs: [string, string][];
  network: BuildNetwork;
  onOutput?: (chunk: Buffer) => void;
}

export interface RunResult {
  exitCode: number;
  /** The last 64 KiB of output. */
  output: string;
}

const OUTPUT_TAIL = 64 * 1024;

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function readOptional(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The host's hard RLIMIT_NOFILE: a container cannot be given more. */
async function hostNofileHard(): Promise<number | undefined> {
  const m = (await readOptional('/proc/self/limits'))?.match(/^Max open files\s+\S+\s+(\S+)/m);
  return m && /^\d+$/.test(m[1]!) ? Number(m[1]) : undefined;
}

export class StepRunner {
  private readonly runcRoot: string;

  constructor(
    /** Where bundles and runc's state live. */
    readonly root: string,
    readonly runc = '/usr/sbin/runc',
  ) {
    this.runcRoot = join(root, 'runc');
  }

  async run(step: RunStep): Promise<RunResult> {
    const id = `build-${randomBytes(8).toString('hex')}`;
    const bundle = join(this.root, 'bundles', id);
    const rootfs = join(bundle, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await mkdir(this.runcRoot, { recursive: true });
    let mounted = false;
    try {
      await mountAll(step.mounts, rootfs);
      mounted = true;
      const cwd = step.config.config?.WorkingDir || '/';
      const cwdHost = await pathInRoot(rootfs, cwd);
      if (!(await exists(cwdHost))) await mkdir(cwdHost, { recursive: true, mode: 0o755 });
      const hosts = join(bundle, 'hosts');
      await writeFile(hosts, '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
      const etc: { hosts: string; resolvConf?: string } = { hosts };
      if (step.network === 'host') {
        const resolv = join(bundle, 'resolv.conf');
        await writeFile(resolv, (await readOptional('/etc/resolv.conf')) ?? '');
        etc.resolvConf = resolv;
      }
      const nofile = await hostNofileHard();
      const env = new Set((step.config.config?.Env ?? []).map((e) => e.split('=')[0]));
      let spec;
      try {
        spec = buildSpec({
          image: step.config,
          container: {
            metadata: { name: 'build', attempt: 0 },
            image: '',
            command: step.args,
            logPath: '',
            envs: step.buildArgs.filter(([k]) => !env.has(k)).map(([name, value]) => ({ name, value })),
          },
          sandbox: { metadata: { name: id, namespace: 'build', uid: id, attempt: 0 }, hostname: 'skiff-build', logDirectory: '', hostNetwork: step.network === 'host', cgroupParent: 'skiff-build' },
          id,
          rootfs,
          namespaces: {},
          etc,
          passwd: await readOptional(await pathInRoot(rootfs, '/etc/passwd')),
          group: await readOptional(await pathInRoot(rootfs, '/etc/group')),
          cgroupVersion: await cgroupVersion(),
          ...(nofile !== undefined ? { hostNofileHard: nofile } : {}),
        });
      } catch (e) {
        if (e instanceof SpecError) throw new BuildError(e.message.replace(/^container build: /, ''));
        throw e;
      }
      spec.process.env = spec.process.env.filter((e) => !e.startsWith('HOSTNAME='));
      // Mount points that runc will create in the image are stubs, not content.
      const stubs: string[] = [];
      for (const m of spec.mounts) {
        const parts = m.destination.split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const p = '/' + parts.slice(0, i).join('/');
          if (!stubs.includes(p) && !(await exists(join(rootfs, p)))) stubs.push(p);
        }
      }
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      const result = await this.exec(id, bundle, step.onOutput);
      await unmount(rootfs);
      mounted = false;
      await removeStubs(step.upper, stubs);
      return result;
    } finally {
      if (mounted) await unmount(rootfs).catch(() => undefined);
      await rm(bundle, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private exec(id: string, bundle: string, onOutput?: (c: Buffer) => void): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.runc, ['--root', this.runcRoot, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = Buffer.alloc(0);
      const take = (c: Buffer) => {
        tail = Buffer.concat([tail, c]);
        if (tail.length > OUTPUT_TAIL) tail = tail.subarray(tail.length - OUTPUT_TAIL);
        onOutput?.(c);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const output = tail.toString('utf8');
        // runc's own failures (exec format, missing binary) come out as logfmt on stderr.
        resolve({ exitCode: code ?? (signal ? 128 : 1), output });
      });
    }).then(async (r) => {
      await new Promise<void>((res) => {
        const d = spawn(this.runc, ['--root', this.runcRoot, 'delete', '--force', id], { stdio: 'ignore' });
        d.on('close', () => res());
        d.on('error', () => res());
      });
      return r as RunResult;
    });
  }
}

/** Removes mount stubs from the upper dir: deepest first, only empty directories and empty files. */
async function removeStubs(upper: string, stubs: string[]): Promise<void> {
  for (const p of [...stubs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const host = join(upper, posix.normalize(p));
    try {
      const st = await lstat(host);
      if (st.isDirectory()) {
        if ((await readdir(host)).length === 0) await rmdir(host);
      } else if (st.isFile() && st.size === 0) await rm(host);
    } catch {
      // not in the upper dir: nothing to clean
    }
  }
}
