// Parsing and checking manifests, indexes and image configs as they arrive
// (from a registry or an import): each failure is an ImageError that names
// the image and says what is wrong with which document.

import { checkDigest } from './digest.ts';
import { ImageError } from './errors.ts';
import type { OciImageConfig } from '../images.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  HOST_PLATFORM,
  isIndexType,
  isLayerType,
  isManifestType,
  OCI_INDEX,
  OCI_MANIFEST,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './mediatypes.ts';

export type ParsedManifest = { kind: 'index'; mediaType: string; index: ImageIndex } | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

function parseJSON(bytes: Buffer, what: string, doc: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ImageError('ManifestInvalid', what, `${doc} is not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ImageError('ManifestInvalid', what, `${doc} is not a JSON object`);
  return v as Record<string, unknown>;
}

export function checkDescriptor(d: unknown, what: string, where: string): Descriptor {
  if (typeof d !== 'object' || d === null) throw new ImageError('ManifestInvalid', what, `${where} is not a descriptor`);
  const o = d as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || o.mediaType === '') throw new ImageError('ManifestInvalid', what, `${where} has no mediaType`);
  checkDigest(o.digest, `${what} (${where})`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw new ImageError('ManifestInvalid', what, `${where} has no valid size`);
  return o as unknown as Descriptor;
}

/** Parses a manifest or index; `contentType` is the registry's Content-Type when there was one. */
export function parseManifest(bytes: Buffer, what: string, contentType?: string): ParsedManifest {
  const o = parseJSON(bytes, what, 'manifest');
  const declared = typeof o.mediaType === 'string' ? o.mediaType : undefined;
  if (o.schemaVersion === 1 || contentType === DOCKER_SCHEMA1 || contentType === DOCKER_SCHEMA1_SIGNED) {
    throw new ImageError('ManifestInvalid', what, 'Docker schema 1 manifests are not supported (push the image again with a current client)');
  }
  if (o.schemaVersion !== 2) throw new ImageError('ManifestInvalid', what, `manifest schemaVersion is ${JSON.stringify(o.schemaVersion)}, want 2`);
  const mt = declared ?? (contentType && (isIndexType(contentType) || isManifestType(contentType)) ? contentType : undefined);
  if (isIndexType(mt) || (mt === undefined && Array.isArray(o.manifests))) {
    if (!Array.isArray(o.manifests)) throw new ImageError('ManifestInvalid', what, 'index has no manifests list');
    o.manifests.forEach((d, i) => checkDescriptor(d, what, `index manifests[${i}]`));
    return { kind: 'index', mediaType: mt ?? OCI_INDEX, index: o as unknown as ImageIndex };
  }
  if (isManifestType(mt) || (mt === undefined && o.config !== undefined)) {
    const config = checkDescriptor(o.config, what, 'manifest config');
    if (!Array.isArray(o.layers)) throw new ImageError('ManifestInvalid', what, 'manifest has no layers list');
    o.layers.forEach((d, i) => {
      const l = checkDescriptor(d, what, `manifest layers[${i}]`);
      if (!isLayerType(l.mediaType)) throw new ImageError('ManifestInvalid', what, `manifest layers[${i}] has media type ${l.mediaType}, which is not an image layer`);
    });
    void config;
    return { kind: 'manifest', mediaType: mt ?? (declared === DOCKER_MANIFEST ? DOCKER_MANIFEST : OCI_MANIFEST), manifest: o as unknown as ImageManifest };
  }
  throw new ImageError('ManifestInvalid', what, `unsupported manifest media type ${JSON.stringify(mt ?? contentType ?? '(none)')}`);
}

export function platformString(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return `${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}`;
}

/** The index entry for linux/amd64; a clear error listing what the index does have otherwise. */
export function selectPlatform(index: ImageIndex, what: string, want: Platform = HOST_PLATFORM): Descriptor {
  const entries = index.manifests.filter((d) => isManifestType(d.mediaType) || d.mediaType === undefined);
  const match = entries.filter((d) => d.platform?.os === want.os && d.platform?.architecture === want.architecture);
  // Prefer an entry with no variant or the expected one.
  const best = match.find((d) => !d.platform?.variant || d.platform.variant === want.variant) ?? match[0];
  if (best) return best;
  // An index whose single manifest has no platform (OCI layouts often look like this) is taken as is.
  if (entries.length === 1 && !entries[0]!.platform) return entries[0]!;
  const have = [...new Set(index.manifests.map((d) => platformString(d.platform)))].join(', ') || 'no manifests';
  throw new ImageError('PlatformNotFound', what, `no image for ${platformString(want)} in the index (it has ${have})`);
}

/** Parses an image config and checks it matches the manifest's layers and this platform. */
export function parseConfig(bytes: Buffer, what: string, layerCount: number, want: Platform = HOST_PLATFORM): OciImageConfig {
  const o = parseJSON(bytes, what, 'image config');
  const rootfs = o.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (!rootfs || !Array.isArray(rootfs.diff_ids)) throw new ImageError('ManifestInvalid', what, 'image config has no rootfs.diff_ids');
  rootfs.diff_ids.forEach((d, i) => checkDigest(d, `${what} (config rootfs.diff_ids[${i}])`));
  if (rootfs.diff_ids.length !== layerCount) {
    throw new ImageError('ManifestInvalid', what, `image config lists ${rootfs.diff_ids.length} diff_ids but the manifest has ${layerCount} layers`);
  }
  const os = typeof o.os === 'string' ? o.os : '';
  const arch = typeof o.architecture === 'string' ? o.architecture : '';
  if (os !== want.os || arch !== want.architecture) {
    throw new ImageError('PlatformNotFound', what, `image is for ${os || '?'}/${arch || '?'}, this node runs ${platformString(want)}`);
  }
  return o as unknown as OciImageConfig;
}
