// Removes a finished container's cgroup directories (what `runc delete` does
// for a stopped container), in parallel. rmdir(2) on a cgroup succeeds only
// once no process is left in it: EBUSY says so, and the caller decides.

import { rmdir } from 'node:fs/promises';

export class CgroupBusyError extends Error {}

/**
 * Removes each directory; a directory already gone is fine. Throws
 * CgroupBusyError when a cgroup still has processes (or children).
 */
export async function removeCgroupDirs(dirs: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(dirs.map((d) => rmdir(d)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' && (r.reason as NodeJS.ErrnoException).code !== 'ENOENT' ? [{ dir: dirs[i]!, err: r.reason as NodeJS.ErrnoException }] : []));
  if (!failed.length) return;
  const busy = failed.find((f) => f.err.code === 'EBUSY' || f.err.code === 'ENOTEMPTY');
  if (busy) throw new CgroupBusyError(`cgroup ${busy.dir} still has processes or children`);
  throw new Error(`removing cgroup ${failed[0]!.dir}: ${failed[0]!.err.message}`);
}
