// fsGroup volume ownership, as the kubelet's SetVolumeOwnership does it: every
// file and directory of the volume (children before their directory, symlinks
// skipped) is given group fsGroup, keeping its owner, and its mode gets group
// read-write (0660; 0440 for read-only volumes), directories also 0110 and the
// setgid bit so that new files inherit the group. fsGroupChangePolicy
// OnRootMismatch skips the walk when the root already has the group, the bits
// and setgid. chown/chmod failures on one path are skipped, as the kubelet
// only logs them; a directory that cannot be read fails the set-up.

import { chmodSync, chownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { VolumeSetupError } from './payload.ts';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

export interface OwnershipOptions {
  /** Volumes containers only read (configMap, secret, downwardAPI, projected) get 0440, others 0660. */
  readOnly: boolean;
  /** The pod's securityContext.fsGroupChangePolicy: OnRootMismatch may skip the walk; anything else (Always, unset) walks. */
  policy?: string;
}

/** The mode a file or directory has once fsGroup owns it. */
export function ownedMode(mode: number, isDir: boolean, readOnly: boolean): number {
  let mask = readOnly ? RO : RW;
  if (isDir) mask |= SETGID | EXEC;
  return (mode & 0o7777) | mask;
}

/** Whether the root of a volume lacks the group, the group bits or setgid (always true for a non-directory or an unreadable root). */
export function requiresOwnershipChange(root: string, fsGroup: number, readOnly: boolean): boolean {
  let st: Stats;
  try {
    st = statSync(root);
  } catch {
    return true;
  }
  if (st.gid !== fsGroup || !st.isDirectory()) return true;
  const want = (readOnly ? RO : RW) | EXEC;
  return (st.mode & want) !== want || (st.mode & SETGID) === 0;
}

function isGone(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

function changeOne(path: string, st: Stats, fsGroup: number, readOnly: boolean): void {
  // chmod through a symlink would change its target's mode (a payload file's): links are left alone.
  if (st.isSymbolicLink()) return;
  try {
    chownSync(path, st.uid, fsGroup);
  } catch {
    // The kubelet logs and goes on.
  }
  try {
    chmodSync(path, ownedMode(st.mode, st.isDirectory(), readOnly));
  } catch {
    // Same.
  }
}

function walk(path: string, st: Stats, fsGroup: number, readOnly: boolean): void {
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      if (isGone(e)) return;
      throw new VolumeSetupError(`failed to set volume ownership on ${path}: ${(e as Error).message}`);
    }
    for (const name of names) {
      const child = join(path, name);
      let cst: Stats;
      try {
        cst = lstatSync(child);
      } catch (e) {
        if (isGone(e)) continue;
        throw new VolumeSetupError(`failed to set volume ownership on ${child}: ${(e as Error).message}`);
      }
      walk(child, cst, fsGroup, readOnly);
    }
  }
  // The root last: a walk cut short leaves it unchanged, so OnRootMismatch walks again next time.
  changeOne(path, st, fsGroup, readOnly);
}

/**
 * Hands the volume at root to fsGroup; nothing without an fsGroup. Answers
 * whether it walked the volume (false: no fsGroup, or OnRootMismatch found
 * the root already right).
 */
export function setVolumeOwnership(root: string, fsGroup: number | undefined, o: OwnershipOptions): boolean {
  if (fsGroup === undefined || fsGroup === null) return false;
  if (o.policy === 'OnRootMismatch' && !requiresOwnershipChange(root, fsGroup, o.readOnly)) return false;
  let st: Stats;
  try {
    st = lstatSync(root);
  } catch (e) {
    throw new VolumeSetupError(`failed to set volume ownership on ${root}: ${(e as Error).message}`);
  }
  walk(root, st, fsGroup, o.readOnly);
  return true;
}
