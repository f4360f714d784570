// `skiff server`: the control plane alone (API server now; controllers and
// scheduler join it as they are built), for machines whose nodes join with
// `skiff agent`. `skiff up` shares runForeground with it.

import { isStoreError } from '../storage/store.ts';
import { parseFlags, usageOf, UsageError, type FlagSpec } from './args.ts';
import { DEFAULT_API_PORT, startControlPlane } from './controlplane.ts';
import { defaultDataDir } from './datadir.ts';

export const controlPlaneFlags: FlagSpec = {
  'data-dir': { type: 'string', help: 'where the cluster keeps its state (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)' },
  datastore: { type: 'string', help: 'sqlite (default), etcd://host:port[,host:port...], or memory' },
  port: { type: 'string', help: `API server port (default ${DEFAULT_API_PORT}; 0 picks a free one)` },
  host: { type: 'string', help: 'address the API server listens on (default 127.0.0.1)' },
  verbose: { type: 'boolean', help: 'log every API request' },
};

export async function runForeground(command: string, args: string[], spec: FlagSpec = controlPlaneFlags): Promise<number> {
  const { flags } = parseFlags(args, spec, usageOf(`${command} [flags]`, spec));
  const dataDir = (flags['data-dir'] as string | undefined) ?? defaultDataDir();
  const port = flags.port === undefined ? DEFAULT_API_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${flags.port}"`);
  // Listen for Ctrl-C before anything can be announced: a signal that comes
  // while starting, or right as "ready" prints, must stop cleanly too.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const t0 = performance.now();
  let cp;
  try {
    cp = await startControlPlane({
      dataDir,
      datastore: flags.datastore as string | undefined,
      port,
      host: flags.host as string | undefined,
      log: flags.verbose ? (l) => console.log(`skiff: ${l}`) : undefined,
    });
  } catch (e) {
    if (isStoreError(e) || (e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /openssl/.test((e as Error).message)) {
      const msg = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${port} is in use: stop what holds it or choose another with --port` : (e as Error).message;
      console.error(`skiff ${command}: ${msg}`);
      return 1;
    }
    throw e;
  }
  console.log(`skiff: API server ready at ${cp.url} in ${(performance.now() - t0).toFixed(0)} ms (${cp.store.backend} store in ${dataDir})`);
  console.log(`skiff: kubeconfig written to ${cp.kubeconfig}`);
  console.log(`skiff:   export KUBECONFIG=${cp.kubeconfig}   # then use kubectl as usual`);
  console.log('skiff: running in the foreground; Ctrl-C stops it.');
  await stopRequested;
  await cp.stop();
  console.log('skiff: stopped cleanly.');
  return 0;
}

export const server = (args: string[]) => runForeground('server', args);
