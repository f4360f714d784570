// A test-only ImageService holding images built in memory: layers are plain
// tars made with tar-stream from entry lists, so tests can make a static
// busybox image without a registry and multi-layer images with whiteouts.
// The real content store (src/engine/image/) replaces it outside tests.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ImageService, LayerRef, LocalImage, OciImageConfig } from '../images.ts';

export type LayerEntry =
  | { path: string; type: 'file'; content?: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { path: string; type: 'directory'; mode?: number; uid?: number; gid?: number; xattrs?: Record<string, string> }
  | { path: string; type: 'symlink' | 'link'; linkname: string };

export const BUSYBOX = '/usr/bin/busybox';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Builds an uncompressed layer tar from entries, in order. */
export async function layerTar(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  const mtime = new Date(0);
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') {
        const body = typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
        pack.entry({ name: e.path, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime }, body, cb);
      } else if (e.type === 'directory') {
        const pax = e.xattrs ? Object.fromEntries(Object.entries(e.xattrs).map(([k, v]) => [`SCHILY.xattr.${k}`, v])) : undefined;
        const header = { name: e.path, type: 'directory' as const, mode: e.mode ?? 0o755, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime, ...(pax ? { pax } : {}) };
        pack.entry(header, cb);
      } else {
        pack.entry({ name: e.path, type: e.type, linkname: e.linkname, mode: 0o777, mtime }, cb);
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The entries of a busybox root filesystem: the static binary, an applet symlink per command, /etc files. */
export function busyboxEntries(): LayerEntry[] {
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  const entries: LayerEntry[] = [];
  for (const d of ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root', 'home', 'home/app', 'var', 'usr', 'usr/bin']) {
    entries.push({ path: d, type: 'directory', mode: d === 'tmp' ? 0o1777 : 0o755, uid: d === 'home/app' ? 1000 : 0, gid: d === 'home/app' ? 1000 : 0 });
  }
  entries.push({ path: 'bin/busybox', type: 'file', content: readFileSync(BUSYBOX), mode: 0o755 });
  for (const a of applets) entries.push({ path: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  entries.push({ path: 'usr/bin/env', type: 'symlink', linkname: '/bin/busybox' });
  entries.push({ path: 'etc/passwd', type: 'file', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' });
  entries.push({ path: 'etc/group', type: 'file', content: 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n' });
  return entries;
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Makes a LocalImage from layer tars and config fields (architecture linux/amd64). */
export function makeImage(name: string, layers: Buffer[], config: OciImageConfig['config'] = {}): LocalImage {
  const refs: LayerRef[] = layers.map((blob) => ({
    diffID: sha256(blob),
    digest: sha256(blob),
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    size: blob.length,
    open: async () => Readable.from([blob]),
  }));
  const cfg: OciImageConfig = { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: refs.map((l) => l.diffID) } };
  const cfgBlob = JSON.stringify(cfg);
  const id = sha256(cfgBlob);
  return {
    id,
    manifestDigest: sha256(`manifest:${id}`),
    repoTags: [normalize(name)],
    repoDigests: [],
    config: cfg,
    layers: refs,
    size: layers.reduce((n, b) => n + b.length, cfgBlob.length),
  };
}

/** Docker-style name normalization, enough for tests: `busybox` → `docker.io/library/busybox:latest`. */
export function normalize(ref: string): string {
  let name = ref;
  if (!name.includes('@') && !/:[^/]+$/.test(name)) name += ':latest';
  const first = name.split('/')[0]!;
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  return name;
}

/** An in-memory ImageService: `pull` of a name it does not hold fails as an unreachable registry would. */
export class LocalImageService implements ImageService {
  private readonly images = new Map<string, LocalImage>();

  add(image: LocalImage): LocalImage {
    for (const t of image.repoTags) this.images.set(t, image);
    return image;
  }

  async resolve(ref: string): Promise<LocalImage | null> {
    if (ref.startsWith('sha256:')) return [...this.images.values()].find((i) => i.id === ref) ?? null;
    return this.images.get(normalize(ref)) ?? null;
  }

  async pull(ref: string): Promise<LocalImage> {
    const img = await this.resolve(ref);
    if (!img) throw new Error(`pull ${ref}: no registry in the local test image service holds it`);
    return img;
  }

  async list(): Promise<LocalImage[]> {
    return [...new Set(this.images.values())];
  }

  async remove(ref: string): Promise<void> {
    this.images.delete(normalize(ref));
  }
}

let busybox: Promise<LocalImage> | undefined;

/** The static busybox image (`busybox:latest`, CMD ["sh"]), built once per process. */
export function busyboxImage(): Promise<LocalImage> {
  busybox ??= layerTar(busyboxEntries()).then((t) => makeImage('busybox', [t], { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['sh'] }));
  return busybox;
}
