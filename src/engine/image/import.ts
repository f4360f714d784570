// Importing images without a registry: an OCI image layout (directory or its
// tar), a `docker save` archive, or a plain root filesystem directory (made
// into a one-layer image). Every blob is verified on the way in; names are
// written last, so a bad source leaves no image behind. Imported images
// resolve like pulled ones (imagePullPolicy IfNotPresent finds them).

import { createReadStream } from 'node:fs';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { checkDigest, digestOf, newHash } from './digest.ts';
import { ImageError } from './errors.ts';
import { parseConfig, parseManifest, selectPlatform } from './manifest.ts';
import { OCI_CONFIG, OCI_LAYER, OCI_LAYER_GZIP, OCI_MANIFEST, type Descriptor, type ImageManifest } from './mediatypes.ts';
import { formatReference, parseReference } from './reference.ts';
import type { ImageStore, StoredImage } from './store.ts';
import { extractArchive, isGzip, packDirectory } from './tarfs.ts';

export interface ImportOptions {
  /** Name for the image (`app:1`); required for a rootfs directory or a source that names none. */
  name?: string;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export async function importImage(store: ImageStore, path: string, opts: ImportOptions = {}): Promise<StoredImage[]> {
  if (opts.name) parseReference(opts.name);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new ImageError('InvalidImage', path, 'no such file or directory');
  }
  if (st.isDirectory()) return importDirectory(store, path, path, opts, true);
  const tmp = await mkdtemp(join(store.root, 'ingest', 'import-'));
  try {
    await extractArchive(path, tmp, path);
    return await importDirectory(store, tmp, path, opts, false);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function importDirectory(store: ImageStore, dir: string, what: string, opts: ImportOptions, rootfsAllowed: boolean): Promise<StoredImage[]> {
  if (await exists(join(dir, 'manifest.json'))) return importDockerSave(store, dir, what, opts);
  if ((await exists(join(dir, 'index.json'))) || (await exists(join(dir, 'oci-layout')))) return importOciLayout(store, dir, what, opts);
  if (!rootfsAllowed) throw new ImageError('InvalidImage', what, 'archive is neither an OCI image layout (index.json) nor a docker save archive (manifest.json)');
  return [await importRootfs(store, dir, what, opts)];
}

/** Copies a blob of an image directory into the store, checking digest and size. */
async function copyBlob(store: ImageStore, file: string, d: Descriptor | { digest: string; size?: number }, what: string): Promise<void> {
  if ((await store.content.size(d.digest)) !== null) return;
  if (!(await exists(file))) throw new ImageError('BlobUnknown', what, `blob ${d.digest} is missing from the image (${file})`);
  await store.content.ingest(d.digest, async () => ({ stream: createReadStream(file), offset: 0 }), { size: d.size, what });
}

function nameOf(what: string, given: string | undefined, annotations: Record<string, string> | undefined): string {
  const full = given ?? annotations?.['io.containerd.image.name'] ?? annotations?.['org.opencontainers.image.ref.name'];
  if (!full) throw new ImageError('InvalidImage', what, 'the image has no name; give one (--name NAME:TAG)');
  // A bare tag (what skopeo and umoci write) is not a name.
  if (!given && !annotations?.['io.containerd.image.name'] && /^[\w][\w.-]{0,127}$/.test(full) && !full.includes('/')) {
    throw new ImageError('InvalidImage', what, `the layout names its image only by tag "${full}"; give a name (--name NAME:TAG)`);
  }
  return formatReference(parseReference(full));
}

async function importOciLayout(store: ImageStore, dir: string, what: string, opts: ImportOptions): Promise<StoredImage[]> {
  const blob = (d: string) => join(dir, 'blobs', 'sha256', checkDigest(d, what).slice(7));
  let indexBytes: Buffer;
  try {
    indexBytes = await readFile(join(dir, 'index.json'));
  } catch {
    throw new ImageError('InvalidImage', what, 'OCI layout has no index.json');
  }
  const top = parseManifest(indexBytes, `${what} (index.json)`);
  if (top.kind !== 'index') throw new ImageError('InvalidImage', what, 'index.json is not an image index');
  const entries = top.index.manifests;
  if (entries.length === 0) throw new ImageError('InvalidImage', what, 'index.json lists no images');
  return store.withLease(async (hold) => {
    const out: StoredImage[] = [];
    const errors: ImageError[] = [];
    for (const entry of entries) {
      try {
        let desc = entry;
        let indexDigest: string | undefined;
        // A nested index (a multi-platform image): pick this platform.
        if (entry.mediaType === 'application/vnd.oci.image.index.v1+json' || entry.mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json') {
          await copyBlob(store, blob(entry.digest), entry, what);
          hold(entry.digest);
          const inner = parseManifest(await store.content.read(entry.digest), what);
          if (inner.kind !== 'index') throw new ImageError('ManifestInvalid', what, `${entry.digest} is not an index`);
          desc = selectPlatform(inner.index, what);
          indexDigest = entry.digest;
        } else if (entry.platform && (entry.platform.os !== 'linux' || entry.platform.architecture !== 'amd64')) {
          throw new ImageError('PlatformNotFound', what, `image is for ${entry.platform.os}/${entry.platform.architecture}, this node runs linux/amd64`);
        }
        const name = nameOf(what, opts.name, entry.annotations);
        await copyBlob(store, blob(desc.digest), desc, what);
        hold(desc.digest);
        const parsed = parseManifest(await store.content.read(desc.digest), what);
        if (parsed.kind !== 'manifest') throw new ImageError('ManifestInvalid', what, `${desc.digest} is not an image manifest`);
        const m = parsed.manifest;
        await copyBlob(store, blob(m.config.digest), m.config, what);
        hold(m.config.digest);
        parseConfig(await store.content.read(m.config.digest), what, m.layers.length);
        for (const l of m.layers) {
          await copyBlob(store, blob(l.digest), l, what);
          hold(l.digest);
        }
        out.push(await store.commit(desc.digest, [name], { index: indexDigest, what }));
        // A given name goes to the first usable entry (layouts often hold one per platform).
        if (opts.name) break;
      } catch (e) {
        if (!(e instanceof ImageError)) throw e;
        errors.push(e);
      }
    }
    if (out.length === 0) throw errors[0] ?? new ImageError('InvalidImage', what, 'no image imported');
    if (errors.length > 0 && errors.some((e) => e.reason !== 'PlatformNotFound')) throw errors.find((e) => e.reason !== 'PlatformNotFound')!;
    return out;
  });
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** The diffID of a layer file: its own digest, or that of its gunzipped content. */
async function diffIdOf(file: string): Promise<{ digest: string; diffID: string; size: number; gzip: boolean }> {
  const raw = newHash();
  let size = 0;
  let head = Buffer.alloc(0);
  await pipeline(createReadStream(file), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) {
      if (head.length < 2) head = Buffer.concat([head, c]).subarray(0, 2);
      raw.update(c);
      size += c.length;
    }
  });
  const digest = digestOf(raw);
  if (!isGzip(head)) return { digest, diffID: digest, size, gzip: false };
  const un = newHash();
  await pipeline(createReadStream(file), createGunzip(), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) un.update(c);
  });
  return { digest, diffID: digestOf(un), size, gzip: true };
}

