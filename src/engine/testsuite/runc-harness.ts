// Opens a runc engine on a fresh temporary root with the busybox image, for
// tests and the benchmark; cleanup removes every sandbox it made and the root.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuncRuntime } from '../runc/runtime.ts';
import { unmount } from '../snapshot/mount.ts';
import { busyboxImage, LocalImageService } from './localimages.ts';
import type { RuntimeHarness } from './runtime-suite.ts';

/** Why runc tests cannot run here, or undefined when they can. */
export function runcSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the runc engine needs root';
  for (const bin of ['/usr/sbin/runc', '/usr/bin/conmon', '/usr/bin/busybox']) if (!existsSync(bin)) return `${bin} is not installed (scripts/ensure-deps.mjs installs it)`;
  return undefined;
}

export async function runcHarness(root?: string): Promise<RuntimeHarness & { runtime: RuncRuntime; root: string; images: LocalImageService }> {
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'skiff-rt-')));
  const images = new LocalImageService();
  images.add(await busyboxImage());
  const runtime = new RuncRuntime({ root: join(dir, 'engine'), images });
  return {
    runtime,
    root: dir,
    images,
    logRoot: join(dir, 'pods'),
    async cleanup() {
      try {
        for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
        for (const c of await runtime.listContainers()) await runtime.removeContainer(c.id);
        await runtime.close();
      } finally {
        // a failed test may leave mounts (rootfs, namespaces): never rm -rf through them
        const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));
        for (const m of mounts.reverse()) await unmount(m);
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
