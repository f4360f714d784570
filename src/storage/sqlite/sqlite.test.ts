// SQLite-specific behaviour the shared contract suite (../testsuite/suite.ts)
// cannot cover: what the backend does with files it did not write or that are
// damaged, single ownership of the file, durability across a clean restart and
// across kill -9, and background compaction. Every test works in its own temp
// directory, removed afterwards.

import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import { StoreError, type StoreErrorCode, type WatchEvent } from '../store.ts';
import { take } from '../testsuite/suite.ts';
import { waitFor, within } from '../../../test/support/wait.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** A temp dir for one test; stores opened through it are closed, then the dir removed, when the test ends. */
function fixture(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
  const path = join(dir, 'store.db');
  const stores: SqliteStore[] = [];
  t.after(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    path,
    open(opts: Partial<SqliteStoreOptions> = {}): SqliteStore {
      const s = new SqliteStore({ path, compactIntervalMs: 0, ...opts });
      stores.push(s);
      return s;
    },
  };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Asserts `e` is a StoreError with this code (not a raw SqliteError or anything else), and returns it typed. */
function assertStoreError(e: unknown, code: StoreErrorCode): StoreError {
  assert.ok(
    e instanceof StoreError,
    `expected StoreError ${code}, got ${e instanceof Error ? `${e.name} (${(e as { code?: string }).code ?? 'no code'}): ${e.message}` : String(e)}`,
  );
  assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
  return e;
}

/** The error a synchronous call throws (failing if it does not throw). */
function thrown(fn: () => unknown, what: string): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail(`expected ${what} to throw`);
}

/** The error a promise rejects with (failing if it resolves). */
async function rejection(p: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await within(p, what);
  } catch (e) {
    return e;
  }
  assert.fail(`expected ${what} to fail`);
}

const brief = (e: WatchEvent) => `${e.type} ${e.kv.key}=${e.kv.value}`;

describe('SqliteStore: files it must not touch', () => {
  const notSqlite: [string, () => Buffer][] = [
    ['64 KiB of random bytes', () => randomBytes(64 * 1024)],
    ['a text file', () => Buffer.from('apiVersion: v1\nkind: Config\nclusters: []\n# someone pointed --data-dir at the wrong file\n'.repeat(20))],
    ['a text file shorter than the SQLite header', () => Buffer.from('hello\n')],
  ];
  for (const [what, content] of notSqlite) {
    test(`${what} at the store path is refused with Corrupt naming the path; its bytes are unchanged and no -wal/-shm appear`, (t) => {
      const f = fixture(t);
      writeFileSync(f.path, content());
      const before = sha256(f.path);
      const e = assertStoreError(thrown(() => f.open(), 'opening a non-SQLite file'), 'Corrupt');
      assert.ok(e.message.includes(f.path), `message names the path: ${e.message}`);
      assert.match(e.message, /left untouched/);
      assert.equal(sha256(f.path), before, 'the file is byte-for-byte what it was');
      assert.deepEqual(readdirSync(f.dir), ['store.db'], 'no -wal, -shm or -journal file was created beside it');
    });
  }

  test('a foreign SQLite database is refused with Corrupt listing its tables; bytes and journal mode unchanged', (t) => {
    const f = fixture(t);
    const db = new Database(f.path);
    db.exec(`
      CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));
      INSERT INTO users (name) VALUES ('ada'), ('grace');
    `);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
    db.close();
    const before = sha256(f.path);

    const e = assertStoreError(thrown(() => f.open(), 'opening a foreign SQLite database'), 'Corrupt');
    assert.ok(e.message.includes(f.path), `message names the path: ${e.message}`);
    assert.match(e.message, /\busers\b/, 'message lists the tables found');
    assert.match(e.message, /\borders\b/, 'message lists the tables found');
    assert.match(e.message, /left untouched/);

    assert.equal(sha256(f.path), before, 'the file is byte-for-byte what it was');
    assert.deepEqual(readdirSync(f.dir), ['store.db'], 'no -wal, -shm or -journal file was left beside it');
    const ro = new Database(f.path, { readonly: true });
    try {
      assert.equal(ro.pragma('journal_mode', { simple: true }), 'delete', 'not switched to WAL');
      assert.deepEqual(
        ro.prepare('SELECT name FROM users ORDER BY id').all().map((r) => (r as { name: string }).name),
        ['ada', 'grace'],
      );
      const tables = ro.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[];
      assert.deepEqual(tables.map((r) => r.name), ['orders', 'users'], 'no Skiff tables were added');
    } finally {
      ro.close();
    }
  });
});

