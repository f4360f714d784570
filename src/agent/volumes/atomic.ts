// Kubernetes' AtomicWriter: a configMap, secret, downwardAPI or projected
// volume's files live in a timestamped directory (`..2024_01_02_03_04_05.123`);
// `..data` is a symlink to it and every visible entry is a symlink through
// `..data`. An update writes a new directory and renames a fresh `..data_tmp`
// symlink over `..data`: a reader sees the old set or the new, never a mix.
// With an fsGroup the whole volume is handed to the group (ownership.ts) after
// the new directory is written and before `..data` points at it.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ownedMode, setVolumeOwnership } from './ownership.ts';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (e.g. 0o644). */
  mode: number;
}

const DATA = '..data';
const DATA_TMP = '..data_tmp';

export class PayloadError extends Error {}

/** Payload paths must be relative, without `..` elements, and not start with `..`. */
export function validatePath(p: string): void {
  if (!p) throw new PayloadError('invalid path: must not be empty');
  if (p.startsWith('/')) throw new PayloadError(`invalid path: must be relative path: ${p}`);
  if (p.split('/').includes('..')) throw new PayloadError(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new PayloadError(`invalid path: must not start with '..': ${p}`);
}

function tsDirName(): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${randomBytes(5).readUInt32BE(0)}`;
}

/** The pod's fsGroup for a read-only payload volume. */
export interface PayloadOwnership {
  fsGroup: number;
}

function unchanged(dir: string, payload: Map<string, FileProjection>, owner: PayloadOwnership | undefined): boolean {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else files.push(r);
    }
  };
  walk('');
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const p = join(dir, f);
    const st = statSync(p);
    const mode = owner ? ownedMode(want.mode, false, true) : want.mode;
    if ((st.mode & 0o7777) !== mode || (owner && st.gid !== owner.fsGroup) || !readFileSync(p).equals(want.data)) return false;
  }
  return true;
}

/** Writes the payload into dir atomically (owned by the fsGroup when one is given); answers whether anything changed. */
export function writeAtomic(dir: string, payload: Map<string, FileProjection>, owner?: PayloadOwnership): boolean {
  for (const p of payload.keys()) validatePath(p);
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, DATA);
  let oldTs: string | undefined;
  try {
    oldTs = readlinkSync(dataLink);
  } catch {
    oldTs = undefined;
  }
  if (oldTs && existsSync(join(dir, oldTs)) && unchanged(join(dir, oldTs), payload, owner)) return false;

  const ts = tsDirName();
  const tsPath = join(dir, ts);
  mkdirSync(tsPath, { mode: 0o755 });
  for (const [p, f] of payload) {
    const full = join(tsPath, p);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, f.data, { mode: f.mode });
    chmodSync(full, f.mode);
  }
  // The kubelet's setPerms: the whole volume, as a first write also makes entries outside the new directory.
  if (owner) setVolumeOwnership(dir, owner.fsGroup, { readOnly: true });
  const tmp = join(dir, DATA_TMP);
  rmSync(tmp, { force: true });
  symlinkSync(ts, tmp);
  renameSync(tmp, dataLink);

  // Visible entries: one symlink per top-level path element.
  const top = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
  for (const t of top) {
    const link = join(dir, t);
    let ok = false;
    try {
      ok = lstatSync(link).isSymbolicLink() && readlinkSync(link) === join(DATA, t);
    } catch {
      ok = false;
    }
    if (!ok) {
      rmSync(link, { force: true, recursive: true });
      symlinkSync(join(DATA, t), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (name === DATA || name === ts) continue;
    if (name.startsWith('..')) rmSync(join(dir, name), { recursive: true, force: true });
    else if (!top.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
  return true;
}
