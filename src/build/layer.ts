// A build step's upper directory as an OCI layer. GNU tar reads the tree
// (owners, modes, hard links, xattrs; Node can read neither xattrs nor
// device numbers), and the stream is rewritten from overlay form to OCI
// form on the way: a 0/0 character device NAME becomes the whiteout
// `.wh.NAME`, a directory marked trusted.overlay.opaque=y gets a
// `.wh..wh..opq` entry, overlay's own xattrs are dropped. The tar is hashed
// (diffID), gzipped and written to the content store in one pass. With a
// source-date epoch every mtime is clamped to it, so the same tree gives the
// same digests.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import type { ContentStore } from '../engine/image/content.ts';

export interface LayerBlob {
  diffID: string;
  digest: string;
  size: number;
  mediaType: string;
}

const OPAQUE_KEY = 'SCHILY.xattr.trusted.overlay.opaque';

class Hasher extends Transform {
  readonly hash = createHash('sha256');
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/** Whether an upper directory holds no change at all. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}

/** Packs `upper` into a gzip layer in `content`; `epoch` (seconds) clamps every mtime. */
export async function packLayer(upper: string, content: ContentStore, opts: { epoch?: number } = {}): Promise<LayerBlob> {
  const child = spawn('tar', ['-c', '--sort=name', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', upper, '-f', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  const extract = tar.extract();
  const pack = tar.pack();
  const hasher = new Hasher();
  const out = new PassThrough();
  const storing = content.putStream(out);
  const packing = pipeline(pack, hasher, createGzip({ level: 6 }), out);
  const clamp = opts.epoch !== undefined ? new Date(opts.epoch * 1000) : undefined;
  const put = (h: Partial<Header> & { name: string; pax?: Record<string, string> }, body?: { pipe(d: NodeJS.WritableStream): unknown }) =>
    new Promise<void>((resolve, reject) => {
      const w = pack.entry(h, (err) => (err ? reject(err) : resolve()));
      if (body) body.pipe(w as unknown as NodeJS.WritableStream);
      else (w as unknown as { end(): void }).end();
    });
  const reading = (async () => {
    const feed = pipeline(child.stdout, extract);
    feed.catch(() => undefined);
    for await (const entry of extract) {
      const h = entry.header as Header & { pax?: Record<string, string> };
      const name = posix.normalize(h.name).replace(/^(\.\/)+/, '').replace(/\/$/, '');
      if (name === '.' || name === '') {
        entry.resume();
        continue;
      }
      const mtime = clamp && (!h.mtime || h.mtime > clamp) ? clamp : h.mtime;
      if (h.type === 'character-device' && h.devmajor === 0 && h.devminor === 0) {
        entry.resume();
        const dir = posix.dirname(name);
        await put({ name: posix.join(dir === '.' ? '' : dir, `.wh.${posix.basename(name)}`), type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: clamp ?? new Date(0) });
        continue;
      }
      let pax: Record<string, string> | undefined;
      let opaque = false;
      for (const [k, v] of Object.entries(h.pax ?? {})) {
        if (k === OPAQUE_KEY) opaque = v === 'y';
        else if (k.startsWith('SCHILY.xattr.trusted.overlay.')) continue;
        else if (k.startsWith('SCHILY.xattr.')) (pax ??= {})[k] = v;
      }
      const header: Partial<Header> & { name: string; pax?: Record<string, string> } = { name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, mtime, ...(pax ? { pax } : {}) };
      if (h.type === 'link') header.linkname = posix.normalize(h.linkname ?? '').replace(/^(\.\/)+/, '');
      else if (h.type === 'symlink') header.linkname = h.linkname;
      else if (h.type === 'character-device' || h.type === 'block-device') Object.assign(header, { devmajor: h.devmajor, devminor: h.devminor });
      if (h.type === 'file' || h.type === 'contiguous-file') {
        await put({ ...header, type: 'file', size: h.size }, entry as unknown as { pipe(d: NodeJS.WritableStream): unknown });
      } else {
        entry.resume();
        await put(header);
      }
      if (opaque && h.type === 'directory') await put({ name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: clamp ?? new Date(0) });
    }
    await feed;
  })();
  try {
    await reading;
  } catch (e) {
    child.kill('SIGKILL');
    pack.destroy(e as Error);
    await exited.catch(() => undefined);
    await storing.catch(() => undefined);
    throw e;
  }
  pack.finalize();
  const code = await exited;
  if (code !== 0) throw new Error(`packing ${upper}: tar exited ${code}: ${stderr.trim()}`);
  await packing;
  const { digest, size } = await storing;
  return { diffID: `sha256:${hasher.hash.digest('hex')}`, digest, size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
}
