// Starts a container's monitor: conmon runs `runc create` in the background,
// keeps the container's stdio (CRI-format log file, attach socket) and writes
// its exit code (and an `oom` file) when it ends. conmon reports the
// container's pid, or runc's error, on the sync pipe (fd 3 here); the process
// we spawn exits at once and the daemonized conmon outlives the engine.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

export interface ConmonOptions {
  conmon: string;
  runc: string;
  runcRoot: string;
  id: string;
  bundle: string;
  logPath: string;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  containerPidFile: string;
  conmonPidFile: string;
  /** conmon's own stderr (a file: a pipe would kill the daemonized conmon with SIGPIPE once we stop reading). */
  conmonLog: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export class ConmonError extends Error {}

/** Spawns conmon and resolves with the container's pid once `runc create` succeeded; rejects with runc's message otherwise. */
export function startConmon(o: ConmonOptions): Promise<number> {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.id,
    '-n', o.id,
    '-r', o.runc,
    '--runtime-arg', '--root', '--runtime-arg', o.runcRoot,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`,
    '--exit-dir', o.exitDir,
    '-0', o.persistDir,
    '--socket-dir-path', o.socketDir,
    '--log-level', 'error',
  ];
  if (o.stdin) args.push('-i');
  if (o.stdin && !o.stdinOnce) args.push('--leave-stdin-open');
  if (o.tty) args.push('-t');
  return new Promise((resolve, reject) => {
    const errFd = openSync(o.conmonLog, 'a');
    const child = spawn(o.conmon, args, { stdio: ['ignore', 'ignore', errFd, 'pipe'], detached: true, env: { ...process.env, _OCI_SYNCPIPE: '3' } });
    closeSync(errFd);
    const sync = child.stdio[3] as Readable;
    let text = '';
    const stderr = () => {
      try {
        return readFileSync(o.conmonLog, 'utf8').trim();
      } catch {
        return '';
      }
    };
    let settled = false;
    const finish = (err: Error | undefined, pid?: number) => {
      if (settled) return;
      settled = true;
      sync.destroy();
      child.unref();
      if (err) reject(err);
      else resolve(pid!);
    };
    child.on('error', (e) => finish(e));
    sync.setEncoding('utf8');
    sync.on('data', (d: string) => {
      text += d;
      const end = text.indexOf('}');
      if (end < 0) return;
      let msg: { data?: number; message?: string };
      try {
        msg = JSON.parse(text.slice(0, end + 1)) as { data?: number; message?: string };
      } catch {
        return finish(new ConmonError(`conmon for ${o.id} wrote ${JSON.stringify(text)} on its sync pipe`));
      }
      if (typeof msg.data === 'number' && msg.data > 0) finish(undefined, msg.data);
      else finish(new ConmonError(msg.message ?? `conmon for ${o.id} failed (${msg.data})`));
    });
    sync.on('close', () => finish(new ConmonError(`conmon for ${o.id} exited without reporting the container: ${stderr() || 'no message'}`)));
  });
}
