// What the runc engine's operations share: its paths, the helper binaries,
// the on-disk records with their in-memory maps, and the snapshotter. The
// sandbox, container and image operations (sandboxes.ts, containers.ts,
// imageops.ts) each take one of these; runtime.ts wires them to the seam.

import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImageService } from '../images.ts';
import { RuntimeError } from '../runtime.ts';
import { OverlaySnapshotter } from '../snapshot/overlay.ts';
import { run, type ProcResult } from './proc.ts';
import { Records, type ContainerRecord, type SandboxRecord } from './records.ts';

export interface RuncRuntimeOptions {
  /** Engine state (records, bundles, snapshots); `/var/lib/skiff/engine` on a node. */
  root: string;
  images: ImageService;
  runc?: string;
  conmon?: string;
  /** Where relative Localhost seccomp profiles are found; default `<root>/../seccomp` (`/var/lib/skiff/seccomp` on a node). */
  seccompRoot?: string;
}

/** Where one container's files live. */
export interface ContainerPaths {
  dir: string;
  bundle: string;
  rootfs: string;
  exitDir: string;
  exitFile: string;
  persist: string;
  pidFile: string;
  attach: string;
  ctl: string;
}

export class EngineContext {
  readonly root: string;
  readonly images: ImageService;
  readonly runcPath: string;
  readonly conmonPath: string;
  readonly runcRoot: string;
  readonly socketDir: string;
  readonly seccompRoot: string;
  readonly records: Records;
  readonly snapshots: OverlaySnapshotter;
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  private loaded: Promise<void> | undefined;

  constructor(opts: RuncRuntimeOptions) {
    this.root = opts.root;
    this.images = opts.images;
    this.runcPath = opts.runc ?? '/usr/sbin/runc';
    this.conmonPath = opts.conmon ?? '/usr/bin/conmon';
    this.runcRoot = join(opts.root, 'runc');
    this.socketDir = join(opts.root, 'sock');
    this.seccompRoot = opts.seccompRoot ?? join(dirname(opts.root), 'seccomp');
    this.records = new Records(opts.root);
    this.snapshots = new OverlaySnapshotter(join(opts.root, 'snapshots'));
  }

  /** Reads the records on first use: this is the recovery after a restart. */
  ready(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.runcRoot, { recursive: true });
      await mkdir(this.socketDir, { recursive: true });
      const { sandboxes, containers } = await this.records.init();
      for (const s of sandboxes) this.sandboxes.set(s.id, s);
      for (const c of containers) this.containers.set(c.id, c);
    })();
    return this.loaded;
  }

  runc(args: string[]): Promise<ProcResult> {
    return run(this.runcPath, ['--root', this.runcRoot, ...args]);
  }

  /** runc's state directory for a container (state.json, exec.fifo). */
  runcStateDir(id: string): string {
    return join(this.runcRoot, id);
  }

  sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError('NotFound', `pod sandbox ${JSON.stringify(id)} not found`);
    return s;
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${JSON.stringify(id)} not found`);
    return c;
  }

  paths(id: string): ContainerPaths {
    const dir = this.records.containerDir(id);
    const bundle = join(dir, 'bundle');
    return { dir, bundle, rootfs: join(bundle, 'rootfs'), exitDir: join(dir, 'exits'), exitFile: join(dir, 'exits', id), persist: join(dir, 'persist'), pidFile: join(dir, 'container.pid'), attach: join(this.socketDir, id, 'attach'), ctl: join(bundle, 'ctl') };
  }
}

export const newId = (): string => randomBytes(16).toString('hex');

export function labelsMatch(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return !selector || Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

export async function readOptional(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}
