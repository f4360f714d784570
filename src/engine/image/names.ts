// The name store: one small JSON file per image name under <root>/names,
// written atomically (tmp + rename). A name is a tag (`repo:tag`) or a digest
// reference (`repo@sha256:...`); both point at a platform manifest in the
// content store. Names are written last in every operation, so an image is
// either named and complete or not named at all.

import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface NameRecord {
  /** Normalized name: `docker.io/library/busybox:latest` or `reg/app@sha256:...`. */
  name: string;
  /** Digest of the platform manifest. */
  manifest: string;
  /** Digest of the index the manifest was selected from, when there was one (for repoDigests). */
  index?: string;
  /** Image id (config digest), kept here so listing needs no manifest reads. */
  id: string;
  /** When the name was written (ms since epoch). */
  createdAt: number;
}

export class NameStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'names');
  }

  async init(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  private file(name: string): string {
    return join(this.dir, encodeURIComponent(name) + '.json');
  }

  async get(name: string): Promise<NameRecord | null> {
    try {
      return JSON.parse(await readFile(this.file(name), 'utf8')) as NameRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async put(rec: NameRecord): Promise<void> {
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    await writeFile(tmp, JSON.stringify(rec));
    await rename(tmp, this.file(rec.name));
  }

  async delete(name: string): Promise<boolean> {
    const rec = await this.get(name);
    await rm(this.file(name), { force: true });
    return rec !== null;
  }

  async list(): Promise<NameRecord[]> {
    const out: NameRecord[] = [];
    for (const f of await readdir(this.dir).catch(() => [] as string[])) {
      if (!f.endsWith('.json') || f.startsWith('.')) continue;
      try {
        out.push(JSON.parse(await readFile(join(this.dir, f), 'utf8')) as NameRecord);
      } catch {
        // A name removed while listing.
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
