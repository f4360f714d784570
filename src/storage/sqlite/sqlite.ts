// The default store: one append-only log table in SQLite whose row id is the
// revision (the design k3s's kine proved). A key's current value is its newest
// row; a delete is a tombstone row carrying the last value; compaction removes
// rows that newer rows at or below the compaction point supersede.
//
// One process owns the file (locking_mode=EXCLUSIVE): every write therefore
// happens here, synchronously, so the in-memory revision counter and the
// watch hub are always exact and need no polling.

import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
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
import { WatchQueue } from '../watchqueue.ts';

const SCHEMA_NAME = 'skiff-store';
const SCHEMA_VERSION = '1';
const SQLITE_MAGIC = 'SQLite format 3\0';

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
  /** Revisions of history kept by background compaction (default 1000, as kine). */
  compactWindow?: number;
  /** How often background compaction runs; 0 disables it (default 5 min). */
  compactIntervalMs?: number;
  watchCapacity?: number;
}

type WriteKind = 'create' | 'update' | 'delete';

interface RowMeta {
  id: number;
  deleted: number;
  create_revision: number;
}

interface Row {
  id: number;
  key: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

interface EventRow extends Row {
  prev_value: string | null;
  prev_create_revision: number | null;
}

const kvOf = (r: Row): KeyValue => ({ key: r.key, value: r.value, createRevision: r.create_revision, modRevision: r.id });

function eventOf(r: EventRow): WatchEvent {
  const prevKv: KeyValue | undefined =
    r.prev_value === null ? undefined : { key: r.key, value: r.prev_value, createRevision: r.prev_create_revision!, modRevision: r.prev_revision };
  if (r.deleted) return { type: 'DELETED', kv: kvOf(r), prevKv };
  if (r.created) return { type: 'ADDED', kv: kvOf(r) };
  return { type: 'MODIFIED', kv: kvOf(r), prevKv };
}

/** Refuses, before SQLite touches it, a file that is not an SQLite database. */
function checkHeader(path: string): void {
  if (path === ':memory:' || !existsSync(path) || statSync(path).size === 0) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_MAGIC) {
      throw new StoreError(
        'Corrupt',
        `${path} is not a Skiff store: it is not an SQLite database. It was left untouched; move it away or point --data-dir elsewhere.`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** What an SQLite failure on an open store means to a caller: damage is Corrupt (and names the file), the rest Unavailable. */
function storeErrorOf(path: string, what: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new StoreError('Corrupt', `${path} is damaged (${(e as Error).message}) while ${what}; restore it from a backup`, { cause: e });
  }
  return new StoreError('Unavailable', `${what} failed on ${path}: ${(e as Error).message}`, { cause: e });
}

function wrapOpenError(path: string, e: unknown): never {
  if (e instanceof StoreError) throw e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    throw new StoreError('InUse', `${path} is in use by another Skiff process (the store allows one owner); stop it first`, { cause: e });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    throw new StoreError('Corrupt', `${path} is damaged (${(e as Error).message}). It was left untouched; restore it from a backup or move it away.`, {
      cause: e,
    });
  }
  throw new StoreError('Unavailable', `cannot open store ${path}: ${(e as Error).message}`, { cause: e });
}

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly hub: LocalWatchHub;
  private rev: number;
  private compactedAt: number;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly q: ReturnType<SqliteStore['prepare']>;
  private readonly writeTx: Database.Transaction<SqliteStore['checkedWrite']>;

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    checkHeader(opts.path);
    let db: Database.Database | undefined;
    try {
      db = new Database(opts.path, { timeout: 200 });
      // Take the exclusive lock before deciding anything about the contents.
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      this.checkOwnership(db);
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit is durable against a process crash (kill -9);
      // only an OS crash can lose the last transactions, as in kine and etcd's defaults.
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS skiff_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          key TEXT NOT NULL,
          created INTEGER NOT NULL,
          deleted INTEGER NOT NULL,
          create_revision INTEGER NOT NULL,
          prev_revision INTEGER NOT NULL,
          value TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
        INSERT OR IGNORE INTO skiff_meta (name, value) VALUES ('schema', '${SCHEMA_NAME}'), ('version', '${SCHEMA_VERSION}'), ('compact_revision', '0');
      `);
      this.db = db;
      this.q = this.prepare();
      this.writeTx = this.db.transaction(this.checkedWrite.bind(this));
      const seq = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).get() as { seq: number } | undefined;
      this.rev = seq?.seq ?? 0;
      this.compactedAt = Number((this.db.prepare(`SELECT value FROM skiff_meta WHERE name = 'compact_revision'`).get() as { value: string }).value);
    } catch (e) {
      // A failed open must not keep the exclusive lock: close before reporting.
      db?.close();
      wrapOpenError(opts.path, e);
    }
    this.hub = new LocalWatchHub(() => this.rev, opts.watchCapacity);
    const interval = opts.compactIntervalMs ?? 5 * 60_000;
    const window = opts.compactWindow ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        const target = this.rev - window;
        // A failed background pass (disk full, say) is retried at the next tick;
        // it must not take the process down.
        try {
          if (target > this.compactedAt) this.compactSync(target);
        } catch {}
      }, interval);
      this.timer.unref();
    }
  }

  /** A new file is ours to initialise; an existing one must carry our schema marker. */
  private checkOwnership(db: Database.Database): void {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    if (tables.length === 0) return;
    const hasMeta = tables.includes('skiff_meta');
    const schema = hasMeta ? (db.prepare(`SELECT value FROM skiff_meta WHERE name = 'schema'`).get() as { value: string } | undefined) : undefined;
    if (schema?.value !== SCHEMA_NAME) {
      throw new StoreError(
        'Corrupt',
        `${this.path} is an SQLite database that Skiff did not create (tables: ${tables.slice(0, 5).join(', ')}). It was left untouched; point --data-dir elsewhere.`,
      );
    }
    const version = db.prepare(`SELECT value FROM skiff_meta WHERE name = 'version'`).get() as { value: string } | undefined;
    if (version?.value !== SCHEMA_VERSION) {
      throw new StoreError('Corrupt', `${this.path} has store schema version ${version?.value}, this Skiff reads version ${SCHEMA_VERSION}`);
    }
  }

  private prepare() {
    const db = this.db;
    const cols = 'id, key, created, deleted, create_revision, prev_revision, value';
    return {
      latest: db.prepare(`SELECT ${cols} FROM log WHERE key = ? ORDER BY id DESC LIMIT 1`),
      // The write path's check reads no value: copying it into JS would cost more than the insert.
      latestMeta: db.prepare(`SELECT id, deleted, create_revision FROM log WHERE key = ? ORDER BY id DESC LIMIT 1`),
      valueAt: db.prepare(`SELECT value FROM log WHERE id = ?`).pluck(),
      insert: db.prepare(
        `INSERT INTO log (id, key, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // The newest row per key at or below a revision, in key order.
      listRange: db.prepare(`
        SELECT l.id, l.key, l.created, l.deleted, l.create_revision, l.prev_revision, l.value
        FROM log l JOIN (SELECT MAX(id) AS id FROM log WHERE key >= ? AND key < ? AND id <= ? GROUP BY key) m ON l.id = m.id
        WHERE l.deleted = 0 ORDER BY l.key LIMIT ?`),
      countRange: db.prepare(`
        SELECT COUNT(*) AS n FROM log l JOIN (SELECT MAX(id) AS id FROM log WHERE key >= ? AND key < ? GROUP BY key) m ON l.id = m.id
        WHERE l.deleted = 0`),
      events: db.prepare(`
        SELECT l.id, l.key, l.created, l.deleted, l.create_revision, l.prev_revision, l.value,
               p.value AS prev_value, p.create_revision AS prev_create_revision
        FROM log l LEFT JOIN log p ON p.id = l.prev_revision
        WHERE l.id > ? AND l.key >= ? AND l.key < ? ORDER BY l.id`),
      compact: db.prepare(`
        DELETE FROM log WHERE id <= @rev AND (
          deleted = 1 OR id < (SELECT MAX(l2.id) FROM log l2 WHERE l2.key = log.key AND l2.id <= @rev))`),
      setCompacted: db.prepare(`UPDATE skiff_meta SET value = ? WHERE name = 'compact_revision'`),
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', `store ${this.path} is closed`);
  }

  private live(key: string): Row | undefined {
    const r = this.q.latest.get(key) as Row | undefined;
    return r && !r.deleted ? r : undefined;
  }

  /** Appends one row in its own transaction and tells the watchers. */
  private append(key: string, value: string, kind: WriteKind, prev: RowMeta | undefined): Row {
    const id = this.rev + 1;
    const row: Row = {
      id,
      key,
      value,
      created: kind === 'create' ? 1 : 0,
      deleted: kind === 'delete' ? 1 : 0,
      create_revision: kind === 'create' ? id : prev!.create_revision,
      prev_revision: prev?.id ?? 0,
    };
    this.q.insert.run(row.id, row.key, row.created, row.deleted, row.create_revision, row.prev_revision, row.value);
    this.rev = id;
    return row;
  }

  private publish(row: Row, prev: RowMeta | undefined): void {
    const prevValue = prev ? (row.deleted ? row.value : (this.q.valueAt.get(prev.id) as string)) : null;
    this.hub.publish(eventOf({ ...row, prev_value: prevValue, prev_create_revision: prev?.create_revision ?? null }));
  }

  /**
   * Runs a check-then-write in one transaction (prepared once: building a
   * transaction wrapper per write costs more than the insert itself). The
   * watchers hear of the write only once it is committed.
   */
  private write(key: string, value: string | undefined, kind: WriteKind, expectedRevision?: number): Row {
    this.checkOpen();
    const before = this.rev;
    let result: { row: Row; prev: RowMeta | undefined };
    try {
      result = this.writeTx.immediate(key, value, kind, expectedRevision);
    } catch (e) {
      this.rev = before; // the transaction rolled back: its revision was never used
      throw storeErrorOf(this.path, `writing ${key}`, e);
    }
    if (this.hub.size > 0) this.publish(result.row, result.prev);
    return result.row;
  }

  private checkedWrite(key: string, value: string | undefined, kind: WriteKind, expectedRevision: number | undefined): { row: Row; prev: RowMeta | undefined } {
    const m = this.q.latestMeta.get(key) as RowMeta | undefined;
    const prev = m && !m.deleted ? m : undefined;
    if (kind === 'create') {
      if (prev) throw alreadyExists(key);
    } else {
      if (!prev) throw notFound(key);
      if (expectedRevision !== undefined && prev.id !== expectedRevision) throw conflict(key, kvOf(this.live(key)!));
    }
    return { row: this.append(key, kind === 'delete' ? (this.q.valueAt.get(prev!.id) as string) : value!, kind, prev), prev };
  }

  /** Runs a read, turning SQLite failures into StoreErrors that say what they mean. */
  private read<T>(what: string, fn: () => T): T {
    this.checkOpen();
    try {
      return fn();
    } catch (e) {
      throw storeErrorOf(this.path, what, e);
    }
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return this.read(`reading ${key}`, () => {
      const r = this.live(key);
      return r && kvOf(r);
    });
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision || this.rev;
    if (revision < this.compactedAt) throw compacted(revision, this.compactedAt);
    if (revision > this.rev) throw new StoreError('InvalidArgument', `revision ${revision} is in the future (current ${this.rev})`);
    const from = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const end = prefixEnd(prefix) ?? '\u{10ffff}';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.read(`listing ${prefix}`, () => this.q.listRange.all(from, end, revision, limit < 0 ? -1 : limit + 1) as Row[]);
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.pop();
    return { items: rows.map(kvOf), revision, more };
  }

  async count(prefix: string): Promise<number> {
    return this.read(`counting ${prefix}`, () => (this.q.countRange.get(prefix, prefixEnd(prefix) ?? '\u{10ffff}') as { n: number }).n);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return kvOf(this.write(key, value, 'create'));
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return kvOf(this.write(key, value, 'update', expectedRevision));
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return kvOf(this.write(key, undefined, 'delete', expectedRevision));
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.checkOpen();
    try {
      return this.hub.open(prefix, opts.sinceRevision, this.compactedAt, (p, since) =>
        (this.q.events.all(since, p, prefixEnd(p) ?? '\u{10ffff}') as EventRow[]).map(eventOf),
      );
    } catch (e) {
      // Like every other watch failure, this one arrives through the iterator.
      const failed = new WatchQueue();
      failed.fail(storeErrorOf(this.path, `replaying history under ${prefix}`, e));
      return failed;
    }
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    return this.compactedAt;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new StoreError('InvalidArgument', `cannot compact to ${revision}: current revision is ${this.rev}`);
    this.compactSync(revision);
  }

  private compactSync(revision: number): void {
    if (this.closed || revision <= this.compactedAt) return;
    this.db.transaction(() => {
      this.q.compact.run({ rev: revision });
      this.q.setCompacted.run(String(revision));
    })();
    this.compactedAt = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.hub.closeAll();
    this.db.close();
  }
}
