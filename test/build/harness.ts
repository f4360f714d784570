// A builder on a temp data directory: the engine's image store with a static
// busybox image imported as `busybox:latest`, and the builder's own root, all
// removed afterwards. Also a context directory maker.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { LocalImageService } from '../../src/engine/image/service.ts';
import { imageStoreRoot } from '../../src/engine/image/store.ts';
import { Builder } from '../../src/build/builder.ts';
import { buildBusyboxImage, missingTools } from '../support/images.ts';

/** Why build tests that run containers must skip here, or undefined. */
export function buildSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (overlay mounts and runc)';
  return missingTools('runc', 'tar', 'mount');
}

export interface BuildHarness {
  dataDir: string;
  images: LocalImageService;
  builder: Builder;
  /** A context directory with these files (path -> content). */
  context(files: Record<string, string | Buffer>): string;
}

export async function buildHarness(t: TestContext, opts: { defaultRegistry?: string } = {}): Promise<BuildHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-build-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const images = await LocalImageService.open({ root: imageStoreRoot(dataDir), ...(opts.defaultRegistry ? { defaultRegistry: opts.defaultRegistry } : {}) });
  const layout = join(dataDir, 'busybox-layout');
  await buildBusyboxImage(layout, { tag: 'latest' });
  await images.import(layout, { name: 'docker.io/library/busybox:latest' });
  const builder = new Builder({ images, root: join(dataDir, 'build') });
  let n = 0;
  const context = (files: Record<string, string | Buffer>) => {
    const dir = join(dataDir, `ctx-${n++}`);
    mkdirSync(dir, { recursive: true });
    for (const [p, c] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), c);
    }
    return dir;
  };
  return { dataDir, images, builder, context };
}
