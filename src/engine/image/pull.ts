// Pulling an image: resolve the name to candidate registries (the default
// registry first for names without one), fetch the manifest (selecting
// linux/amd64 from an index), then config and layers into the content store
// (present blobs skipped, partial ones resumed, all verified), and name the
// image last.

import type { PullOptions } from '../images.ts';
import type { RegistryHosts } from '../registry/hosts.ts';
import { aboutImage, ImageError, isImageError } from './errors.ts';
import { parseConfig, parseManifest, selectPlatform } from './manifest.ts';
import { candidateReferences, formatReference, type ImageReference } from './reference.ts';
import type { ImageStore, StoredImage } from './store.ts';
import type { Descriptor } from './mediatypes.ts';

export interface PullContext {
  store: ImageStore;
  hosts: RegistryHosts;
  /** The cluster's registry (`host:port`), tried first for names without a registry. */
  defaultRegistry?: string;
}

export interface PullResult {
  image: StoredImage;
  /** The name the image was pulled as (which candidate answered). */
  name: string;
  /** Blobs transferred, and blobs that were already present. */
  fetched: string[];
  present: string[];
}

export interface PullRunOptions extends PullOptions {
  /** Layers downloaded at once (default 3). */
  concurrency?: number;
}

/** Runs `fn` over `items`, at most `n` at a time; the first failure fails the whole. */
export async function eachLimit<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

const FALL_THROUGH = new Set(['ManifestUnknown', 'Unreachable', 'Unauthorized']);

export async function pullImage(ctx: PullContext, ref: string, opts: PullRunOptions = {}): Promise<PullResult> {
  const candidates = candidateReferences(ref, ctx.defaultRegistry);
  const errors: unknown[] = [];
  for (const [i, r] of candidates.entries()) {
    try {
      return await pullFrom(ctx, r, ref, opts);
    } catch (e) {
      if (i < candidates.length - 1 && isImageError(e) && FALL_THROUGH.has(e.reason)) {
        errors.push(e);
        continue;
      }
      if (errors.length > 0 && isImageError(e)) {
        const before = errors.map((x) => (x as Error).message).join('; ');
        const combined = new ImageError(e.reason, ref, `${e.message} (after ${before})`);
        throw combined;
      }
      throw aboutImage(e, ref);
    }
  }
  throw new ImageError('ManifestUnknown', ref, 'no registry to pull from');
}

async function pullFrom(ctx: PullContext, r: ImageReference, asked: string, opts: PullRunOptions): Promise<PullResult> {
  const client = ctx.hosts.client(r.domain, opts.auth);
  const name = formatReference(r);
  const what = name;
  const store = ctx.store;
  return store.withLease(async (hold) => {
    const top = await client.getManifest(r.path, r.digest ?? r.tag!);
    let parsed = parseManifest(top.bytes, what, top.mediaType);
    let manifest = top;
    let indexDigest: string | undefined;
    if (parsed.kind === 'index') {
      const entry = selectPlatform(parsed.index, what);
      indexDigest = top.digest;
      hold(top.digest);
      await store.content.put(top.bytes, top.digest);
      manifest = await client.getManifest(r.path, entry.digest);
      parsed = parseManifest(manifest.bytes, what, manifest.mediaType);
      if (parsed.kind !== 'manifest') throw new ImageError('ManifestInvalid', what, `index entry ${entry.digest} is itself an index`);
    }
    const m = parsed.manifest;
    const fetched: string[] = [];
    const present: string[] = [];
    const fetch = async (d: Descriptor) => {
      hold(d.digest);
      const how = await client.fetchBlob(r.path, d, store.content, { what, onProgress: opts.onProgress && ((done) => opts.onProgress!({ digest: d.digest, done, total: d.size })) });
      (how === 'fetched' ? fetched : present).push(d.digest);
    };
    // The config first: it says whether this image is for this platform before any layer moves.
    await fetch(m.config);
    parseConfig(await store.content.read(m.config.digest), what, m.layers.length);
    await eachLimit(m.layers, opts.concurrency ?? 3, fetch);
    hold(manifest.digest);
    await store.content.put(manifest.bytes, manifest.digest);
    const names = r.tag ? [formatReference({ ...r, digest: undefined })] : [name];
    const image = await store.commit(manifest.digest, names, { index: indexDigest, what: asked });
    return { image, name: names[0]!, fetched, present };
  });
}
