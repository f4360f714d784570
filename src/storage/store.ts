// The Store is the one seam every piece of cluster state passes through. It is
// a key-value log with a single global revision, shaped after etcd v3 because
// that is what Kubernetes' own storage layer assumes: every write gets the next
// revision, reads and watches can name a revision, and history before the
// compaction point is gone (callers see 410-style errors, never a silent gap).
//
// Values are opaque strings (the API layer stores JSON). Keys are plain
// strings; prefixes end in "/" by convention so "/a/b/" never matches "/a/bc".

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this incarnation of the key. */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  /** PROGRESS is sent only in answer to Watch.requestProgress(): every event
   *  up to kv.modRevision has been delivered before it (kv carries nothing else). */
  type: EventType | 'PROGRESS';
  /** The key's state after the event. For DELETED: the last value before the
   *  delete, with modRevision set to the revision of the delete itself. */
  kv: KeyValue;
  /** The state before the event (absent for ADDED). */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: the current one). */
  revision?: number;
  /** At most this many items; `more` tells whether there were others. */
  limit?: number;
  /** Start at this key (inclusive): how `continue` tokens resume. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list is consistent at. */
  revision: number;
  more: boolean;
}

export interface WatchOptions {
  /** Deliver every event with revision > sinceRevision, in order. */
  sinceRevision: number;
}

/**
 * A running watch. Events arrive in revision order through `next()`/async
 * iteration. A watch never drops an event silently: if the consumer falls too
 * far behind, or the requested history is compacted, iteration throws a
 * StoreError ('TooSlow' or 'Compacted') and the watch is closed.
 */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): void;
  /** Asks for a PROGRESS event, delivered in order after every event up to
   *  the revision it names: how a cache learns it is current even when
   *  nothing under its prefix changed (etcd's progress request). */
  requestProgress(): void;
  /** True once the watch was closed or has failed (a failure is still
   *  delivered, after the queued events, by the iterator). */
  readonly isClosed: boolean;
}

export interface Store {
  /** Which backend this is ("sqlite", "etcd", "memory"), for messages and metrics. */
  readonly backend: string;
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Creates the key; throws AlreadyExists if it is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces the value if the key's modRevision still equals expectedRevision;
   *  throws Conflict (carrying the current value) or NotFound otherwise. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Deletes the key, if expectedRevision is given only when it still matches.
   *  Returns the deleted value with modRevision = the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  watch(prefix: string, opts: WatchOptions): Watch;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable; history at or below it is gone. */
  compactRevision(): Promise<number>;
  /** Discards history up to and including `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export type StoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Compacted'
  | 'TooSlow'
  | 'Corrupt'
  | 'InUse'
  | 'Unavailable'
  | 'InvalidArgument'
  | 'Timeout';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly key?: string;
  /** For Conflict: what the key holds now, so a retry need not read again. */
  readonly current?: KeyValue;
  /** For Compacted: the store's compaction point. */
  readonly compactRevision?: number;

  constructor(
    code: StoreErrorCode,
    message: string,
    extra: { key?: string; current?: KeyValue; compactRevision?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'StoreError';
    this.code = code;
    this.key = extra.key;
    this.current = extra.current;
    this.compactRevision = extra.compactRevision;
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}

export const notFound = (key: string) => new StoreError('NotFound', `key not found: ${key}`, { key });
export const alreadyExists = (key: string) => new StoreError('AlreadyExists', `key already exists: ${key}`, { key });
export const conflict = (key: string, current: KeyValue) =>
  new StoreError('Conflict', `key ${key} was modified: expected an older revision, it is at ${current.modRevision}`, { key, current });
export const progressEvent = (revision: number): WatchEvent => ({
  type: 'PROGRESS',
  kv: { key: '', value: '', createRevision: 0, modRevision: revision },
});
export const compacted = (requested: number, compactRevision: number) =>
  new StoreError('Compacted', `revision ${requested} has been compacted (compacted up to ${compactRevision})`, { compactRevision });

/**
 * The exclusive upper bound of a prefix scan, etcd's rule: the prefix with its
 * last character incremented. Empty prefix: undefined, meaning no bound.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
