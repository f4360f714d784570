// The engine's on-disk state: one JSON record per sandbox and per container
// under the engine root, rewritten atomically. A new engine on the same root
// reads them back; the live parts (is it running, how did it exit) are read
// from conmon's files and runc each time, never trusted from the record.

import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig, SandboxState } from '../runtime.ts';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  state: SandboxState;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  /** Image id (`sha256:...`). */
  imageRef: string;
  /** The snapshot holding the rootfs. */
  snapshotKey: string;
  /** Absolute CRI log path. */
  logPath: string;
  cgroupsPath: string;
  stopSignal: string;
  createdAt: number;
  startedAt: number;
  /** Set once the exit is known (read from conmon's exit file, or a failed start). */
  finishedAt: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  pid?: number;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

async function readAll<T>(dir: string, file: string): Promise<T[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(await readFile(join(dir, n, file), 'utf8')) as T);
    } catch {
      // a directory whose record was never written (crash during create): ignored
    }
  }
  return out;
}

export class Records {
  readonly sandboxesDir: string;
  readonly containersDir: string;

  constructor(root: string) {
    this.sandboxesDir = join(root, 'sandboxes');
    this.containersDir = join(root, 'containers');
  }

  sandboxDir(id: string): string {
    return join(this.sandboxesDir, id);
  }

  containerDir(id: string): string {
    return join(this.containersDir, id);
  }

  async init(): Promise<{ sandboxes: SandboxRecord[]; containers: ContainerRecord[] }> {
    await mkdir(this.sandboxesDir, { recursive: true });
    await mkdir(this.containersDir, { recursive: true });
    return { sandboxes: await readAll(this.sandboxesDir, 'sandbox.json'), containers: await readAll(this.containersDir, 'container.json') };
  }

  saveSandbox(r: SandboxRecord): Promise<void> {
    return writeJson(join(this.sandboxDir(r.id), 'sandbox.json'), r);
  }

  saveContainer(r: ContainerRecord): Promise<void> {
    return writeJson(join(this.containerDir(r.id), 'container.json'), r);
  }
}
