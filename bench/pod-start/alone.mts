// bench/pod-start/alone: the "runtime alone" and "bare runc" columns of the
// pod start-up bench. Runtime alone: sandbox + create + start of n containers
// at once straight on the runtime (no API, no agent). Bare runc: n
// `runc run --detach` at once of a bundle like the engine's (own namespaces,
// read-only shared rootfs), the floor any runc-based engine stands on.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/engine/runtime.ts';

const run = (cmd: string, args: string[]) =>
  new Promise<number>((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', (code) => resolve(code ?? 1));
  });

const IMAGE = 'busybox:1.36';

/** Sandbox + create + start of n pods at once on `rt`; latencies in ms. Removes them after. */
export async function runtimeAlone(rt: Runtime, n: number, tag: string): Promise<number[]> {
  const logDirectory = mkdtempSync(join(tmpdir(), 'bench-rt-'));
  const sandboxes: string[] = [];
  const one = async (i: number) => {
    const t0 = performance.now();
    const sc = { metadata: { name: `p${i}`, namespace: 'bench', uid: `${tag}-u${i}`, attempt: 0 }, hostname: `p${i}`, logDirectory };
    const sb = await rt.runPodSandbox(sc);
    sandboxes.push(sb);
    const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: IMAGE, command: ['sleep', 'infinity'], logPath: `c${i}/0.log` }, sc);
    await rt.startContainer(id);
    return performance.now() - t0;
  };
  try {
    return await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  } finally {
    for (const sb of sandboxes) await rt.removePodSandbox(sb);
    rmSync(logDirectory, { recursive: true, force: true });
  }
}

/**
 * n `runc run --detach` at once of `bundle`'s config (taken from an engine
 * container: same rootfs, process and limits), with its own namespaces and
 * a read-only root so the n containers can share it; latencies in ms.
 */
export async function bareRunc(bundle: string, n: number, tag: string): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bare-'));
  const runcRoot = join(dir, 'runc');
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
    root: { path: string; readonly?: boolean };
    process: { args: string[]; terminal?: boolean };
    linux: { namespaces: { type: string; path?: string }[]; cgroupsPath?: string };
    mounts?: { destination: string; source: string }[];
  };
  spec.root = { path: join(bundle, 'rootfs'), readonly: true };
  spec.process.args = ['sleep', 'infinity'];
  spec.process.terminal = false;
  spec.linux.namespaces = spec.linux.namespaces.map(({ type }) => ({ type }));
  spec.mounts = (spec.mounts ?? []).filter((m) => !['/etc/hosts', '/etc/resolv.conf', '/etc/hostname'].includes(m.destination));
  const ids: string[] = [];
  const one = async (i: number) => {
    const b = join(dir, `b${i}`);
    mkdirSync(b);
    writeFileSync(join(b, 'config.json'), JSON.stringify({ ...spec, linux: { ...spec.linux, cgroupsPath: `/skiff/bench-bare-${process.pid}-${tag}-${i}` } }));
    const id = `bare-${process.pid}-${tag}-${i}`;
    const t0 = performance.now();
    const code = await run('runc', ['--root', runcRoot, 'run', '--detach', '-b', b, id]);
    if (code !== 0) throw new Error(`bare runc run --detach ${id} exited ${code}`);
    ids.push(id);
    return performance.now() - t0;
  };
  try {
    return await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  } finally {
    await Promise.all(ids.map((id) => run('runc', ['--root', runcRoot, 'delete', '--force', id])));
    rmSync(dir, { recursive: true, force: true });
  }
}
