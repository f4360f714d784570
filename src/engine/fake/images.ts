// Images of the fake engine: a set present on the "machine" and a set the
// "registry" can serve. Names are normalized as Docker does
// (`busybox` → `docker.io/library/busybox:latest`) so that a pod naming an
// image either way finds it.

import { createHash } from 'node:crypto';
import type { Image } from '../runtime.ts';

export interface FakeImage {
  name: string;
  /** Bytes; default a few MB derived from the name. */
  size?: number;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  user?: string;
  stopSignal?: string;
}

/** Docker's reference normalization: default registry docker.io, library/ for single names, tag latest. */
export function normalizeImageName(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  const lastSlash = name.lastIndexOf('/');
  if (!suffix && !name.slice(lastSlash + 1).includes(':')) name += ':latest';
  return name + suffix;
}

export class FakeImageStore {
  private readonly present = new Map<string, FakeImage>();
  private readonly registry = new Map<string, FakeImage>();

  constructor(present: (string | FakeImage)[] = [], registry: (string | FakeImage)[] = []) {
    for (const i of present) this.addPresent(i);
    for (const i of registry) this.addToRegistry(i);
  }

  addPresent(i: string | FakeImage): void {
    const img = typeof i === 'string' ? { name: i } : i;
    this.present.set(normalizeImageName(img.name), img);
  }

  addToRegistry(i: string | FakeImage): void {
    const img = typeof i === 'string' ? { name: i } : i;
    this.registry.set(normalizeImageName(img.name), img);
  }

  local(ref: string): FakeImage | undefined {
    const n = normalizeImageName(ref);
    const byName = this.present.get(n);
    if (byName) return byName;
    // By id.
    for (const img of this.present.values()) if (imageId(img) === ref) return img;
    return undefined;
  }

  remote(ref: string): FakeImage | undefined {
    return this.registry.get(normalizeImageName(ref));
  }

  remove(ref: string): boolean {
    return this.present.delete(normalizeImageName(ref));
  }

  list(): FakeImage[] {
    return [...this.present.values()];
  }
}

export function imageId(img: FakeImage): string {
  return 'sha256:' + createHash('sha256').update(`config:${normalizeImageName(img.name)}`).digest('hex');
}

export function imageSize(img: FakeImage): number {
  if (img.size !== undefined) return img.size;
  // A stable, plausible size per name (1-9 MB).
  const h = createHash('sha256').update(img.name).digest();
  return 1_000_000 + (h.readUInt32BE(0) % 8_000_000);
}

export function toImage(img: FakeImage): Image {
  const name = normalizeImageName(img.name);
  const repo = name.replace(/[:@][^/]*$/, '');
  const digest = 'sha256:' + createHash('sha256').update(`manifest:${name}`).digest('hex');
  return { id: imageId(img), repoTags: [name], repoDigests: [`${repo}@${digest}`], size: imageSize(img), user: img.user, stopSignal: img.stopSignal };
}
