// The Snapshotter seam, after containerd's: snapshots are directories stacked
// by parent; the snapshotter returns the mounts that assemble one and never
// mounts anything itself (the caller does, into a bundle or a temp dir).
// Committed snapshots are read-only layers named by the caller (the image
// layers' chain IDs); active snapshots are writable (a container's rootfs, a
// layer being unpacked); views are read-only active snapshots.

export type SnapshotKind = 'active' | 'view' | 'committed';

/** A mount as mount(8) takes it: `mount -t TYPE -o OPTIONS SOURCE TARGET`. */
export interface SnapshotMount {
  type: string;
  source: string;
  options: string[];
}

export interface SnapshotInfo {
  /** The key (active, view) or name (committed). */
  name: string;
  parent?: string;
  kind: SnapshotKind;
  labels: Record<string, string>;
  created: number;
  updated: number;
}

export interface SnapshotUsage {
  /** Bytes used by this snapshot's own directory (not its parents). */
  size: number;
  inodes: number;
}

export interface Snapshotter {
  /** An active (writable) snapshot on top of committed `parent`; AlreadyExists if `key` is taken. */
  prepare(key: string, parent?: string, opts?: { labels?: Record<string, string> }): Promise<SnapshotMount[]>;
  /** A read-only view of committed `parent`. */
  view(key: string, parent?: string, opts?: { labels?: Record<string, string> }): Promise<SnapshotMount[]>;
  /** Turns active snapshot `key` into committed snapshot `name`; `key` is gone afterwards. */
  commit(name: string, key: string, opts?: { labels?: Record<string, string> }): Promise<void>;
  /** The mounts of an active snapshot or view. */
  mounts(key: string): Promise<SnapshotMount[]>;
  /** Removes a snapshot that no other snapshot has as its parent. */
  remove(key: string): Promise<void>;
  stat(key: string): Promise<SnapshotInfo>;
  list(): Promise<SnapshotInfo[]>;
  usage(key: string): Promise<SnapshotUsage>;
  /** The directory holding a snapshot's own files (an active snapshot's upper dir); where layers are applied. */
  dir(key: string): Promise<string>;
}

export type SnapshotErrorCode = 'NotFound' | 'AlreadyExists' | 'FailedPrecondition' | 'InvalidArgument';

export class SnapshotError extends Error {
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

export function isSnapshotError(e: unknown, code?: SnapshotErrorCode): e is SnapshotError {
  return e instanceof SnapshotError && (code === undefined || e.code === code);
}
