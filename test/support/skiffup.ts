// The real `./skiff up` (the command a user types: the bundled CLI,
// scripts/bundle.mjs) as a child process on a temp data dir (--port 0, so the
// API server and the cluster registry pick free ports), the `skiff` CLI run
// against the same data dir, and one plain HTTP GET from this host. For the
// e2e walks that drive a cluster the way a user does from another shell.

import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor, within } from './wait.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const SKIFF = join(REPO_ROOT, 'skiff');

/** Runs `skiff ARGS...` to completion with SKIFF_DATA_DIR set to `dataDir`. */
export function skiffCli(dataDir: string, args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(SKIFF, args, { encoding: 'utf8', env: { ...process.env, SKIFF_DATA_DIR: dataDir }, timeout: timeoutMs });
}

export interface SkiffUp {
  proc: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  kubeconfig: string;
  /** `host:port` of the cluster registry, from its announcement. */
  registry?: string;
  /** Ctrl-C, then waits for the exit (SIGKILL after the deadline). */
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts `skiff up --data-dir DIR --port 0 [extra]` and waits until it says it runs in the foreground. */
export async function startSkiffUp(dataDir: string, extra: string[] = [], timeoutMs = 60_000): Promise<SkiffUp> {
  let out = '';
  const proc = spawn(SKIFF, ['up', '--data-dir', dataDir, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const stop = async (ms = 30_000) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    try {
      await within(exited, 'skiff up to stop on Ctrl-C', ms);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
  };
  try {
    await waitFor(() => /running in the foreground/.test(out) || proc.exitCode !== null, 'skiff up to be ready', timeoutMs, 50);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}; it said:\n${out}`);
  }
  if (proc.exitCode !== null) throw new Error(`skiff up exited with ${proc.exitCode}:\n${out}`);
  return { proc, output: () => out, kubeconfig: join(dataDir, 'kubeconfig.yaml'), registry: /image registry at (\S+)/.exec(out)?.[1], stop };
}

/** One HTTP GET from this host: the trimmed body of a 200, or null (refused, timed out, another status). */
export function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : null));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
