// The ImageService the engine runs on: a local image store under one root,
// the registries it pulls from and pushes to, and imports/exports. Names the
// user gives are read as Docker does, with the cluster's default registry
// tried first for names that do not say their registry.

import type { ImageService, LocalImage, PullOptions } from '../images.ts';
import { RegistryHosts, type RegistryHostsOptions } from '../registry/hosts.ts';
import { ImageError } from './errors.ts';
import { exportImage, type ExportOptions } from './export.ts';
import { importImage, type ImportOptions } from './import.ts';
import { pullImage, type PullResult, type PullRunOptions } from './pull.ts';
import { findLocal, pushImage, type PushOptions, type PushResult } from './push.ts';
import { candidateReferences, formatReference, parseReference } from './reference.ts';
import { ImageStore, type StoredImage } from './store.ts';

export interface LocalImageServiceOptions extends RegistryHostsOptions {
  /** Directory of the store (see imageStoreRoot(dataDir)). */
  root: string;
  /** The cluster's registry `host:port`, tried before docker.io for names without a registry. */
  defaultRegistry?: string;
}

export class LocalImageService implements ImageService {
  readonly store: ImageStore;
  readonly hosts: RegistryHosts;
  readonly defaultRegistry: string | undefined;

  private constructor(opts: LocalImageServiceOptions) {
    this.store = new ImageStore(opts.root);
    this.hosts = new RegistryHosts(opts);
    this.defaultRegistry = opts.defaultRegistry;
  }

  static async open(opts: LocalImageServiceOptions): Promise<LocalImageService> {
    const s = new LocalImageService(opts);
    await s.store.init();
    return s;
  }

  private get ctx() {
    return { store: this.store, hosts: this.hosts, defaultRegistry: this.defaultRegistry };
  }

  resolve(ref: string): Promise<StoredImage | null> {
    return findLocal(this.store, ref, this.defaultRegistry);
  }

  /** A local image, or a NotFound error naming it. */
  async inspect(ref: string): Promise<StoredImage> {
    const img = await this.resolve(ref);
    if (!img) throw new ImageError('NotFound', ref, 'no such image');
    return img;
  }

  async pull(ref: string, opts?: PullOptions): Promise<LocalImage> {
    return (await this.pullImage(ref, opts)).image;
  }

  /** pull, with what was transferred. */
  pullImage(ref: string, opts?: PullRunOptions): Promise<PullResult> {
    return pullImage(this.ctx, ref, opts);
  }

  push(src: string, dest?: string, opts?: PushOptions): Promise<PushResult> {
    return pushImage(this.ctx, src, dest, opts);
  }

  list(): Promise<StoredImage[]> {
    return this.store.list();
  }

  /** Gives the image `src` one more name. */
  async tag(src: string, dest: string): Promise<StoredImage> {
    const img = await this.inspect(src);
    const r = parseReference(dest);
    if (r.digest) throw new ImageError('InvalidReference', dest, 'a tag cannot contain a digest');
    const name = formatReference(r);
    const rec = (await this.store.names.list()).find((x) => x.id === img.id && x.manifest === img.manifestDigest);
    await this.store.names.put({ name, manifest: img.manifestDigest, index: rec?.index, id: img.id, createdAt: Date.now() });
    return this.inspect(name);
  }

  /**
   * Removes a name (or, given an id, every name of the image). When the last
   * tag of an image goes, its digest references go too and gc takes its blobs.
   */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const img = await this.resolve(ref);
    if (!img) throw new ImageError('NotFound', ref, 'no such image');
    const records = (await this.store.names.list()).filter((r) => r.id === img.id);
    let named: string | undefined;
    try {
      const names = candidateReferences(ref, this.defaultRegistry).map((c) => formatReference(c));
      named = names.find((n) => records.some((r) => r.name === n));
    } catch {
      named = undefined;
    }
    let drop: string[];
    if (named) {
      drop = [named];
      const tagsLeft = records.filter((r) => r.name !== named && !parseReference(r.name).digest);
      if (tagsLeft.length === 0) drop = records.map((r) => r.name);
    } else {
      const tags = records.filter((r) => !parseReference(r.name).digest);
      if (tags.length > 1 && !opts.force) {
        throw new ImageError('Conflict', ref, `image is referenced by ${tags.length} names (${tags.map((t) => t.name).join(', ')}); remove them by name or force`);
      }
      drop = records.map((r) => r.name);
    }
    for (const n of drop) await this.store.names.delete(n);
    await this.store.gc();
  }

  gc(): Promise<{ removed: string[]; bytes: number }> {
    return this.store.gc();
  }

  import(path: string, opts: ImportOptions = {}): Promise<StoredImage[]> {
    return importImage(this.store, path, opts);
  }

  async export(refs: string[], path: string, opts: ExportOptions = {}): Promise<void> {
    const imgs: StoredImage[] = [];
    for (const r of refs) imgs.push(await this.inspect(r));
    await exportImage(this.store, imgs, path, opts);
  }
}