describe('SqliteStore: damaged store files', () => {
  const PAGE = 4096; // SQLite's default page size, which the store does not change

  /** A real store of ~2000 keys × ~300 bytes, closed cleanly (everything checkpointed into the main file). */
  async function populatedStore(f: ReturnType<typeof fixture>): Promise<Map<string, string>> {
    const s = f.open();
    const data = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const key = `/r/items/k${String(i).padStart(5, '0')}`;
      const value = `${i}:` + 'payload-'.repeat(35 + (i % 10));
      await s.create(key, value);
      data.set(key, value);
    }
    await s.close();
    assert.ok(!existsSync(f.path + '-wal'), 'a clean close checkpoints the WAL into the main file');
    return data;
  }

  /** Deterministic garbage (xorshift), so a failure reproduces. */
  function garbage(n: number, seed = 0x9e3779b9): Buffer {
    const b = Buffer.alloc(n);
    let x = seed >>> 0;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      b[i] = x & 0xff;
    }
    return b;
  }

  test('garbage over data pages in the middle of a store is reported as Corrupt (at open or on read), never a raw SQLite error', async (t) => {
    const f = fixture(t);
    const data = await populatedStore(f);
    const size = statSync(f.path).size;
    assert.ok(size >= 100 * PAGE, `store is big enough to have a middle (${size} bytes)`);
    // Four whole pages from a page boundary in the middle: their b-tree page
    // headers become garbage, so SQLite can detect it (damage inside a cell's
    // value bytes would be undetectable without checksums).
    const start = Math.floor(size / 2 / PAGE) * PAGE;
    const buf = readFileSync(f.path);
    garbage(4 * PAGE).copy(buf, start);
    writeFileSync(f.path, buf);

    // Which of the two happens, today: opening SUCCEEDS. The constructor only
    // reads page 1 (schema), the small skiff_meta and sqlite_sequence tables;
    // nothing checks the log's pages, so the damage surfaces on the first read
    // that walks them. Either is acceptable, as long as it is a 'Corrupt'
    // StoreError.
    let s: SqliteStore;
    try {
      s = f.open();
    } catch (e) {
      const err = assertStoreError(e, 'Corrupt');
      assert.ok(err.message.includes(f.path), `message names the path: ${err.message}`);
      return;
    }

    // Every operation below must either succeed correctly or fail with a
    // 'Corrupt' StoreError naming the file. Outcomes are collected first so a
    // failure lists all offending operations, not just the first.
    const wrong: string[] = [];
    const isCorrupt = (e: unknown) => e instanceof StoreError && e.code === 'Corrupt' && e.message.includes(f.path);
    const describeError = (e: unknown) =>
      e instanceof Error ? `${e.name} (${(e as { code?: string }).code ?? 'no code'}): ${e.message}` : String(e);

    // Full scans must cross the damaged pages, so they must fail.
    for (const [what, op] of [
      ['list of the whole prefix', () => s.list('/r/items/')],
      ['count of the whole prefix', () => s.count('/r/items/')],
    ] as const) {
      const e = await rejection(op(), what);
      if (!isCorrupt(e)) wrong.push(`${what}: ${describeError(e)}`);
    }
    // A watch replaying the damaged history: Corrupt, thrown by watch() or delivered by the iterator.
    try {
      const w = s.watch('/r/items/', { sinceRevision: 0 });
      const e = await rejection(take(w, data.size), 'a watch replaying the whole history');
      if (!isCorrupt(e)) wrong.push(`watch replay: ${describeError(e)}`);
    } catch (e) {
      if (!isCorrupt(e)) wrong.push(`watch(): ${describeError(e)}`);
    }
    // Point reads: the right value, or Corrupt; never a wrong value.
    const damagedKeys: string[] = [];
    const rawGetErrors = new Map<string, number>();
    for (const [key, value] of data) {
      try {
        const kv = await s.get(key);
        if (kv?.value !== value) wrong.push(`get(${key}) returned a wrong value: ${JSON.stringify(kv)?.slice(0, 80)}`);
      } catch (e) {
        damagedKeys.push(key);
        if (!isCorrupt(e)) rawGetErrors.set(describeError(e), (rawGetErrors.get(describeError(e)) ?? 0) + 1);
      }
    }
    for (const [err, n] of rawGetErrors) wrong.push(`get (${n} of ${data.size} keys): ${err}`);
    assert.ok(damagedKeys.length > 0, 'some point reads cross the damaged pages');
    // A write whose read of the current row crosses the damage is Corrupt too, not a transient 'Unavailable'.
    const victim = damagedKeys[0]!;
    const we = await rejection(s.update(victim, 'new', [...data.keys()].indexOf(victim) + 1), `update(${victim})`);
    if (!isCorrupt(we)) wrong.push(`update(${victim}): ${describeError(we)}`);

    assert.deepEqual(wrong, [], 'every failure on a damaged store is a Corrupt StoreError naming the file');
  });

  test('a store whose first page (schema) is damaged is refused at open with Corrupt and left untouched', async (t) => {
    const f = fixture(t);
    await populatedStore(f);
    const buf = readFileSync(f.path);
    garbage(PAGE - 100, 42).copy(buf, 100); // keep the 100-byte file header, destroy the schema b-tree page
    writeFileSync(f.path, buf);
    const before = sha256(f.path);
    const e = assertStoreError(thrown(() => f.open(), 'opening a store with a damaged schema page'), 'Corrupt');
    assert.ok(e.message.includes(f.path), `message names the path: ${e.message}`);
    assert.match(e.message, /left untouched/);
    assert.equal(sha256(f.path), before);
    assert.deepEqual(readdirSync(f.dir), ['store.db']);
  });

  test('damage to a table read while opening (sqlite_sequence) is Corrupt, and the failed open releases the file', async (t) => {
    const f = fixture(t);
    await populatedStore(f);
    const db = new Database(f.path, { readonly: true });
    const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_sequence'`).get() as { rootpage: number };
    db.close();
    const buf = readFileSync(f.path);
    buf.fill(0xee, (rootpage - 1) * PAGE, rootpage * PAGE);
    writeFileSync(f.path, buf);
    const before = sha256(f.path);
    // Two attempts in one process: if the first leaked its connection (and with
    // it the exclusive lock), the second would blame "another Skiff process".
    const outcomes = ['first', 'second'].map((attempt) => {
      const e = thrown(() => f.open(), `the ${attempt} open of a store with a damaged sqlite_sequence page`);
      const name = e instanceof StoreError ? `StoreError ${e.code}` : `${(e as Error).name} ${(e as { code?: string }).code}`;
      return `${attempt}: ${name}${(e as Error).message.includes(f.path) ? '' : ' (message does not name the path)'}`;
    });
    assert.deepEqual(outcomes, ['first: StoreError Corrupt', 'second: StoreError Corrupt']);
    assert.equal(sha256(f.path), before, 'left untouched');
  });
});

