// `skiff up`: brings up a single-node cluster in the foreground. Today that is
// the cluster's state store; the API server, controllers, scheduler and node
// agent join this command as they are built (see docs/architecture.md).

import { openStore } from '../storage/open.ts';
import { isStoreError } from '../storage/store.ts';
import { parseFlags, usageOf, type FlagSpec } from './args.ts';
import { defaultDataDir } from './datadir.ts';

const spec: FlagSpec = {
  'data-dir': { type: 'string', help: 'where the cluster keeps its state (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)' },
  datastore: { type: 'string', help: 'sqlite (default), etcd://host:port[,host:port...], or memory' },
  once: { type: 'boolean', help: 'open the store, report and exit instead of staying in the foreground' },
};

export async function up(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, spec, usageOf('up [flags]', spec));
  const dataDir = (flags['data-dir'] as string | undefined) ?? defaultDataDir();
  const datastore = flags.datastore as string | undefined;
  const started = performance.now();
  let store;
  try {
    store = await openStore({ dataDir, datastore });
  } catch (e) {
    if (isStoreError(e)) {
      console.error(`skiff up: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const rev = await store.currentRevision();
  const ms = (performance.now() - started).toFixed(0);
  console.log(`skiff: store ready in ${ms} ms (${store.backend}, revision ${rev}) in ${dataDir}`);
  console.log('skiff: the API server, scheduler, controllers and node agent are not built yet; this cluster holds state only.');
  if (flags.once) {
    await store.close();
    return 0;
  }
  console.log('skiff: running in the foreground; Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await store.close();
  console.log('skiff: stopped cleanly.');
  return 0;
}
