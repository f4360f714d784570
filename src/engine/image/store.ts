// The local image store: content store + name store, and what an image is
// made of (manifest → config → layers). Images are committed by writing their
// names last, after every blob they need is present; removing the last name
// of an image lets garbage collection take its blobs.

import { ContentStore } from './content.ts';
import { ImageError } from './errors.ts';
import { parseConfig, parseManifest } from './manifest.ts';
import { NameStore, type NameRecord } from './names.ts';
import { idPrefixOf, parseReference, repositoryOf, formatReference } from './reference.ts';
import type { LayerRef, LocalImage } from '../images.ts';
import type { ImageManifest } from './mediatypes.ts';
import { join } from 'node:path';

export interface StoredImage extends LocalImage {
  /** The manifest's media type (OCI or Docker schema 2). */
  manifestMediaType: string;
  manifest: ImageManifest;
  /** When its newest name was written. */
  createdAt: number;
}

export class ImageStore {
  readonly content: ContentStore;
  readonly names: NameStore;
  /** Blobs an operation in flight has written but not yet named; gc leaves them. */
  private readonly held = new Map<string, number>();

  constructor(readonly root: string) {
    this.content = new ContentStore(root);
    this.names = new NameStore(root);
  }

  async init(): Promise<this> {
    await this.content.init();
    await this.names.init();
    return this;
  }

  /** Reads an image from its manifest digest; errors when a blob it needs is missing. */
  async load(manifestDigest: string, what = manifestDigest, records: NameRecord[] = []): Promise<StoredImage> {
    const parsed = parseManifest(await this.content.read(manifestDigest), what);
    if (parsed.kind !== 'manifest') throw new ImageError('ManifestInvalid', what, `${manifestDigest} is an index, not an image manifest`);
    const m = parsed.manifest;
    const config = parseConfig(await this.content.read(m.config.digest), what, m.layers.length);
    const layers: LayerRef[] = m.layers.map((l, i) => ({
      diffID: config.rootfs.diff_ids[i]!,
      digest: l.digest,
      mediaType: l.mediaType,
      size: l.size,
      open: () => this.content.open(l.digest),
    }));
    const repoTags = records.filter((r) => !parseReference(r.name).digest).map((r) => r.name);
    const repoDigests = [...new Set(records.map((r) => `${repositoryOf(parseReference(r.name))}@${r.index ?? r.manifest}`))];
    return {
      id: m.config.digest,
      manifestDigest,
      manifestMediaType: parsed.mediaType,
      manifest: m,
      repoTags,
      repoDigests,
      config,
      layers,
      size: m.config.size + m.layers.reduce((n, l) => n + l.size, 0),
      createdAt: Math.max(0, ...records.map((r) => r.createdAt)),
    };
  }

  /** Records sharing `id`, oldest first. */
  private async recordsOf(id: string): Promise<NameRecord[]> {
    return (await this.names.list()).filter((r) => r.id === id);
  }

  /** The image named exactly `name` (already normalized), or null. */
  async byName(name: string): Promise<StoredImage | null> {
    const rec = await this.names.get(name);
    if (!rec) return null;
    return this.load(rec.manifest, name, await this.recordsOf(rec.id));
  }

  /**
   * An image by normalized name, by `repo@digest` (a digest name or any
   * image whose manifest/index has that digest in that repository), or by id.
   */
  async find(ref: string): Promise<StoredImage | null> {
    const prefix = idPrefixOf(ref);
    let r: ReturnType<typeof parseReference> | null = null;
    try {
      r = parseReference(ref);
    } catch (e) {
      if (prefix === null) throw e;
    }
    if (r) {
      const name = formatReference(r);
      const direct = await this.byName(name);
      if (direct) return direct;
      if (r.digest) {
        const repo = repositoryOf(r);
        const rec = (await this.names.list()).find((x) => repositoryOf(parseReference(x.name)) === repo && (x.manifest === r!.digest || x.index === r!.digest));
        if (rec) return this.load(rec.manifest, ref, await this.recordsOf(rec.id));
      }
    }
    if (prefix !== null) {
      const recs = (await this.names.list()).filter((x) => x.id.slice(7).startsWith(prefix));
      const ids = new Set(recs.map((x) => x.id));
      if (ids.size > 1) throw new ImageError('Conflict', ref, `short id matches ${ids.size} images; give more of it`);
      if (recs[0]) return this.load(recs[0].manifest, ref, recs);
    }
    return null;
  }

  async list(): Promise<StoredImage[]> {
    const byId = new Map<string, NameRecord[]>();
    for (const r of await this.names.list()) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    const out: StoredImage[] = [];
    for (const recs of byId.values()) {
      try {
        out.push(await this.load(recs[0]!.manifest, recs[0]!.name, recs));
      } catch {
        // A name whose blobs went missing is not an image; inspect/resolve say why.
      }
    }
    return out;
  }

  /** Checks that every blob of the manifest is present, then writes the names. */
  async commit(manifestDigest: string, names: string[], opts: { index?: string; what?: string } = {}): Promise<StoredImage> {
    const what = opts.what ?? names[0] ?? manifestDigest;
    const img = await this.load(manifestDigest, what);
    for (const d of [img.manifest.config, ...img.manifest.layers]) {
      const size = await this.content.size(d.digest);
      if (size === null) throw new ImageError('BlobUnknown', what, `layer ${d.digest} is missing`);
      if (size !== d.size) throw new ImageError('SizeMismatch', what, `blob ${d.digest} is ${size} bytes, the manifest says ${d.size}`);
    }
    const now = Date.now();
    for (const name of names) await this.names.put({ name, manifest: manifestDigest, index: opts.index, id: img.id, createdAt: now });
    return (await this.byName(names[0]!)) ?? img;
  }

  /** Digests every named image needs (index, manifest, config, layers). */
  async referencedBlobs(): Promise<Set<string>> {
    const keep = new Set<string>();
    for (const r of await this.names.list()) {
      keep.add(r.manifest);
      if (r.index) keep.add(r.index);
      try {
        const parsed = parseManifest(await this.content.read(r.manifest), r.name);
        if (parsed.kind === 'manifest') for (const d of [parsed.manifest.config, ...parsed.manifest.layers]) keep.add(d.digest);
      } catch {
        // A broken name keeps nothing more.
      }
    }
    return keep;
  }

  /** Runs `fn` with a lease: every digest passed to `hold` survives gc until `fn` ends. */
  async withLease<T>(fn: (hold: (digest: string) => void) => Promise<T>): Promise<T> {
    const mine: string[] = [];
    const hold = (d: string) => {
      mine.push(d);
      this.held.set(d, (this.held.get(d) ?? 0) + 1);
    };
    try {
      return await fn(hold);
    } finally {
      for (const d of mine) {
        const n = (this.held.get(d) ?? 1) - 1;
        if (n <= 0) this.held.delete(d);
        else this.held.set(d, n);
      }
    }
  }

  /** Removes blobs no name (and no operation in flight) references. */
  async gc(): Promise<{ removed: string[]; bytes: number }> {
    const keep = await this.referencedBlobs();
    for (const d of this.held.keys()) keep.add(d);
    return this.content.gc(keep);
  }
}

/** Where a data directory keeps its images. */
export function imageStoreRoot(dataDir: string): string {
  return join(dataDir, 'images');
}
