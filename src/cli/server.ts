// `skiff server`: the control plane alone (API server, controllers,
// scheduler, registry), for machines whose nodes join with `skiff agent`.
// `skiff up` shares runForeground with it and adds a node.

import { isStoreError } from '../storage/store.ts';
import { ClusterSecretsError, SERVER_TOKEN_FILE } from '../apiserver/auth/clustersecrets.ts';
import { parseFlags, usageOf, UsageError, type FlagSpec } from './args.ts';
import { DEFAULT_API_PORT, startControlPlane } from './controlplane.ts';
import { defaultDataDir } from './datadir.ts';
import { formatChecks, realHost, runChecks } from './preflight.ts';
import { startNode, type RunningNode } from './node.ts';
import { parseTTL } from './token.ts';
import { ensureHostBridge, ensureServingCertCovers, HOST_ADDRESS, MAX_NODES, startExtraNodes, type ExtraNodes } from './cluster.ts';
import { join } from 'node:path';
import { nodeIP as detectNodeIP } from '../network/hostip.ts';
import { apiAddresses } from './apiaddress.ts';

export const controlPlaneFlags: FlagSpec = {
  'data-dir': { type: 'string', help: 'where the cluster keeps its state (default /var/lib/skiff as root, ~/.local/share/skiff otherwise)' },
  datastore: { type: 'string', help: 'sqlite (default), etcd://host:port[,host:port...], or memory' },
  port: { type: 'string', help: `API server port (default ${DEFAULT_API_PORT}; 0 picks a free one)` },
  host: { type: 'string', help: "the one address the API server listens on (default: 127.0.0.1 and the node's address, so pods reach it; 0.0.0.0 for every address)" },
  'advertise-address': { type: 'string', help: "the address the kubernetes Service's endpoints name, also listened on (default: the node's address)" },
  token: { type: 'string', help: "with an etcd datastore: the server token shared by the cluster's servers (default: made by the first server, kept in DATA-DIR/server-token)" },
  verbose: { type: 'boolean', help: 'log every API request' },
  'registry-port': { type: 'string', help: 'port of the cluster image registry on 127.0.0.1 (default 5000, or a free one with --port 0; "off" for none)' },
  'node-monitor-grace-period': { type: 'string', help: 'how long a node may miss heartbeats before it is NotReady: 40s, 2m (default 50s; env SKIFF_NODE_MONITOR_GRACE_PERIOD)' },
};

export interface ForegroundOptions {
  /** Also run a node (engine, agent, service proxy, DNS) in this process. */
  node?: boolean;
}

