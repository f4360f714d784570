// Child process for the kill -9 test in ../sqlite.test.ts: opens the store at
// argv[2] and creates keys as fast as it can, forever. A line "KEY VALUE" is
// printed only after `create` resolved, so every complete line the parent
// reads is a write the store acknowledged. The parent SIGKILLs us mid-loop.
//
// Run: node --import tsx src/storage/sqlite/testdata/crash-writer.ts DBPATH

import { writeSync } from 'node:fs';
import { SqliteStore } from '../sqlite.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: crash-writer.ts DBPATH\n');
  process.exit(2);
}

/**
 * Writes the line to fd 1 before returning. Not process.stdout.write: that may
 * queue the bytes in this process until the event loop runs, which a loop of
 * already-resolved awaits never lets happen, and a kill would discard them.
 */
function ack(line: string): void {
  const buf = Buffer.from(line);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e; // a non-blocking pipe that is full: retry
    }
  }
}

const store = new SqliteStore({ path, compactIntervalMs: 0 });
for (let i = 0; ; i++) {
  const key = `/crash/k${String(i).padStart(8, '0')}`;
  // A few hundred bytes, different for every key, so a misplaced or torn value shows.
  const value = `v${i}:` + 'abcdefghij'.repeat(10 + (i % 20));
  await store.create(key, value);
  ack(`${key} ${value}\n`);
}
