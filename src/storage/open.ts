// Chooses and opens the store a server runs on, from its --datastore value:
// absent or "sqlite" (the default, a file in the data dir), "etcd://h:p,h:p",
// or "memory" (nothing persists: for tests and throwaway clusters).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdStore, parseEtcdURL } from './etcd/etcd.ts';
import { MemoryStore } from './memory/memory.ts';
import { SqliteStore } from './sqlite/sqlite.ts';
import { StoreError, type Store } from './store.ts';

export const SQLITE_FILE = 'state.db';

export interface OpenStoreOptions {
  datastore?: string;
  dataDir: string;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const ds = opts.datastore ?? 'sqlite';
  if (ds === 'sqlite') {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    return new SqliteStore({ path: join(opts.dataDir, SQLITE_FILE) });
  }
  if (ds === 'memory') return new MemoryStore();
  if (ds.startsWith('etcd://')) {
    const store = new EtcdStore(parseEtcdURL(ds));
    try {
      await store.currentRevision();
    } catch (e) {
      await store.close();
      throw new StoreError('Unavailable', `cannot reach etcd at ${ds}: ${(e as Error).message}. Is etcd running there?`, { cause: e });
    }
    return store;
  }
  throw new StoreError('InvalidArgument', `unknown --datastore "${ds}": use sqlite (the default), etcd://host:port[,host:port...], or memory`);
}
