// Applies an OCI layer tar (gzip or plain) to a snapshot's directory in
// overlay form: `.wh.NAME` becomes a 0/0 character device NAME, and
// `.wh..wh..opq` marks its directory opaque (xattr trusted.overlay.opaque=y).
//
// Node can neither mknod nor set xattrs, so the layer is rewritten on the fly
// (tar-stream) into a tar that says exactly that - device entries and a PAX
// `SCHILY.xattr.trusted.overlay.opaque` record - and GNU tar (always present
// on a Linux node) extracts it as root with owners, modes and xattrs. No extra
// package is needed. Names are checked here, before tar sees them: no `..`,
// no absolute paths, nothing beneath a symlink the same layer made.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { posix, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { SnapshotError } from './snapshotter.ts';

type TarHeader = Partial<Header> & { name: string; pax?: { [k: string]: string } };
type Sink = ReturnType<tar.Pack['entry']>;

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const OPAQUE_XATTR = 'SCHILY.xattr.trusted.overlay.opaque';

export interface ApplyResult {
  /** sha256 of the uncompressed tar: compare with the image's diffID. */
  diffID: string;
  /** Uncompressed size. */
  size: number;
}

export interface ApplyOptions {
  /** Directories under the target (nearest first), consulted for the mode of a directory made opaque but not in this layer. */
  parents?: string[];
}

/** Strips `./` and `/`, normalizes, and refuses names that climb out of the root. */
export function cleanName(raw: string): string {
  const n = posix.normalize(`/${raw}`).slice(1).replace(/\/$/, '');
  if (raw.split('/').includes('..')) throw new SnapshotError('InvalidArgument', `layer entry ${JSON.stringify(raw)} climbs out of the root`);
  return n;
}

/** Detects gzip (1f 8b) by its magic; other compressions are refused with their name. */
async function decompressed(src: Readable): Promise<Readable> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Buffer);
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
    })(),
  );
  if (head[0] === 0x1f && head[1] === 0x8b) return rest.pipe(createGunzip());
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) throw new SnapshotError('InvalidArgument', 'layer is zstd-compressed, which this engine cannot read (Node 20 has no zstd)');
  return rest;
}

class Hasher extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

function paxXattrs(pax: unknown): { [k: string]: string } | undefined {
  if (!pax || typeof pax !== 'object') return undefined;
  const out: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(pax as { [k: string]: string })) if (k.startsWith('SCHILY.xattr.')) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

async function parentMode(name: string, parents: string[]): Promise<{ mode: number; uid: number; gid: number }> {
  for (const p of parents) {
    try {
      const st = await lstat(join(p, name));
      if (st.isDirectory()) return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    } catch {
      // not in this lower layer
    }
  }
  return { mode: 0o755, uid: 0, gid: 0 };
}

/** Extracts layer `src` into `dir` (which must exist). Throws SnapshotError on a bad entry, Error when tar fails. */
export async function applyLayer(src: Readable, dir: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const hasher = new Hasher();
  const extract = tar.extract();
  const pack = tar.pack();
  const child = spawn('tar', ['-x', '-p', '--same-owner', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', dir, '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  const toTar = pipeline(pack, child.stdin).catch((e: unknown) => e);

  const dirs = new Map<string, { mode: number; uid: number; gid: number; mtime?: Date }>();
  const symlinks = new Set<string>();
  const put = (header: TarHeader, body?: { pipe(dest: Sink): unknown }) =>
    new Promise<void>((resolve, reject) => {
      const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      if (body) body.pipe(w);
      else (w as unknown as { end(): void }).end();
    });

  const reading = (async () => {
    const input = await decompressed(src);
    const feed = pipeline(input, hasher, extract);
    feed.catch(() => undefined); // surfaces through the entry iterator or the await below
    for await (const entry of extract) {
      const h = entry.header as Header & { pax?: { [k: string]: string } };
      const name = cleanName(h.name);
      const base = posix.basename(name);
      const parent = posix.dirname(name) === '.' ? '' : posix.dirname(name);
      for (let p = parent; p; p = posix.dirname(p) === '.' ? '' : posix.dirname(p)) {
        if (symlinks.has(p)) throw new SnapshotError('InvalidArgument', `layer entry ${JSON.stringify(h.name)} lies beneath symlink ${JSON.stringify(p)} of the same layer`);
      }
      if (name === '') {
        entry.resume();
        continue;
      }
      if (base === OPAQUE) {
        entry.resume();
        const d: { mode: number; uid: number; gid: number; mtime?: Date } = dirs.get(parent) ?? (await parentMode(parent, opts.parents ?? []));
        if (parent) await put({ name: parent, type: 'directory', mode: d.mode, uid: d.uid, gid: d.gid, mtime: d.mtime ?? new Date(0), pax: { [OPAQUE_XATTR]: 'y' } });
        continue;
      }
      if (base.startsWith(WHITEOUT)) {
        entry.resume();
        if (base.startsWith(`${WHITEOUT}${WHITEOUT}`)) continue; // other AUFS metadata (.wh..wh.plnk...)
        const target = posix.join(parent, base.slice(WHITEOUT.length));
        await put({ name: target, type: 'character-device', devmajor: 0, devminor: 0, mode: 0, uid: 0, gid: 0, mtime: new Date(0) });
        continue;
      }
      const header: TarHeader = { name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime, size: h.size, devmajor: h.devmajor, devminor: h.devminor };
      if (h.type === 'link') header.linkname = cleanName(h.linkname ?? '');
      else if (h.type === 'symlink') header.linkname = h.linkname;
      const xattrs = paxXattrs(h.pax);
      if (xattrs) header.pax = xattrs;
      if (h.type === 'directory') {
        dirs.set(name, { mode: h.mode ?? 0o755, uid: h.uid ?? 0, gid: h.gid ?? 0, ...(h.mtime ? { mtime: h.mtime } : {}) });
        symlinks.delete(name);
      } else if (h.type === 'symlink') symlinks.add(name);
      else symlinks.delete(name);
      if (h.type === 'file' || h.type === 'contiguous-file') await put({ ...header, type: 'file' }, entry);
      else {
        entry.resume();
        await put(header);
      }
    }
    await feed;
  })();

  try {
    await reading;
  } catch (e) {
    pack.destroy();
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw e;
  } finally {
    if (!pack.destroyed) pack.finalize();
  }
  const code = await exited;
  const wrote = await toTar;
  if (code !== 0) throw new Error(`applying layer into ${dir}: tar exited ${code}: ${stderr.trim()}`);
  if (wrote instanceof Error) throw wrote;
  return { diffID: `sha256:${hasher.hash.digest('hex')}`, size: hasher.size };
}

