// The content store: blobs addressed by digest under <root>/blobs/sha256/<hex>.
// Every write goes to a file under <root>/ingest first and is renamed into
// place only after its digest and size check out, so a blob that exists is a
// blob that is right. A failed download keeps its partial file (named by the
// expected digest) so the next attempt resumes where it stopped.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { checkDigest, digestOf, hexOf, newHash, sha256 } from './digest.ts';
import { ImageError } from './errors.ts';

/** What a resumable fetch is asked for: the bytes from `offset` on. */
export type BlobSource = (offset: number) => Promise<{ stream: Readable; offset: number }>;

export interface IngestOptions {
  /** Expected size; checked before the blob is committed. */
  size?: number;
  /** Called with the running byte count (including resumed bytes). */
  onProgress?: (done: number) => void;
  /** Name used in error messages (the image being pulled). */
  what?: string;
}

export class ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  async init(): Promise<this> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.ingestDir, { recursive: true });
    return this;
  }

  path(digest: string): string {
    return join(this.blobDir, hexOf(checkDigest(digest, 'blob')));
  }

  /** The blob's size, or null when it is not in the store. */
  async size(digest: string): Promise<number | null> {
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      return null;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== null;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ImageError('BlobUnknown', digest, 'blob not in the content store');
      throw e;
    }
  }

  /** The blob's bytes from `start` to `end` (inclusive; default the end). */
  async open(digest: string, start = 0, end?: number): Promise<Readable> {
    const p = this.path(digest);
    const fh = await open(p, 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new ImageError('BlobUnknown', digest, 'blob not in the content store');
      throw e;
    });
    return fh.createReadStream({ start, end });
  }

  /** Stores bytes whose digest is computed here (or checked, when `expected` is given). */
  async put(data: Buffer, expected?: string): Promise<string> {
    const digest = sha256(data);
    if (expected !== undefined && expected !== digest) throw new ImageError('DigestMismatch', expected, `content hashes to ${digest}`);
    if (await this.has(digest)) return digest;
    const tmp = join(this.ingestDir, `put-${randomBytes(8).toString('hex')}`);
    await writeFile(tmp, data);
    await rename(tmp, this.path(digest));
    return digest;
  }

  /** Stores a stream of unknown digest; returns its digest and size. */
  async putStream(stream: Readable): Promise<{ digest: string; size: number }> {
    const tmp = join(this.ingestDir, `stream-${randomBytes(8).toString('hex')}`);
    const hash = newHash();
    let size = 0;
    try {
      await pipeline(
        stream,
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        }),
        createWriteStream(tmp),
      );
      const digest = digestOf(hash);
      await rename(tmp, this.path(digest));
      return { digest, size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Writes the blob `digest` from `source`, resuming a partial download when
   * one is on disk. Verified (digest, then size) before it is renamed in. A
   * transfer error keeps the partial file; a verification error removes it.
   * Concurrent ingests of one digest in this process share one transfer.
   */
  ingest(digest: string, source: BlobSource, opts: IngestOptions = {}): Promise<void> {
    checkDigest(digest, opts.what ?? 'blob');
    const running = this.locks.get(digest);
    if (running) return running.then(() => undefined);
    const p = this.doIngest(digest, source, opts).finally(() => this.locks.delete(digest));
    this.locks.set(digest, p);
    return p;
  }

  /** Path of the partial download of `digest` (exists only while one is unfinished). */
  partialPath(digest: string): string {
    return join(this.ingestDir, `${hexOf(digest)}.partial`);
  }

  private async doIngest(digest: string, source: BlobSource, opts: IngestOptions): Promise<void> {
    if (await this.has(digest)) return;
    const what = opts.what ?? digest;
    const partial = this.partialPath(digest);
    const hash = newHash();
    let have = 0;
    try {
      have = (await stat(partial)).size;
    } catch {
      have = 0;
    }
    if (opts.size !== undefined && have > opts.size) {
      await unlink(partial);
      have = 0;
    }
    if (have > 0) {
      // Re-hash what is already on disk: the hash state itself cannot be saved.
      await pipeline(createReadStream(partial, { end: have - 1 }), async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) hash.update(c);
      });
    }
    const { stream, offset } = await source(have);
    if (offset !== have) {
      if (offset !== 0) {
        stream.destroy();
        throw new ImageError('Registry', what, `blob ${digest}: asked to resume at ${have}, got content from ${offset}`);
      }
      // The server ignored the Range: start over.
      have = 0;
      hash.destroy();
      return this.restartIngest(digest, stream, opts);
    }
    let done = have;
    opts.onProgress?.(done);
    const limit = opts.size;
    await pipeline(
      stream,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          done += chunk.length;
          if (limit !== undefined && done > limit) return cb(new ImageError('SizeMismatch', what, `blob ${digest} is longer than its ${limit} bytes`));
          hash.update(chunk);
          opts.onProgress?.(done);
          cb(null, chunk);
        },
      }),
      createWriteStream(partial, { flags: have > 0 ? 'a' : 'w' }),
    ).catch(async (e: unknown) => {
      if (e instanceof ImageError) await rm(partial, { force: true });
      throw e;
    });
    await this.commit(partial, digest, digestOf(hash), done, opts);
  }

  private async restartIngest(digest: string, stream: Readable, opts: IngestOptions): Promise<void> {
    const partial = this.partialPath(digest);
    await rm(partial, { force: true });
    return this.doIngest(digest, async () => ({ stream, offset: 0 }), opts);
  }

  private async commit(partial: string, digest: string, got: string, size: number, opts: IngestOptions): Promise<void> {
    const what = opts.what ?? digest;
    if (opts.size !== undefined && size !== opts.size) {
      // Short: the transfer ended early. Keep the bytes for a resume.
      throw new ImageError('SizeMismatch', what, `blob ${digest} is truncated: got ${size} of ${opts.size} bytes`);
    }
    if (got !== digest) {
      await rm(partial, { force: true });
      throw new ImageError('DigestMismatch', what, `blob content hashes to ${got}, not ${digest}`);
    }
    await rename(partial, this.path(digest));
  }

  /** Moves a file the caller has already verified to hash to `digest` into the store. */
  async adopt(file: string, digest: string): Promise<void> {
    if (await this.has(digest)) {
      await rm(file, { force: true });
      return;
    }
    await rename(file, this.path(digest));
  }

  /** Every blob in the store. */
  async list(): Promise<string[]> {
    const names = await readdir(this.blobDir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** Deletes every blob not in `keep`; returns what it removed. */
  async gc(keep: Set<string>): Promise<{ removed: string[]; bytes: number }> {
    const removed: string[] = [];
    let bytes = 0;
    for (const d of await this.list()) {
      if (keep.has(d) || this.locks.has(d)) continue;
      bytes += (await this.size(d)) ?? 0;
      await this.delete(d);
      removed.push(d);
    }
    return { removed, bytes };
  }
}
