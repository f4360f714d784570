// One e2e cluster on the host at a time: tests that run `skiff up` share
// host-level names (the nft table, the pod bridge, port 10250, the nodes'
// network namespaces), so they take this lock file in /tmp first. The file
// holds the holder's pid; a lock whose holder is gone is taken over.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST_LOCK_PATH = '/tmp/skiff-e2e-host.lock';

function holderAlive(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (up to `timeoutMs`) for the host lock; resolves to its release function. */
export async function acquireHostLock(timeoutMs = 20 * 60_000, path = HOST_LOCK_PATH): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(path)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the host lock ${path} is held by pid ${readFileSync(path, 'utf8').trim()} for too long`);
    await sleep(500);
  }
}
