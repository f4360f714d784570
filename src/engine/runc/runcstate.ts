// The two runc steps the engine does in-process instead of spawning runc
// (a spawn of runc costs ~5-10 ms here, on every container's hot path):
//
// - start: `runc create` leaves the container's init blocked opening
//   `<runc root>/<id>/exec.fifo` for writing; `runc start` opens it for
//   reading, reads the byte init writes, and removes the fifo (runc then
//   reports the container as running). startCreated does the same.
// - delete of a stopped container: `runc delete` removes the cgroups listed
//   in state.json (`cgroup_paths`) and the state directory. deleteStopped
//   does the same, and declines (returns false) when the init still lives or
//   a cgroup still holds processes, so the caller runs `runc delete --force`.

import { constants } from 'node:fs';
import { lstat, open, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CgroupBusyError, removeCgroupDirs } from '../cgroups/remove.ts';

export class StartError extends Error {}

interface RuncState {
  init_process_pid?: number;
  init_process_start?: number;
  cgroup_paths?: Record<string, string>;
}

/** The start time (clock ticks since boot) of `pid` from /proc, or undefined when it is gone or a zombie. */
async function startTime(pid: number): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // fields after the parenthesised command: state is field 3, starttime field 22
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  return Number(rest[19]);
}

/** True when the runc state directory holds the exec fifo: the container is created, not started. (lstat: opening it would start the container.) */
export async function hasExecFifo(stateDir: string): Promise<boolean> {
  try {
    return (await lstat(join(stateDir, 'exec.fifo'))).isFIFO();
  } catch {
    return false;
  }
}

/**
 * Lets a created container's init exec its process, as `runc start` does.
 * `pid` is the init's pid: should it die before opening the fifo, the wait
 * ends (the blocking open is released by opening the write side ourselves).
 */
export async function startCreated(stateDir: string, pid: number, timeoutMs = 10_000): Promise<void> {
  const fifo = join(stateDir, 'exec.fifo');
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    try {
      const w = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      await w.close();
    } catch {
      // no reader blocked (the open already returned) or the fifo is gone
    }
  };
  const deadline = Date.now() + timeoutMs;
  // a dead init (gone, or a zombie its parent has not reaped yet) never opens the fifo
  const watchdog = setInterval(() => {
    if (Date.now() > deadline) void release();
    else
      void startTime(pid).then((st) => {
        if (st === undefined) void release();
      });
  }, 20);
  let byte = 0;
  try {
    // (libuv opens with O_CLOEXEC) blocks (in libuv's pool) until init opens the write side: init is at that point once `runc create` returned
    const fh = await open(fifo, constants.O_RDONLY);
    try {
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(1), 0, 1, null);
      byte = bytesRead;
      if (bytesRead === 1 && buffer[0] !== 0x30) byte = 0;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StartError('cannot start an already running container');
    throw e;
  } finally {
    clearInterval(watchdog);
  }
  await unlink(fifo).catch(() => undefined);
  if (byte !== 1) throw new StartError(released && Date.now() > deadline ? `container init did not start within ${timeoutMs} ms` : 'container init exited before it was started');
}

/**
 * Removes a stopped container's runc state and cgroups. Returns false (and
 * changes nothing it cannot finish) when the init is still alive or a cgroup
 * is busy; true when done or when runc never knew the container.
 */
export async function deleteStopped(stateDir: string): Promise<boolean> {
  let state: RuncState;
  try {
    state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as RuncState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    await rm(stateDir, { recursive: true, force: true });
    return true;
  }
  const pid = state.init_process_pid;
  if (pid && pid > 0) {
    const start = await startTime(pid);
    if (start !== undefined && start === state.init_process_start) return false;
  }
  try {
    await removeCgroupDirs(Object.values(state.cgroup_paths ?? {}));
  } catch (e) {
    if (e instanceof CgroupBusyError) return false;
    throw e;
  }
  await rm(stateDir, { recursive: true, force: true });
  return true;
}
