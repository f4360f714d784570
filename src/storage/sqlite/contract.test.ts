import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.ts';
import { storeContract } from '../testsuite/suite.ts';

let dir = '';
let n = 0;
storeContract('sqlite', {
  setup: async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-contract-'));
  },
  teardown: async () => rmSync(dir, { recursive: true, force: true }),
  // A real file (not :memory:) so WAL, locking and the on-disk paths are what is tested.
  create: async (opts) => new SqliteStore({ path: join(dir, `store-${n++}.db`), compactIntervalMs: 0, ...opts }),
});
