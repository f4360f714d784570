// Tar streams to and from the filesystem: a directory packed into a layer tar
// (sorted, with modes, owners, symlinks and hard links, so the same tree gives
// the same digest), and an archive (plain or gzip) unpacked into a directory
// for import, refusing paths that leave it.

import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ImageError } from './errors.ts';

/** A fixed mtime for every entry: layers built from the same tree are identical. */
const EPOCH = new Date(0);

/** Packs the tree under `dir` into a tar stream (paths relative, no leading `./`). */
export function packDirectory(dir: string): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const seen = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = join(dir, r);
      const st = await lstat(p);
      const base = { name: r, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: EPOCH };
      if (st.isDirectory()) {
        await entry(pack, { ...base, type: 'directory' });
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await entry(pack, { ...base, type: 'symlink', linkname: await readlink(p) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(key) : undefined;
        if (first) {
          await entry(pack, { ...base, type: 'link', linkname: first });
          continue;
        }
        if (st.nlink > 1) seen.set(key, r);
        await new Promise<void>((resolve, reject) => {
          const cb = (err?: Error | null) => (err ? reject(err) : resolve());
          if (st.size === 0) return void pack.entry({ ...base, type: 'file' }, Buffer.alloc(0), cb);
          const e = pack.entry({ ...base, type: 'file', size: st.size }, cb);
          const src = createReadStream(p);
          src.on('error', reject);
          src.pipe(e);
        });
      } else if (st.isFIFO()) {
        await entry(pack, { ...base, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await entry(pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: Math.floor(st.rdev / 256), devminor: st.rdev % 256 });
      }
      // Sockets are not carried in images.
    }
  };
  walk('')
    .then(() => pack.finalize())
    .catch((e: Error) => out.destroy(e));
  return out;
}

/** An entry without content (directory, link, device). */
function entry(pack: tar.Pack, h: Partial<tar.Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => void pack.entry(h, (err) => (err ? reject(err) : resolve())));
}

/** Whether the first bytes are gzip's magic. */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function headOf(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { start: 0, end: 1 }) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Unpacks regular files and directories of a (possibly gzipped) archive into `dest`. */
export async function extractArchive(file: string, dest: string, what: string): Promise<void> {
  const gz = isGzip(await headOf(file));
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      const h = e.header;
      const clean = normalize(h.name).replace(/^(\.\/)+/, '');
      if (clean.startsWith('/') || clean === '..' || clean.startsWith('..' + sep)) {
        e.resume();
        throw new ImageError('InvalidImage', what, `archive entry ${JSON.stringify(h.name)} points outside the archive`);
      }
      const target = join(dest, clean);
      if (h.type === 'directory') {
        await mkdir(target, { recursive: true });
        e.resume();
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await mkdir(dirname(target), { recursive: true });
        await pipeline(e, createWriteStream(target));
      } else {
        e.resume();
      }
    }
  })();
  try {
    await Promise.all([gz ? pipeline(createReadStream(file), createGunzip(), ex) : pipeline(createReadStream(file), ex), done]);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('InvalidImage', what, `not a readable tar archive: ${(e as Error).message}`);
  }
}
