// An in-memory Store for unit tests of the layers above storage. It keeps the
// same append-only log as the sqlite backend, so it honours the same contract
// (history, compaction, watch replay); it just forgets everything on exit.

import {
  alreadyExists,
  compacted,
  conflict,
  notFound,
  prefixEnd,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../store.ts';
import { LocalWatchHub } from '../watchhub.ts';

interface Row {
  rev: number;
  key: string;
  value: string;
  createRevision: number;
  deleted: boolean;
  prev?: Row;
}

const kvOf = (r: Row): KeyValue => ({ key: r.key, value: r.value, createRevision: r.createRevision, modRevision: r.rev });

function eventOf(r: Row): WatchEvent {
  if (r.deleted) return { type: 'DELETED', kv: kvOf(r), prevKv: r.prev && kvOf(r.prev) };
  if (!r.prev) return { type: 'ADDED', kv: kvOf(r) };
  return { type: 'MODIFIED', kv: kvOf(r), prevKv: kvOf(r.prev) };
}

export interface MemoryStoreOptions {
  watchCapacity?: number;
}

export class MemoryStore implements Store {
  readonly backend = 'memory';
  private rev = 0;
  private compactedAt = 0;
  private log: Row[] = [];
  private readonly latest = new Map<string, Row>();
  private readonly hub: LocalWatchHub;
  private closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    this.hub = new LocalWatchHub(() => this.rev, opts.watchCapacity);
  }

  private live(key: string): Row | undefined {
    const r = this.latest.get(key);
    return r && !r.deleted ? r : undefined;
  }

  private append(row: Omit<Row, 'rev'>): Row {
    this.checkOpen();
    const r: Row = { ...row, rev: ++this.rev };
    this.log.push(r);
    this.latest.set(r.key, r);
    this.hub.publish(eventOf(r));
    return r;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store is closed');
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const r = this.live(key);
    return r && kvOf(r);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision || this.rev;
    if (revision < this.compactedAt) throw compacted(revision, this.compactedAt);
    if (revision > this.rev) throw new StoreError('InvalidArgument', `revision ${revision} is in the future (current ${this.rev})`);
    const end = prefixEnd(prefix);
    const from = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const inRange = (k: string) => k >= from && (end === undefined || k < end);
    let rows: Row[];
    if (revision === this.rev) {
      rows = [...this.latest.values()].filter((r) => !r.deleted && inRange(r.key));
    } else {
      const asOf = new Map<string, Row>();
      for (const r of this.log) {
        if (r.rev > revision) break;
        if (inRange(r.key)) asOf.set(r.key, r);
      }
      rows = [...asOf.values()].filter((r) => !r.deleted);
    }
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    return { items: rows.slice(0, limit).map(kvOf), revision, more: rows.length > limit };
  }

  async count(prefix: string): Promise<number> {
    return (await this.list(prefix)).items.length;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    if (this.live(key)) throw alreadyExists(key);
    const r = this.append({ key, value, createRevision: this.rev + 1, deleted: false });
    return kvOf(r);
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.live(key);
    if (!cur) throw notFound(key);
    if (cur.rev !== expectedRevision) throw conflict(key, kvOf(cur));
    return kvOf(this.append({ key, value, createRevision: cur.createRevision, deleted: false, prev: cur }));
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.live(key);
    if (!cur) throw notFound(key);
    if (expectedRevision !== undefined && cur.rev !== expectedRevision) throw conflict(key, kvOf(cur));
    return kvOf(this.append({ key, value: cur.value, createRevision: cur.createRevision, deleted: true, prev: cur }));
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.checkOpen();
    return this.hub.open(prefix, opts.sinceRevision, this.compactedAt, (p, since) => {
      const out: WatchEvent[] = [];
      for (const r of this.log) if (r.rev > since && r.key.startsWith(p)) out.push(eventOf(r));
      return out;
    });
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    return this.compactedAt;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision <= this.compactedAt) return;
    if (revision > this.rev) throw new StoreError('InvalidArgument', `cannot compact to ${revision}: current revision is ${this.rev}`);
    // Keep, for each key, the newest row at or below the compaction point
    // (unless it is a delete) and every row above it.
    const newestBelow = new Map<string, Row>();
    for (const r of this.log) if (r.rev <= revision) newestBelow.set(r.key, r);
    this.log = this.log.filter((r) => r.rev > revision || (newestBelow.get(r.key) === r && !r.deleted));
    // A kept row at or below the point is never replayed again: drop its link
    // so the superseded rows behind it can be collected.
    for (const r of this.log) if (r.rev <= revision) r.prev = undefined;
    this.compactedAt = revision;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.closeAll();
  }
}