export async function runForeground(command: string, args: string[], spec: FlagSpec = controlPlaneFlags, fo: ForegroundOptions = {}): Promise<number> {
  const { flags } = parseFlags(args, spec, usageOf(`${command} [flags]`, spec));
  const dataDir = (flags['data-dir'] as string | undefined) ?? defaultDataDir();
  const port = flags.port === undefined ? DEFAULT_API_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${flags.port}"`);
  const nodes = flags.nodes === undefined ? 1 : Number(flags.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) throw new UsageError(`--nodes must be a number from 1 to ${MAX_NODES}, got "${flags.nodes}"`);
  const grace = (flags['node-monitor-grace-period'] as string | undefined) ?? process.env.SKIFF_NODE_MONITOR_GRACE_PERIOD;
  const graceMs = grace === undefined ? undefined : parseTTL(grace, '--node-monitor-grace-period') * 1000;
  if (graceMs === 0) throw new UsageError('--node-monitor-grace-period must be more than 0');
  const multi = fo.node === true && nodes > 1;
  // Loopback and the node's address (pods reach the API through the `kubernetes` Service, DNATed to it).
  const api = apiAddresses({ host: flags.host as string | undefined, advertiseAddress: flags['advertise-address'] as string | undefined, nodeIP: (flags['node-ip'] as string | undefined) ?? detectNodeIP(), allAddresses: multi });
  if (multi) {
    if (process.getuid?.() !== 0) {
      console.error(`skiff ${command}: --nodes needs root (network namespaces, veths, a bridge): run it with sudo`);
      return 1;
    }
    try {
      // Before the PKI is loaded, so the serving certificate covers the nodes' way in.
      ensureHostBridge();
      ensureServingCertCovers(join(dataDir, 'pki'), HOST_ADDRESS);
    } catch (e) {
      console.error(`skiff ${command}: the nodes' network: ${(e as Error).message}`);
      return 1;
    }
  }
  // Listen for Ctrl-C before anything can be announced: a signal that comes
  // while starting, or right as "ready" prints, must stop cleanly too.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (fo.node) {
    // A node needs root, cgroups, overlayfs and its binaries: say what is missing before starting anything.
    const failed = (await runChecks(realHost, { port })).filter((r) => r.level === 'fail');
    if (failed.length > 0) {
      console.error(`skiff ${command}: this machine cannot run a node yet:\n${formatChecks(failed)}\n(skiff doctor shows every check)`);
      return 1;
    }
  }
  const t0 = performance.now();
  let cp;
  let node: RunningNode | undefined;
  try {
    cp = await startControlPlane({
      dataDir,
      datastore: flags.datastore as string | undefined,
      port,
      // Extra nodes reach the API server and the registry through the host bridge.
      host: api.host,
      alsoListen: api.alsoListen,
      advertiseAddress: api.advertiseAddress,
      registryHost: multi ? '0.0.0.0' : undefined,
      nodeMonitorGracePeriodMs: graceMs,
      token: (flags.token as string | undefined) ?? process.env.SKIFF_TOKEN,
      log: flags.verbose ? (l) => console.log(`skiff: ${l}`) : undefined,
      // With --port 0 (tests, several clusters at once) the registry picks a free port too.
      leaderElection: true,
      registryPort: flags['registry-port'] === 'off' ? undefined : Number(flags['registry-port'] ?? (port === 0 ? 0 : 5000)),
      // The node starts as soon as the API answers, beside the controllers and the scheduler.
      alongside: fo.node
        ? async (api) => {
            try {
              node = await startNode({
                client: api.client,
                dataDir,
                pkiDir: api.pkiDir,
                nodeName: flags['node-name'] as string | undefined,
                nodeIP: flags['node-ip'] as string | undefined,
                defaultRegistry: api.registry,
                log: (l) => console.log(`skiff: ${l}`),
              });
            } catch (e) {
              throw new NodeStartError((e as Error).message);
            }
          }
        : undefined,
    });
  } catch (e) {
    // A node that started before another part failed goes too.
    await node?.stop().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof NodeStartError) {
      console.error(`skiff ${command}: the node could not start: ${e.message}`);
      return 1;
    }
    if (isStoreError(e) || e instanceof ClusterSecretsError || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || /openssl|^registry port/.test((e as Error).message)) {
      const msg =
        code === 'EADDRINUSE' ? `port ${port} is in use: stop what holds it or choose another with --port`
        : code === 'EADDRNOTAVAIL' ? `cannot listen on ${(e as { address?: string }).address}: not an address of this host (see --host, --advertise-address)`
        : (e as Error).message;
      console.error(`skiff ${command}: ${msg}`);
      return 1;
    }
    throw e;
  }
  let extra: ExtraNodes | undefined;
  if (multi && node) {
    try {
      extra = await startExtraNodes({
        count: nodes,
        dataDir,
        apiPort: Number(new URL(cp.url).port),
        client: cp.client,
        caCertPath: join(cp.pkiDir, 'ca.crt'),
        registryPort: cp.registry ? Number(cp.registry.split(':').pop()) : undefined,
        log: (l) => console.log(`skiff: ${l}`),
      });
    } catch (e) {
      console.error(`skiff ${command}: the extra nodes could not start: ${(e as Error).message}`);
      await node.stop();
      await cp.stop();
      return 1;
    }
  }
  console.log(`skiff: API server ready at ${cp.url} in ${(performance.now() - t0).toFixed(0)} ms (${cp.store.backend} store in ${dataDir})`);
  if (node) console.log(`skiff: node ${node.nodeName} (${node.nodeIP}) runs containers with runc`);
  if (extra) console.log(`skiff: nodes ${extra.names.join(', ')} join from their network namespaces (bridge skiff-nodes, ${HOST_ADDRESS}/24)`);
  if (cp.sharedSecrets === 'stored') console.log(`skiff: first server of this etcd: more servers join with --datastore ${flags.datastore as string} --token $(cat ${join(dataDir, SERVER_TOKEN_FILE)})`);
  if (cp.sharedSecrets === 'adopted') console.log('skiff: joined the servers of this etcd (shared CA, keys and tokens)');
  if (cp.registry) console.log(`skiff: image registry at ${cp.registry} (skiff build -t NAME:TAG --push .; image: NAME:TAG in a pod)`);
  console.log(`skiff: kubeconfig written to ${cp.kubeconfig}`);
  console.log(`skiff:   export KUBECONFIG=${cp.kubeconfig}   # then use kubectl as usual`);
  console.log('skiff: running in the foreground; Ctrl-C stops it.');
  await stopRequested;
  await extra?.stop();
  await node?.stop();
  await cp.stop();
  console.log('skiff: stopped cleanly.');
  // Work that no longer matters (a container's grace period the next start will finish) must not
  // hold the process: exit soon even if such work is still pending.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  return 0;
}

export const server = (args: string[]) => runForeground('server', args);

/** The node part of `skiff up` failed (the control plane is stopped again). */
class NodeStartError extends Error {}
