// What the embedded registry keeps: blobs in a content store shared by all
// repositories, and per repository the blobs it may serve (links), its
// manifests (with their media types) and tags, plus upload sessions (a file
// each, hashed as it grows). Layout under <root>:
//   blobs/sha256/<hex>                       content
//   repositories/<name>/_layers/<hex>        blob link
//   repositories/<name>/_manifests/revisions/<hex>   media type of a manifest
//   repositories/<name>/_manifests/tags/<tag>        digest
//   uploads/<uuid>                           data of an upload in progress

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes, randomUUID, type Hash } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentStore } from '../image/content.ts';
import { digestOf, hexOf, newHash } from '../image/digest.ts';

export const REPO_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

interface Upload {
  repo: string;
  size: number;
  hash: Hash;
  /** Serializes appends so chunks land in order. */
  busy: Promise<unknown>;
}

export class RegistryStorage {
  readonly content: ContentStore;
  private readonly uploads = new Map<string, Upload>();

  constructor(readonly root: string) {
    this.content = new ContentStore(root);
  }

  async init(): Promise<this> {
    await this.content.init();
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await mkdir(join(this.root, 'repositories'), { recursive: true });
    return this;
  }

  private repoDir(repo: string): string {
    return join(this.root, 'repositories', repo);
  }

  async repoExists(repo: string): Promise<boolean> {
    return stat(join(this.repoDir(repo), '_manifests')).then(
      () => true,
      () => false,
    );
  }

  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      const names = await readdir(join(this.root, 'repositories', rel)).catch(() => [] as string[]);
      if (names.includes('_manifests')) out.push(rel);
      for (const n of names) if (!n.startsWith('_')) await walk(rel ? `${rel}/${n}` : n);
    };
    await walk('');
    return out.sort();
  }

  // Blob links

  async hasBlob(repo: string, digest: string): Promise<number | null> {
    try {
      await stat(join(this.repoDir(repo), '_layers', hexOf(digest)));
    } catch {
      return null;
    }
    return this.content.size(digest);
  }

  async linkBlob(repo: string, digest: string): Promise<void> {
    await mkdir(join(this.repoDir(repo), '_layers'), { recursive: true });
    await writeFile(join(this.repoDir(repo), '_layers', hexOf(digest)), '');
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    const p = join(this.repoDir(repo), '_layers', hexOf(digest));
    const had = await stat(p).then(
      () => true,
      () => false,
    );
    await rm(p, { force: true });
    return had;
  }

  // Manifests and tags

  async manifestType(repo: string, digest: string): Promise<string | null> {
    try {
      return await readFile(join(this.repoDir(repo), '_manifests', 'revisions', hexOf(digest)), 'utf8');
    } catch {
      return null;
    }
  }

  async putManifest(repo: string, bytes: Buffer, digest: string, mediaType: string, tag?: string): Promise<void> {
    await this.content.put(bytes, digest);
    const dir = join(this.repoDir(repo), '_manifests');
    await mkdir(join(dir, 'revisions'), { recursive: true });
    await mkdir(join(dir, 'tags'), { recursive: true });
    await atomicWrite(join(dir, 'revisions', hexOf(digest)), mediaType);
    if (tag) await atomicWrite(join(dir, 'tags', tag), digest);
  }

  async tagDigest(repo: string, tag: string): Promise<string | null> {
    try {
      return (await readFile(join(this.repoDir(repo), '_manifests', 'tags', tag), 'utf8')).trim();
    } catch {
      return null;
    }
  }

  async tags(repo: string): Promise<string[]> {
    return (await readdir(join(this.repoDir(repo), '_manifests', 'tags')).catch(() => [] as string[])).filter((t) => !t.startsWith('.')).sort();
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const p = join(this.repoDir(repo), '_manifests', 'tags', tag);
    const had = (await this.tagDigest(repo, tag)) !== null;
    await rm(p, { force: true });
    return had;
  }

  /** Removes a manifest revision and every tag pointing at it. */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    if ((await this.manifestType(repo, digest)) === null) return false;
    for (const t of await this.tags(repo)) if ((await this.tagDigest(repo, t)) === digest) await this.deleteTag(repo, t);
    await rm(join(this.repoDir(repo), '_manifests', 'revisions', hexOf(digest)), { force: true });
    return true;
  }

  // Uploads

  async startUpload(repo: string): Promise<string> {
    const id = randomUUID();
    await writeFile(this.uploadPath(id), '');
    this.uploads.set(id, { repo, size: 0, hash: newHash(), busy: Promise.resolve() });
    return id;
  }

  private uploadPath(id: string): string {
    return join(this.root, 'uploads', id);
  }

  /** An upload session of `repo`, re-hashed from its file after a restart; null when unknown. */
  async upload(repo: string, id: string): Promise<{ size: number } | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    let u = this.uploads.get(id);
    if (!u) {
      try {
        const hash = newHash();
        let size = 0;
        await pipeline(createReadStream(this.uploadPath(id)), async (src: AsyncIterable<Buffer>) => {
          for await (const c of src) {
            hash.update(c);
            size += c.length;
          }
        });
        u = { repo, size, hash, busy: Promise.resolve() };
        this.uploads.set(id, u);
      } catch {
        return null;
      }
    }
    return u.repo === repo ? u : null;
  }

  /** Appends a request body to an upload; returns the new size. */
  append(id: string, body: Readable): Promise<number> {
    const u = this.uploads.get(id)!;
    const run = u.busy.then(async () => {
      await pipeline(
        body,
        async function* (src: AsyncIterable<Buffer>) {
          for await (const c of src) {
            u.hash.update(c);
            u.size += c.length;
            yield c;
          }
        },
        createWriteStream(this.uploadPath(id), { flags: 'a' }),
      );
      return u.size;
    });
    u.busy = run.catch(() => undefined);
    return run;
  }

  /** Finishes an upload: the digest it hashes to (the caller compares), and the blob moved into the store when it matches. */
  async finishUpload(id: string, expected: string): Promise<{ digest: string; size: number }> {
    const u = this.uploads.get(id)!;
    await u.busy;
    const digest = digestOf(u.hash.copy());
    if (digest === expected) {
      await this.content.adopt(this.uploadPath(id), digest);
      this.uploads.delete(id);
      await this.linkBlob(u.repo, digest);
    }
    return { digest, size: u.size };
  }

  async cancelUpload(id: string): Promise<void> {
    this.uploads.delete(id);
    await rm(this.uploadPath(id), { force: true });
  }
}

async function atomicWrite(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
