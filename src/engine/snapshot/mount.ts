// Mounts what a snapshotter returns: the one place the engine mounts and
// unmounts a rootfs. Node has no mount(2), so a helper runs: for overlays and
// unmounts a static busybox where installed (~1.5 ms less per call than
// util-linux mount(8), which loads shared libraries and parses the mount
// table), mount(8) otherwise and for binds.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { SnapshotMount } from './snapshotter.ts';

const run = promisify(execFile);

const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
const helper = (cmd: 'mount' | 'umount', args: string[]): [string, string[]] => (BUSYBOX ? [BUSYBOX, [cmd, ...args]] : [cmd, args]);

/** Mounts `mounts` in order onto `target` (a snapshot gives one mount). */
export async function mountAll(mounts: SnapshotMount[], target: string): Promise<void> {
  for (const m of mounts) {
    // binds stay with mount(8): busybox ignores `ro` on a bind (mount(8) remounts read-only after binding)
    const cmd: [string, string[]] = m.type === 'bind' ? ['mount', ['-o', m.options.join(','), m.source, target]] : helper('mount', ['-t', m.type, '-o', m.options.join(','), m.source, target]);
    try {
      await run(...cmd);
    } catch (e) {
      throw new Error(`mount ${m.type} on ${target}: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
    }
  }
}

/** Unmounts `target` (lazily, so a process still inside does not block removal); a target not mounted is fine. */
export async function unmount(target: string): Promise<void> {
  try {
    await run(...helper('umount', ['-l', target]));
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr ?? '';
    // mount(8): "not mounted"; busybox: EINVAL ("Invalid argument") for a directory that is not a mount point
    if (/not mounted|no mount point|No such file|Invalid argument/i.test(msg)) return;
    throw new Error(`umount ${target}: ${msg.trim()}`);
  }
}
