// The image seam inside the engine: what the container side (snapshotter,
// runc runtime, builder) needs from the image side (content store, registry
// client). src/engine/image/ implements it; the runtime takes one.

import type { Readable } from 'node:stream';
import type { AuthConfig } from './runtime.ts';

/** The OCI image configuration (application/vnd.oci.image.config.v1+json), the fields Skiff reads. */
export interface OciImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
    Shell?: string[];
    OnBuild?: string[] | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }[];
}

export interface LayerRef {
  /** Digest of the uncompressed tar (rootfs.diff_ids[i]); the snapshotter keys layers by it. */
  diffID: string;
  /** Digest of the blob as stored and transferred. */
  digest: string;
  mediaType: string;
  size: number;
  /** The blob as stored (compressed as its media type says). */
  open(): Promise<Readable>;
}

export interface LocalImage {
  /** Image id: the digest of the config blob (`sha256:...`). */
  id: string;
  /** Digest of the manifest (platform-specific) this image was resolved through. */
  manifestDigest: string;
  /** Normalized names that point at it (`docker.io/library/busybox:latest`). */
  repoTags: string[];
  /** `name@sha256:...` for each repository it was pulled from or pushed to. */
  repoDigests: string[];
  config: OciImageConfig;
  layers: LayerRef[];
  /** Sum of layer blob sizes plus config. */
  size: number;
}

export interface PullOptions {
  auth?: AuthConfig;
  /** Called as bytes of each layer arrive (for a progress display). */
  onProgress?: (p: { digest: string; done: number; total: number }) => void;
}

export interface ImageService {
  /** A local image by name (`busybox`, `busybox:1`, `reg:5000/app@sha256:...`) or id; null when absent. */
  resolve(ref: string): Promise<LocalImage | null>;
  /** Fetches the image (platform linux/amd64 from an index) into the local store and names it. */
  pull(ref: string, opts?: PullOptions): Promise<LocalImage>;
  list(): Promise<LocalImage[]>;
  /** Removes a name; the image's blobs go with the last name (garbage collection). */
  remove(ref: string): Promise<void>;
}
