// Exporting images as an OCI image layout: a directory, or the same tree as a
// tar when the path ends in .tar. index.json names each image the way
// containerd does (`io.containerd.image.name` = full name,
// `org.opencontainers.image.ref.name` = tag), so skopeo/umoci `oci:DIR:TAG`
// and Skiff's own import both find it.

import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { hexOf } from './digest.ts';
import type { Descriptor, ImageIndex } from './mediatypes.ts';
import { OCI_INDEX } from './mediatypes.ts';
import { parseReference } from './reference.ts';
import type { ImageStore, StoredImage } from './store.ts';

export interface ExportOptions {
  /** Write a tar even when the path does not end in .tar. */
  tar?: boolean;
}

function indexOf(images: StoredImage[]): ImageIndex {
  const manifests: Descriptor[] = [];
  for (const img of images) {
    const desc = { mediaType: img.manifestMediaType, digest: img.manifestDigest, size: 0 };
    const tags = img.repoTags.length > 0 ? img.repoTags : [undefined];
    for (const t of tags) {
      const annotations: Record<string, string> = {};
      if (t) {
        annotations['io.containerd.image.name'] = t;
        annotations['org.opencontainers.image.ref.name'] = parseReference(t).tag ?? 'latest';
      }
      manifests.push({ ...desc, platform: { architecture: img.config.architecture, os: img.config.os }, ...(t ? { annotations } : {}) });
    }
  }
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
}

async function blobsOf(store: ImageStore, images: StoredImage[]): Promise<{ digest: string; size: number }[]> {
  const seen = new Map<string, number>();
  for (const img of images) {
    seen.set(img.manifestDigest, (await store.content.size(img.manifestDigest)) ?? 0);
    for (const d of [img.manifest.config, ...img.manifest.layers]) seen.set(d.digest, d.size);
  }
  return [...seen].map(([digest, size]) => ({ digest, size }));
}

export async function exportImage(store: ImageStore, images: StoredImage[], path: string, opts: ExportOptions = {}): Promise<void> {
  const index = indexOf(images);
  for (const m of index.manifests) m.size = (await store.content.size(m.digest)) ?? 0;
  const blobs = await blobsOf(store, images);
  const layout = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const indexBytes = Buffer.from(JSON.stringify(index));
  if (opts.tar || path.endsWith('.tar')) {
    const tmp = `${path}.tmp-${process.pid}`;
    const pack = tar.pack();
    const written = pipeline(pack, createWriteStream(tmp));
    const add = (name: string, body: Buffer) => new Promise<void>((res, rej) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body, (e) => (e ? rej(e) : res())));
    try {
      await add('oci-layout', layout);
      for (const d of ['blobs/', 'blobs/sha256/']) await new Promise<void>((res, rej) => pack.entry({ name: d, type: 'directory', mode: 0o755, mtime: new Date(0) }, (e) => (e ? rej(e) : res())));
      for (const b of blobs) {
        await new Promise<void>((res, rej) => {
          const e = pack.entry({ name: `blobs/sha256/${hexOf(b.digest)}`, size: b.size, mode: 0o644, mtime: new Date(0) }, (err) => (err ? rej(err) : res()));
          store.content.open(b.digest).then((s) => {
            s.on('error', rej);
            s.pipe(e);
          }, rej);
        });
      }
      await add('index.json', indexBytes);
      pack.finalize();
      await written;
      await rename(tmp, path);
    } catch (e) {
      pack.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
    return;
  }
  await mkdir(join(path, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(path, 'oci-layout'), layout);
  for (const b of blobs) {
    const dst = join(path, 'blobs', 'sha256', hexOf(b.digest));
    const have = await stat(dst).catch(() => null);
    if (have?.size === b.size) continue;
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(store.content.path(b.digest), dst);
  }
  const tmp = join(path, `.index.json.tmp-${process.pid}`);
  await writeFile(tmp, indexBytes);
  await rename(tmp, join(path, 'index.json'));
}