async function importDockerSave(store: ImageStore, dir: string, what: string, opts: ImportOptions): Promise<StoredImage[]> {
  let entries: DockerSaveEntry[];
  try {
    entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DockerSaveEntry[];
    if (!Array.isArray(entries)) throw new Error('not a list');
  } catch (e) {
    throw new ImageError('ManifestInvalid', what, `docker save manifest.json is not a JSON list (${(e as Error).message})`);
  }
  if (entries.length === 0) throw new ImageError('InvalidImage', what, 'manifest.json lists no images');
  return store.withLease(async (hold) => {
    const out: StoredImage[] = [];
    for (const e of entries) {
      const inside = (p: unknown): string => {
        if (typeof p !== 'string' || p.includes('..')) throw new ImageError('InvalidImage', what, `manifest.json path ${JSON.stringify(p)} is not inside the archive`);
        return join(dir, p);
      };
      if (!Array.isArray(e.Layers)) throw new ImageError('InvalidImage', what, 'manifest.json entry has no Layers');
      const names = opts.name ? [opts.name] : (e.RepoTags ?? []);
      if (names.length === 0) throw new ImageError('InvalidImage', what, 'the archive names no image (RepoTags is empty); give one (--name NAME:TAG)');
      const normalized = names.map((n) => formatReference(parseReference(n)));
      let configBytes: Buffer;
      try {
        configBytes = await readFile(inside(e.Config));
      } catch (err) {
        if (err instanceof ImageError) throw err;
        throw new ImageError('BlobUnknown', what, `image config ${e.Config} is missing from the archive`);
      }
      const config = parseConfig(configBytes, what, e.Layers.length);
      const layers: Descriptor[] = [];
      for (const [i, l] of e.Layers.entries()) {
        const file = inside(l);
        if (!(await exists(file))) throw new ImageError('BlobUnknown', what, `layer ${l} is missing from the archive`);
        const { digest, diffID, size, gzip } = await diffIdOf(file);
        if (diffID !== config.rootfs.diff_ids[i]) throw new ImageError('DigestMismatch', what, `layer ${l} hashes to ${diffID}, the config says ${config.rootfs.diff_ids[i]}`);
        await copyBlob(store, file, { digest, size }, what);
        hold(digest);
        layers.push({ mediaType: gzip ? OCI_LAYER_GZIP : OCI_LAYER, digest, size });
      }
      const configDigest = await store.content.put(configBytes);
      hold(configDigest);
      const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length }, layers };
      const mdigest = await store.content.put(Buffer.from(JSON.stringify(manifest)));
      hold(mdigest);
      out.push(await store.commit(mdigest, normalized, { what }));
    }
    return out;
  });
}

async function importRootfs(store: ImageStore, dir: string, what: string, opts: ImportOptions): Promise<StoredImage> {
  if (!opts.name) throw new ImageError('InvalidImage', what, 'a root filesystem directory becomes an image only with a name (--name NAME:TAG)');
  const name = formatReference(parseReference(opts.name));
  return store.withLease(async (hold) => {
    const layer = await store.content.putStream(packDirectory(dir));
    hold(layer.digest);
    const hasSh = await exists(join(dir, 'bin', 'sh'));
    const created = new Date().toISOString();
    const config = {
      created,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...(hasSh ? { Cmd: ['/bin/sh'] } : {}) },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      history: [{ created, created_by: `skiff image import ${what}` }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = await store.content.put(configBytes);
    hold(configDigest);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
      layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size }],
    };
    const mdigest = await store.content.put(Buffer.from(JSON.stringify(manifest)));
    hold(mdigest);
    return store.commit(mdigest, [name], { what });
  });
}
