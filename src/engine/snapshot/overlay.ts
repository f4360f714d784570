// The overlayfs snapshotter: each snapshot is a numbered directory
// (`<root>/snapshots/<n>/{fs,work}`); an active snapshot's mounts stack its
// parents' fs dirs as overlay lowerdirs under its own fs dir as upperdir.
// Metadata (names, kinds, parents, labels) is one JSON file rewritten
// atomically, so a new instance on the same root sees every snapshot.

import { mkdir, readFile, readdir, lstat, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotError, type SnapshotInfo, type SnapshotKind, type SnapshotMount, type SnapshotUsage, type Snapshotter } from './snapshotter.ts';

interface SnapshotRecord {
  id: number;
  kind: SnapshotKind;
  parent?: string;
  labels: { [k: string]: string };
  created: number;
  updated: number;
}

interface Metadata {
  nextId: number;
  snapshots: { [name: string]: SnapshotRecord };
}

export class OverlaySnapshotter implements Snapshotter {
  private meta: Metadata = { nextId: 1, snapshots: {} };
  private loaded: Promise<void> | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {}

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(join(this.root, 'snapshots'), { recursive: true });
      try {
        this.meta = JSON.parse(await readFile(join(this.root, 'metadata.json'), 'utf8')) as Metadata;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    })();
    return this.loaded;
  }

  /** Runs `fn` alone: metadata changes never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      await this.load();
      return fn();
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async save(): Promise<void> {
    const tmp = join(this.root, `metadata.json.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(this.meta));
    await rename(tmp, join(this.root, 'metadata.json'));
  }

  private get(key: string): SnapshotRecord {
    const r = this.meta.snapshots[key];
    if (!r) throw new SnapshotError('NotFound', `snapshot ${JSON.stringify(key)} not found`);
    return r;
  }

  private fsDir(r: SnapshotRecord): string {
    return join(this.root, 'snapshots', String(r.id), 'fs');
  }

  private workDir(r: SnapshotRecord): string {
    return join(this.root, 'snapshots', String(r.id), 'work');
  }

  /** The fs dirs of `name` and its ancestors, nearest first (overlay's lowerdir order). */
  private lowerDirs(name: string | undefined): string[] {
    const dirs: string[] = [];
    for (let n = name; n !== undefined; n = this.meta.snapshots[n]?.parent) dirs.push(this.fsDir(this.get(n)));
    return dirs;
  }

  private mountsOf(r: SnapshotRecord): SnapshotMount[] {
    const lowers = this.lowerDirs(r.parent);
    if (r.kind === 'view') {
      if (lowers.length === 0) return [{ type: 'bind', source: this.fsDir(r), options: ['ro', 'rbind'] }];
      if (lowers.length === 1) return [{ type: 'bind', source: lowers[0]!, options: ['ro', 'rbind'] }];
      return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`] }];
    }
    if (lowers.length === 0) return [{ type: 'bind', source: this.fsDir(r), options: ['rw', 'rbind'] }];
    return [{ type: 'overlay', source: 'overlay', options: ['index=off', `workdir=${this.workDir(r)}`, `upperdir=${this.fsDir(r)}`, `lowerdir=${lowers.join(':')}`] }];
  }

  private create(kind: 'active' | 'view', key: string, parent: string | undefined, labels: { [k: string]: string } | undefined): Promise<SnapshotMount[]> {
    return this.serial(async () => {
      if (!key) throw new SnapshotError('InvalidArgument', 'snapshot key must not be empty');
      if (this.meta.snapshots[key]) throw new SnapshotError('AlreadyExists', `snapshot ${JSON.stringify(key)} already exists`);
      if (parent !== undefined) {
        const p = this.meta.snapshots[parent];
        if (!p) throw new SnapshotError('NotFound', `parent snapshot ${JSON.stringify(parent)} not found`);
        if (p.kind !== 'committed') throw new SnapshotError('InvalidArgument', `parent snapshot ${JSON.stringify(parent)} is ${p.kind}, not committed`);
      }
      const now = Date.now();
      const r: SnapshotRecord = { id: this.meta.nextId++, kind, labels: { ...labels }, created: now, updated: now, ...(parent !== undefined ? { parent } : {}) };
      await mkdir(this.fsDir(r), { recursive: true, mode: 0o755 });
      if (kind === 'active' && parent !== undefined) await mkdir(this.workDir(r), { recursive: true, mode: 0o711 });
      this.meta.snapshots[key] = r;
      await this.save();
      return this.mountsOf(r);
    });
  }

  prepare(key: string, parent?: string, opts?: { labels?: SnapshotRecord['labels'] }): Promise<SnapshotMount[]> {
    return this.create('active', key, parent, opts?.labels);
  }

  view(key: string, parent?: string, opts?: { labels?: SnapshotRecord['labels'] }): Promise<SnapshotMount[]> {
    return this.create('view', key, parent, opts?.labels);
  }

  commit(name: string, key: string, opts?: { labels?: SnapshotRecord['labels'] }): Promise<void> {
    return this.serial(async () => {
      const r = this.get(key);
      if (r.kind !== 'active') throw new SnapshotError('FailedPrecondition', `snapshot ${JSON.stringify(key)} is ${r.kind}; only an active snapshot can be committed`);
      if (this.meta.snapshots[name]) throw new SnapshotError('AlreadyExists', `snapshot ${JSON.stringify(name)} already exists`);
      delete this.meta.snapshots[key];
      this.meta.snapshots[name] = { ...r, kind: 'committed', updated: Date.now(), labels: { ...r.labels, ...opts?.labels } };
      await rm(this.workDir(r), { recursive: true, force: true });
      await this.save();
    });
  }

  mounts(key: string): Promise<SnapshotMount[]> {
    return this.serial(async () => {
      const r = this.get(key);
      if (r.kind === 'committed') throw new SnapshotError('FailedPrecondition', `snapshot ${JSON.stringify(key)} is committed; prepare or view it to mount it`);
      return this.mountsOf(r);
    });
  }

  remove(key: string): Promise<void> {
    return this.serial(async () => {
      const r = this.get(key);
      const child = Object.entries(this.meta.snapshots).find(([, s]) => s.parent === key);
      if (child) throw new SnapshotError('FailedPrecondition', `snapshot ${JSON.stringify(key)} is the parent of ${JSON.stringify(child[0])}; remove that first`);
      delete this.meta.snapshots[key];
      await this.save();
      await rm(join(this.root, 'snapshots', String(r.id)), { recursive: true, force: true });
    });
  }

  stat(key: string): Promise<SnapshotInfo> {
    return this.serial(async () => info(key, this.get(key)));
  }

  list(): Promise<SnapshotInfo[]> {
    return this.serial(async () => Object.entries(this.meta.snapshots).map(([k, r]) => info(k, r)));
  }

  usage(key: string): Promise<SnapshotUsage> {
    return this.serial(async () => diskUsage(this.fsDir(this.get(key))));
  }

  dir(key: string): Promise<string> {
    return this.serial(async () => this.fsDir(this.get(key)));
  }

  /** The fs dirs under an active snapshot (its parents, nearest first): where a layer being applied looks up what it shadows. */
  parentDirs(key: string): Promise<string[]> {
    return this.serial(async () => this.lowerDirs(this.get(key).parent));
  }
}

function info(name: string, r: SnapshotRecord): SnapshotInfo {
  return { name, kind: r.kind, labels: { ...r.labels }, created: r.created, updated: r.updated, ...(r.parent !== undefined ? { parent: r.parent } : {}) };
}

async function diskUsage(dir: string): Promise<SnapshotUsage> {
  const seen = new Set<number>();
  let size = 0;
  let inodes = 0;
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const p = join(d, name);
      const st = await lstat(p);
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
      inodes++;
      size += st.blocks * 512;
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return { size, inodes };
}
