// The control plane as one process: store, cluster CA, tokens, API server,
// kubeconfig. `skiff server` runs it alone; `skiff up` runs it with the node
// parts as they are built.

import { join } from 'node:path';
import { ensurePKI } from '../apiserver/auth/pki.ts';
import { TokenAuthenticator } from '../apiserver/auth/tokens.ts';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { openAPIRoutes } from '../apiserver/openapi/routes.ts';
import { decodeKubernetesProtobuf } from '../apiserver/protobuf/decode.ts';
import { ApiServer } from '../apiserver/server.ts';
import { ensureKubeletClientCert } from '../apiserver/proxy/certs.ts';
import { openStore } from '../storage/open.ts';
import { Client } from '../client/rest.ts';
import { ALL_CONTROLLERS, ControllerManager, type ControllerName } from '../controllers/manager.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { createRegistryHandler } from '../engine/registry/server.ts';
import { createServer as createHTTPServer, type Server } from 'node:http';
import type { Store } from '../storage/store.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  datastore?: string;
  port: number;
  host?: string;
  log?: (line: string) => void;
  watchCacheHistory?: number;
  bookmarkIntervalMs?: number;
  /** Controllers to run (default: all of them). */
  controllers?: readonly ControllerName[];
  /** Run the scheduler (default true). */
  scheduler?: boolean;
  /** Serve the cluster's image registry (plain HTTP) on this port of `registryHost` (absent: no registry). */
  registryPort?: number;
  registryHost?: string;
}

export interface ControlPlane {
  url: string;
  kubeconfig: string;
  store: Store;
  server: ApiServer;
  /** The cluster CA and certificates. */
  pkiDir: string;
  /** An admin client (the controller manager's). */
  client: Client;
  /** `host:port` of the cluster registry, when it runs. */
  registry?: string;
  stop(): Promise<void>;
}

export const DEFAULT_API_PORT = 6443;

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const store = await openStore({ dataDir: o.dataDir, datastore: o.datastore });
  try {
    const pki = ensurePKI(join(o.dataDir, 'pki'));
    const tokens = TokenAuthenticator.open(join(o.dataDir, 'tokens.json'));
    // The API server's client certificate for node agents (logs, exec, attach, port-forward).
    const kubeletClient = ensureKubeletClientCert(join(o.dataDir, 'pki'));
    const server = new ApiServer({
      store,
      port: o.port,
      host: o.host ?? '127.0.0.1',
      tls: { cert: pki.cert, key: pki.key },
      authenticate: (h) => tokens.authenticate(h),
      protobuf: (b) => decodeKubernetesProtobuf(b).object,
      routes: openAPIRoutes(),
      log: o.log,
      watchCacheHistory: o.watchCacheHistory,
      bookmarkIntervalMs: o.bookmarkIntervalMs,
      kubelet: { ca: pki.caCert, ...kubeletClient },
    });
    const { url } = await server.start();
    const kubeconfig = join(o.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, { server: url, caCert: pki.caCert, token: tokens.tokenFor('admin')! });
    // Controllers reach the API like any client would, so they can move to another process unchanged.
    const client = new Client({ server: url, ca: pki.caCert, token: tokens.tokenFor('admin')!, userAgent: 'skiff-controller-manager' });
    const controllers = new ControllerManager({ client, dataDir: o.dataDir, log: o.log }, o.controllers ?? ALL_CONTROLLERS);
    await controllers.start();
    let registry: { server: Server; address: string } | undefined;
    if (o.registryPort !== undefined) registry = await startRegistry(join(o.dataDir, 'registry'), o.registryHost ?? '127.0.0.1', o.registryPort);
    const schedulerClient = o.scheduler === false ? undefined : new Client({ server: url, ca: pki.caCert, token: tokens.tokenFor('admin')!, userAgent: 'skiff-scheduler' });
    const scheduler = schedulerClient && new Scheduler(schedulerClient, { log: o.log, leaderElection: {} });
    await scheduler?.start();
    return {
      url,
      kubeconfig,
      store,
      server,
      pkiDir: join(o.dataDir, 'pki'),
      client,
      registry: registry?.address,
      stop: async () => {
        await scheduler?.stop();
        schedulerClient?.close();
        if (registry) await new Promise<void>((r) => registry!.server.close(() => r()));
        await controllers.stop();
        client.close();
        await server.stop();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The embedded OCI registry on its own plain-HTTP port (loopback by default, which clients treat as insecure-allowed as Docker does). */
async function startRegistry(root: string, host: string, port: number): Promise<{ server: Server; address: string }> {
  const handler = await createRegistryHandler({ root });
  const server = createHTTPServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'not a registry path' }] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new Error(`registry port ${host}:${port} is in use: choose another with --registry-port`) : e));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as { port: number };
  return { server, address: `${host}:${bound.port}` };
}