describe('SqliteStore: one owner per file', () => {
  test('a second store on an open path fails with InUse; the first keeps working; after it closes the second opens', async (t) => {
    const f = fixture(t);
    const first = f.open();
    const a = await first.create('/r/a', '1');

    const e = assertStoreError(thrown(() => f.open(), 'opening a store that is already open'), 'InUse');
    assert.ok(e.message.includes(f.path), `message names the path: ${e.message}`);
    assert.match(e.message, /another Skiff process/);

    // The failed attempt took nothing from the owner.
    assert.equal((await first.get('/r/a'))?.value, '1');
    const a2 = await first.update('/r/a', '2', a.modRevision);
    const b = await first.create('/r/b', '1');
    const w = first.watch('/r/', { sinceRevision: a.modRevision });
    assert.deepEqual((await take(w, 2)).map(brief), ['MODIFIED /r/a=2', 'ADDED /r/b=1']);
    w.close();
    await first.close();

    const second = f.open();
    assert.deepEqual(await second.get('/r/a'), a2);
    assert.deepEqual(await second.get('/r/b'), b);
    assert.equal(await second.currentRevision(), b.modRevision);
  });
});

describe('SqliteStore: durability', () => {
  test('after close and reopen: same values, revision and compactRevision; the next write is revision+1; watches replay the same events', async (t) => {
    const f = fixture(t);
    let s = f.open();
    const a = await s.create('/r/a', 'a1');
    const b = await s.create('/r/b', 'b1');
    const c = await s.create('/r/c', 'c1');
    const a2 = await s.update('/r/a', 'a2', a.modRevision);
    await s.delete('/r/b', b.modRevision);
    const beforeCompact = await s.currentRevision();
    await s.create('/r/d', 'd1');
    const point = await s.currentRevision();
    await s.compact(point);
    // History after the compaction point, which must survive the restart.
    await s.update('/r/a', 'a3', (await s.get('/r/a'))!.modRevision);
    await s.delete('/r/c', c.modRevision);
    await s.create('/r/b', 'b2');
    const d2 = await s.update('/r/d', 'd2', (await s.get('/r/d'))!.modRevision);
    await s.create('/q/other', 'outside the prefix');

    const rev = await s.currentRevision();
    const compactRev = await s.compactRevision();
    assert.equal(compactRev, point);
    const listNow = await s.list('/r/');
    const listAtPoint = await s.list('/r/', { revision: point });
    const w = s.watch('/r/', { sinceRevision: point });
    const events = await take(w, 4);
    w.close();
    assert.deepEqual(events.map(brief), ['MODIFIED /r/a=a3', 'DELETED /r/c=c1', 'ADDED /r/b=b2', 'MODIFIED /r/d=d2']);
    await s.close();

    s = f.open();
    assert.equal(await s.currentRevision(), rev, 'revision counter restored');
    assert.equal(await s.compactRevision(), compactRev, 'compaction point restored');
    assert.deepEqual(await s.list('/r/'), listNow, 'current values identical');
    assert.deepEqual(await s.get('/r/d'), d2);
    assert.equal(await s.get('/r/c'), undefined, 'a delete stays deleted');
    assert.deepEqual(await s.list('/r/', { revision: point }), listAtPoint, 'history above the compaction point still readable');
    assert.deepEqual(
      (await s.list('/r/', { revision: point })).items.find((i) => i.key === '/r/a'),
      a2,
    );
    assertStoreError(await rejection(s.list('/r/', { revision: beforeCompact }), 'list below the compaction point'), 'Compacted');
    const wBelow = s.watch('/r/', { sinceRevision: beforeCompact });
    assertStoreError(await rejection(wBelow[Symbol.asyncIterator]().next(), 'watch below the compaction point'), 'Compacted');

    const w2 = s.watch('/r/', { sinceRevision: point });
    assert.deepEqual(await take(w2, 4), events, 'the same events, revisions and previous values as before the restart');
    const e = await s.create('/r/e', 'e1');
    assert.equal(e.modRevision, rev + 1, 'the next write continues the sequence');
    assert.deepEqual((await take(w2, 1)).map(brief), ['ADDED /r/e=e1'], 'and the replaying watch continues live');
    w2.close();
  });

  test('the revision counter survives reopen even when compaction removed the newest rows (a trailing delete)', async (t) => {
    const f = fixture(t);
    let s = f.open();
    const x = await s.create('/r/x', '1');
    await s.create('/r/y', '1');
    const del = await s.delete('/r/x', x.modRevision);
    await s.compact(del.modRevision); // removes the tombstone: no row with the newest revision remains
    await s.close();
    s = f.open();
    assert.equal(await s.currentRevision(), del.modRevision);
    assert.equal(await s.compactRevision(), del.modRevision);
    const next = await s.create('/r/x', '2');
    assert.equal(next.modRevision, del.modRevision + 1, 'a revision is never reused');
    assert.equal(next.createRevision, next.modRevision);
  });

  test('kill -9 of a writer mid-loop loses no acknowledged write and leaves a consistent revision counter', async (t) => {
    const f = fixture(t);
    const script = join(here, 'testdata', 'crash-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, f.path], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const acked: [string, string][] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      partial += chunk;
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        const sp = line.indexOf(' ');
        acked.push([line.slice(0, sp), line.slice(sp + 1)]);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const drained = new Promise<void>((resolve) => child.on('close', () => resolve()));

    await waitFor(() => acked.length >= 500 || child.exitCode !== null, 'the writer to acknowledge 500 creates', 8_000).catch((e: Error) => {
      throw new Error(`${e.message} (got ${acked.length} acks; writer stderr: ${stderr || 'empty'})`);
    });
    assert.equal(child.exitCode, null, `the writer must still be running when killed; it exited: ${stderr}`);
    child.kill('SIGKILL');
    assert.equal(await within(exited, 'the writer to die'), 'SIGKILL');
    await within(drained, 'the rest of the writer output'); // every complete line is an ack, even ones read after the kill
    assert.ok(acked.length >= 500);
    assert.ok(existsSync(f.path + '-wal'), 'the writer never closed the store: recovery goes through the WAL');

    const s = f.open();
    for (const [i, [key, value]] of acked.entries()) {
      const kv = await s.get(key);
      assert.ok(kv, `acknowledged key ${key} (#${i + 1} of ${acked.length}) survived`);
      assert.equal(kv.value, value, `${key} has the acknowledged value`);
      assert.equal(kv.modRevision, i + 1, `${key} kept its revision`);
    }
    // The writer commits then prints, one at a time: at most one commit can be unacknowledged.
    const stored = await s.count('/crash/');
    assert.ok(stored === acked.length || stored === acked.length + 1, `${stored} keys stored for ${acked.length} acknowledged`);
    const rev = await s.currentRevision();
    assert.ok(rev >= acked.length, `currentRevision ${rev} >= ${acked.length} acknowledged writes`);
    assert.equal(rev, stored, 'one revision per stored create, no gaps and none lost');
    const after = await s.create('/after-crash', 'ok');
    assert.equal(after.modRevision, rev + 1);
    assert.equal((await s.get('/after-crash'))?.value, 'ok');
  });
});

describe('SqliteStore: background compaction', () => {
  test('with compactIntervalMs 50 and compactWindow 10, history beyond the window is compacted away and current data is intact', async (t) => {
    const f = fixture(t);
    const s = f.open({ compactIntervalMs: 50, compactWindow: 10 });
    const stable = await s.create('/r/stable', 'never changes');
    let counter = await s.create('/r/counter', '0');
    for (let i = 1; i <= 100; i++) counter = await s.update('/r/counter', String(i), counter.modRevision);
    const cur = await s.currentRevision();
    assert.equal(cur, 102);

    const SLACK = 1; // tolerate an off-by-one in how "window" is counted
    const compactRev = await waitFor(
      async () => {
        const r = await s.compactRevision();
        return r >= cur - 10 - SLACK ? r : 0;
      },
      'background compaction to reach current - window',
      5_000,
    );
    assert.ok(compactRev <= cur - 10 + SLACK, `the last ~10 revisions are kept (compacted to ${compactRev}, current ${cur})`);

    for (const old of [1, 2, 50, compactRev - 1]) {
      const e = assertStoreError(await rejection(s.list('/r/', { revision: old }), `list at compacted revision ${old}`), 'Compacted');
      assert.equal(e.compactRevision, compactRev);
    }
    const w = s.watch('/r/', { sinceRevision: 1 });
    assertStoreError(await rejection(w[Symbol.asyncIterator]().next(), 'watch from a compacted revision'), 'Compacted');

    // Inside the window, history is still there.
    const inWindow = cur - 5;
    const then = await s.list('/r/', { revision: inWindow });
    assert.deepEqual(then.items.map((i) => `${i.key}=${i.value}`), [`/r/counter=${inWindow - 2}`, '/r/stable=never changes']);

    // Current state is intact, including the key last written long before the compaction point.
    assert.deepEqual(await s.get('/r/stable'), stable);
    assert.deepEqual(await s.get('/r/counter'), counter);
    assert.equal((await s.get('/r/counter'))!.createRevision, 2);
    assert.equal(await s.count('/r/'), 2);
    assert.equal(await s.currentRevision(), cur, 'compaction does not move the revision');

    // And the history really left the file: at or below the compaction point only the two live rows remain.
    await s.close();
    const db = new Database(f.path);
    try {
      const rows = db.prepare('SELECT COUNT(*) AS n FROM log WHERE id <= ?').get(compactRev) as { n: number };
      assert.equal(rows.n, 2);
    } finally {
      db.close();
    }
  });
});
