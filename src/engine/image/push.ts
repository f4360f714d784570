// Pushing a local image: its config and layers (each skipped when the
// registry has it, mounted from another repository of the same registry when
// the image came from one, else uploaded), then the manifest's exact bytes
// under the tag, so the registry's digest is the local manifest digest.

import type { AuthConfig } from '../runtime.ts';
import type { RegistryHosts } from '../registry/hosts.ts';
import { aboutImage, ImageError } from './errors.ts';
import { eachLimit } from './pull.ts';
import { candidateReferences, formatReference, parseReference, repositoryOf } from './reference.ts';
import type { ImageStore, StoredImage } from './store.ts';

export interface PushContext {
  store: ImageStore;
  hosts: RegistryHosts;
  defaultRegistry?: string;
}

export interface PushOptions {
  auth?: AuthConfig;
  /** Upload blobs in PATCH chunks of this size instead of one PUT. */
  chunkSize?: number;
  concurrency?: number;
  onProgress?: (p: { digest: string; done: number; total: number }) => void;
}

export interface PushResult {
  /** Where it went (`reg/app:1`). */
  name: string;
  digest: string;
  uploaded: string[];
  skipped: string[];
}

/** Finds a local image the way the agent does: candidates in order, then an id. */
export async function findLocal(store: ImageStore, ref: string, defaultRegistry?: string): Promise<StoredImage | null> {
  let cands: ReturnType<typeof candidateReferences> = [];
  try {
    cands = candidateReferences(ref, defaultRegistry);
  } catch (e) {
    return store.find(ref).catch(() => {
      throw e;
    });
  }
  for (const c of cands) {
    const img = await store.find(formatReference(c));
    if (img) return img;
  }
  return store.find(ref);
}

export async function pushImage(ctx: PushContext, src: string, dest: string = src, opts: PushOptions = {}): Promise<PushResult> {
  const img = await findLocal(ctx.store, src, ctx.defaultRegistry);
  if (!img) throw new ImageError('NotFound', src, 'no such local image');
  const target = candidateReferences(dest, ctx.defaultRegistry)[0]!;
  const what = formatReference(target);
  const client = ctx.hosts.client(target.domain, opts.auth);
  try {
    // A repository on the same registry that already has these blobs.
    const mountFrom = img.repoDigests.map((d) => parseReference(d)).find((r) => r.domain === target.domain && r.path !== target.path)?.path;
    const uploaded: string[] = [];
    const skipped: string[] = [];
    const blobs = [img.manifest.config, ...img.manifest.layers];
    await eachLimit(blobs, opts.concurrency ?? 3, async (d) => {
      const how = await client.pushBlob(target.path, d, (start, end) => ctx.store.content.open(d.digest, start, end), {
        mountFrom,
        chunkSize: opts.chunkSize,
        onProgress: opts.onProgress && ((done) => opts.onProgress!({ digest: d.digest, done, total: d.size })),
      });
      (how === 'uploaded' ? uploaded : skipped).push(d.digest);
    });
    const bytes = await ctx.store.content.read(img.manifestDigest);
    const digest = await client.putManifest(target.path, target.digest ?? target.tag!, bytes, img.manifestMediaType);
    // Remember where it went, so its repoDigests show it.
    await ctx.store.names.put({ name: `${repositoryOf(target)}@${digest}`, manifest: img.manifestDigest, id: img.id, createdAt: Date.now() });
    return { name: what, digest, uploaded, skipped };
  } catch (e) {
    throw aboutImage(e, what);
  }
}
