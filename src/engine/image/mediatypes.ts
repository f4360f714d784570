// OCI and Docker media types and the manifest shapes Skiff reads and writes.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const OCI_LAYER_NONDIST_GZIP = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_LAYER_FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** What a client asks a registry for, best first. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export function isIndexType(mt: string | undefined): boolean {
  return mt === OCI_INDEX || mt === DOCKER_LIST;
}

export function isManifestType(mt: string | undefined): boolean {
  return mt === OCI_MANIFEST || mt === DOCKER_MANIFEST;
}

export function isLayerType(mt: string): boolean {
  return (
    mt === OCI_LAYER || mt === OCI_LAYER_GZIP || mt === OCI_LAYER_ZSTD || mt === OCI_LAYER_NONDIST_GZIP || mt === DOCKER_LAYER_GZIP || mt === DOCKER_LAYER_FOREIGN || mt === 'application/vnd.docker.image.rootfs.diff.tar'
  );
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The platform every Skiff node runs. */
export const HOST_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
