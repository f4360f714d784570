// Mounts what a snapshotter returns, with mount(8): the one place the engine
// mounts a rootfs. Node has no mount(2); one `mount` process per rootfs costs
// about a millisecond or two.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SnapshotMount } from './snapshotter.ts';

const run = promisify(execFile);

/** Mounts `mounts` in order onto `target` (a snapshot gives one mount). */
export async function mountAll(mounts: SnapshotMount[], target: string): Promise<void> {
  for (const m of mounts) {
    const args = m.type === 'bind' ? ['-o', m.options.join(','), m.source, target] : ['-t', m.type, '-o', m.options.join(','), m.source, target];
    try {
      await run('mount', args);
    } catch (e) {
      throw new Error(`mount ${m.type} on ${target}: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
    }
  }
}

/** Unmounts `target` (lazily, so a process still inside does not block removal); a target not mounted is fine. */
export async function unmount(target: string): Promise<void> {
  try {
    await run('umount', ['-l', target]);
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr ?? '';
    if (/not mounted|no mount point|No such file/i.test(msg)) return;
    throw new Error(`umount ${target}: ${msg.trim()}`);
  }
}
