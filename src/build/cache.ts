// The layer cache: one small JSON file per step key under <root>/<hex>.json,
// written atomically after the step succeeded. A key is the sha256 of what
// decides a step's result: the parent layers' chain ID, the image config
// the step sees, the expanded instruction, the build args in scope (RUN),
// and the content hash of COPY/ADD sources. An entry whose layer blob has
// left the content store (image rm + gc) is a miss, so the cache never hands
// out a layer it cannot deliver, and a failed build writes nothing.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentStore } from '../engine/image/content.ts';
import type { LayerBlob } from './layer.ts';

export interface CacheEntry {
  /** The layer the step made; null for a step that changed no file. */
  layer: LayerBlob | null;
  /** History `created` of the step's first run (kept on hits: a cached rebuild gives the same image id). */
  created: string;
}

export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class LayerCache {
  constructor(
    readonly root: string,
    private readonly content: ContentStore,
  ) {}

  async get(key: string): Promise<CacheEntry | null> {
    let e: CacheEntry;
    try {
      e = JSON.parse(await readFile(join(this.root, `${key}.json`), 'utf8')) as CacheEntry;
    } catch {
      return null;
    }
    if (e.layer && (await this.content.size(e.layer.digest)) !== e.layer.size) return null;
    return e;
  }

  async put(key: string, e: CacheEntry): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const tmp = join(this.root, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(e));
    await rename(tmp, join(this.root, `${key}.json`));
  }
}
