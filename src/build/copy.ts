// COPY and ADD into a mounted root filesystem, by Docker's rules: a
// directory source copies its contents; several sources (or a glob) need a
// destination directory ending in `/`; a destination inside the image is
// resolved through the image's own symlinks without leaving its root; new
// files are 0:0 unless --chown (or, for --from, the source's owners); --chmod
// applies to what is copied; ADD unpacks local tar archives (plain, gzip,
// bzip2, xz) instead of copying them.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lchown, lstat, mkdir, readdir, readlink, rm, stat, symlink, utimes, lutimes } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ContextSource } from './context.ts';
import { BuildError } from './errors.ts';

export interface CopyRequest {
  keyword: 'COPY' | 'ADD';
  srcRoot: string;
  sources: ContextSource[];
  ignored?: (rel: string) => boolean;
  /** The mounted rootfs being written. */
  rootfs: string;
  /** Absolute destination inside the image (WORKDIR already applied). */
  dest: string;
  /** The destination names a directory (ends with `/`, or the source was a glob). */
  destIsDir: boolean;
  chown?: { uid: number; gid: number };
  chmod?: number;
  /** Keep the sources' owners (COPY --from). */
  preserveOwner?: boolean;
}

const MAX_LINKS = 40;

/** Resolves an absolute image path to a host path under `root`, following the image's symlinks inside it. */
export async function pathInRoot(root: string, imagePath: string): Promise<string> {
  const parts = posix.normalize('/' + imagePath).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = await lstat(host);
    } catch {
      done.push(part, ...parts);
      break;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new BuildError(`too many levels of symbolic links resolving ${imagePath}`);
      const target = await readlink(host);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch {
    return null;
  }
}

/** mkdir -p under the rootfs, giving new directories `owner` (and 0755). */
async function mkdirs(root: string, imageDir: string, owner?: { uid: number; gid: number }): Promise<string> {
  const parts = posix.normalize('/' + imageDir).split('/').filter(Boolean);
  let cur = '/';
  for (const part of parts) {
    cur = posix.join(cur, part);
    const host = await pathInRoot(root, cur);
    const st = await stat(host).catch(() => null);
    if (st?.isDirectory()) continue;
    if (st) await rm(host, { force: true });
    await mkdir(host, { mode: 0o755 });
    await chmod(host, 0o755);
    if (owner) await lchown(host, owner.uid, owner.gid);
  }
  return pathInRoot(root, imageDir);
}

interface Meta {
  chown?: { uid: number; gid: number };
  chmod?: number;
  preserveOwner?: boolean;
  ignored: (rel: string) => boolean;
}

async function copyEntry(src: string, rel: string, dst: string, m: Meta, follow: boolean, top = false): Promise<void> {
  const st = follow ? await stat(src) : await lstat(src);
  const uid = m.chown?.uid ?? (m.preserveOwner ? st.uid : 0);
  const gid = m.chown?.gid ?? (m.preserveOwner ? st.gid : 0);
  const existing = await lstatOrNull(dst);
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) await rm(dst, { force: true });
    if (!existing?.isDirectory()) await mkdir(dst);
    if (!existing?.isDirectory() || !top) {
      await chmod(dst, m.chmod ?? st.mode & 0o7777);
      await lchown(dst, uid, gid);
    }
    for (const n of (await readdir(src)).sort()) {
      const r = rel === '.' ? n : `${rel}/${n}`;
      if (m.ignored(r)) continue;
      await copyEntry(join(src, n), r, join(dst, n), m, false);
    }
    if (!existing?.isDirectory() || !top) await utimes(dst, st.atime, st.mtime);
    return;
  }
  if (existing) await rm(dst, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
    await lchown(dst, uid, gid);
    await lutimes(dst, st.atime, st.mtime);
    return;
  }
  if (!st.isFile()) return; // devices, fifos and sockets are not copied from a context
  await copyFile(src, dst);
  await chmod(dst, m.chmod ?? st.mode & 0o7777);
  await lchown(dst, uid, gid);
  await utimes(dst, st.atime, st.mtime);
}

/** Whether a file is a tar archive ADD unpacks (plain, gzip, bzip2 or xz). */
export async function isArchive(file: string): Promise<boolean> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { start: 0, end: 8191 }) as AsyncIterable<Buffer>) chunks.push(c);
  const head = Buffer.concat(chunks);
  const ustar = (b: Buffer) => b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      return ustar(gunzipSync(head, { finishFlush: 2 }));
    } catch {
      return false;
    }
  }
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return /\.(tar\.bz2|tbz2?)$/.test(file);
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return /\.(tar\.xz|txz)$/.test(file);
  return ustar(head);
}

async function extractInto(file: string, dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('tar', ['-x', '-p', '--same-owner', '--numeric-owner', '-C', dir, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BuildError(`ADD failed: unpacking ${basename(file)}: ${err.trim() || `tar exited ${code}`}`))));
  });
}

export async function copyInto(req: CopyRequest): Promise<void> {
  const multi = req.sources.length > 1;
  if (multi && !req.destIsDir) throw new BuildError(`When using ${req.keyword} with more than one source file, the destination must be a directory and end with a /`);
  const meta: Meta = { ignored: req.ignored ?? (() => false), ...(req.chown ? { chown: req.chown } : {}), ...(req.chmod !== undefined ? { chmod: req.chmod } : {}), ...(req.preserveOwner ? { preserveOwner: true } : {}) };
  for (const s of req.sources) {
    const src = join(req.srcRoot, s.rel);
    if (s.isDir) {
      const dir = await mkdirs(req.rootfs, req.dest, req.chown);
      await copyEntry(src, s.rel, dir, meta, true, true);
      continue;
    }
    if (req.keyword === 'ADD' && (await isArchive(src))) {
      const dir = await mkdirs(req.rootfs, req.dest, req.chown);
      await extractInto(src, dir);
      continue;
    }
    const destHost = await pathInRoot(req.rootfs, req.dest);
    const existingDir = (await stat(destHost).catch(() => null))?.isDirectory() ?? false;
    let target: string;
    if (req.destIsDir || existingDir) {
      const dir = await mkdirs(req.rootfs, req.dest, req.chown);
      target = join(dir, posix.basename(s.rel));
    } else {
      await mkdirs(req.rootfs, posix.dirname(req.dest), req.chown);
      target = await pathInRoot(req.rootfs, req.dest);
    }
    await copyEntry(src, s.rel, target, meta, true);
  }
}
