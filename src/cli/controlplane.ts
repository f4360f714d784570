// The control plane as one process: store, cluster CA, tokens, API server
// (with access control, admission, metrics and the dashboard), kubeconfig,
// the controller manager, the scheduler and the image registry. `skiff
// server` runs it alone; `skiff up` runs it with a node (node.ts).

import { join } from 'node:path';
import { ensurePKI } from '../apiserver/auth/pki.ts';
import { TokenAuthenticator } from '../apiserver/auth/tokens.ts';
import { ensureServiceAccountKey } from '../apiserver/auth/satoken.ts';
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
import { ControlPlaneMonitoring } from '../metrics/controlplane.ts';
import { ensureMetricsClientCert } from '../metrics/certs.ts';
import { dashboardRoutes, DASHBOARD_PATH } from '../dashboard/routes.ts';
import { shareClusterSecrets } from '../apiserver/auth/clustersecrets.ts';
import { CACERTS_PATH, ensureNodeRBAC, JOIN_PATH, joinRoutes } from './join.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  datastore?: string;
  port: number;
  host?: string;
  /** More addresses the API server listens on, on the same port (the node's address, so pods reach it). */
  alsoListen?: string[];
  /** The address the `kubernetes` Service's endpoints name; the serving certificate covers it. */
  advertiseAddress?: string;
  log?: (line: string) => void;
  watchCacheHistory?: number;
  bookmarkIntervalMs?: number;
  /** Controllers to run (default: all of them). */
  controllers?: readonly ControllerName[];
  /** Run the scheduler (default true). */
  scheduler?: boolean;
  /** Controllers lead through a Lease, so several servers on one etcd never both run them (default false). */
  leaderElection?: boolean;
  /** Serve the cluster's image registry (plain HTTP) on this port of `registryHost` (absent: no registry). */
  registryPort?: number;
  registryHost?: string;
  /** node-monitor-grace-period of the node lifecycle controller (default 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** On etcd: the server token that seals the secrets the cluster's servers share (absent: the data dir's, or a new one). */
  token?: string;
  /**
   * Started once the API answers (and the registry, when there is one), beside the controllers and
   * the scheduler rather than after them: `skiff up` starts its node here. Its failure fails the start.
   */
  alongside?: (api: { client: Client; pkiDir: string; registry?: string }) => Promise<void>;
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
  /** /metrics, metrics.k8s.io and the registry other components record into. */
  monitoring: ControlPlaneMonitoring;
  /** On etcd: whether this server stored the cluster's shared secrets or adopted another server's. */
  sharedSecrets?: 'stored' | 'adopted';
  stop(): Promise<void>;
}

export const DEFAULT_API_PORT = 6443;

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const store = await openStore({ dataDir: o.dataDir, datastore: o.datastore });
  try {
    let sharedSecrets: ControlPlane['sharedSecrets'];
    if (store.backend === 'etcd') {
      // Servers on one etcd are one cluster: they share its CA, signing key and tokens.
      const pkiDir = join(o.dataDir, 'pki');
      const shared = await shareClusterSecrets({
        store,
        dataDir: o.dataDir,
        token: o.token,
        createLocal: () => {
          ensurePKI(pkiDir);
          ensureServiceAccountKey(pkiDir);
          TokenAuthenticator.open(join(o.dataDir, 'tokens.json'));
        },
      });
      sharedSecrets = shared.outcome;
    }
    const pki = ensurePKI(join(o.dataDir, 'pki'), o.advertiseAddress ? [o.advertiseAddress] : []);
    const tokens = TokenAuthenticator.open(join(o.dataDir, 'tokens.json'));
    // The API server's client certificate for node agents (logs, exec, attach, port-forward).
    const kubeletClient = ensureKubeletClientCert(join(o.dataDir, 'pki'));
    // Prometheus' certificate for scraping agents (docs/monitoring.md).
    ensureMetricsClientCert(join(o.dataDir, 'pki'));
    const monitoring = new ControlPlaneMonitoring({ store, kubelet: { ca: pki.caCert, ...kubeletClient }, log: o.log });
    // Joining agents (`skiff agent`, src/cli/join.ts) reach these routes before they have credentials.
    let adminClient: Client | undefined;
    const joining = joinRoutes({ client: () => adminClient, caCert: pki.caCert, pkiDir: join(o.dataDir, 'pki'), log: o.log });
    const server = new ApiServer({
      store,
      port: o.port,
      host: o.host ?? '127.0.0.1',
      alsoListen: o.alsoListen,
      advertiseAddress: o.advertiseAddress,
      tls: { cert: pki.cert, key: pki.key },
      authenticate: (h) => tokens.authenticate(h),
      // Client certificates from the cluster CA, ServiceAccount tokens, RBAC (docs/access.md).
      access: { clientCA: pki.caCert, serviceAccountKey: ensureServiceAccountKey(join(o.dataDir, 'pki')) },
      protobuf: (b) => decodeKubernetesProtobuf(b).object,
      routes: { ...openAPIRoutes(), ...monitoring.routes(), ...dashboardRoutes(), ...joining },
      publicRoutes: [DASHBOARD_PATH, CACERTS_PATH, JOIN_PATH],
      onResponse: monitoring.onResponse,
      log: o.log,
      watchCacheHistory: o.watchCacheHistory,
      bookmarkIntervalMs: o.bookmarkIntervalMs,
      kubelet: { ca: pki.caCert, ...kubeletClient },
    });
    const { url: listening } = await server.start();
    // Listening on every address (skiff up --nodes): local clients still use loopback.
    const url = listening.replace(/^https:\/\/(0\.0\.0\.0|\[::\]):/, 'https://127.0.0.1:');
    const kubeconfig = join(o.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, { server: url, caCert: pki.caCert, token: tokens.tokenFor('admin')! });
    // Controllers reach the API like any client would, so they can move to another process unchanged.
    const client = new Client({ server: url, ca: pki.caCert, token: tokens.tokenFor('admin')!, userAgent: 'skiff-controller-manager' });
    adminClient = client;
    // Once the API answers, the rest starts side by side: what `alongside` runs (a node), node RBAC,
    // monitoring, the registry, the controllers and the scheduler do not wait for each other.
    const controllers = new ControllerManager({ client, dataDir: o.dataDir, log: o.log, caCert: pki.caCert, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs }, [...(o.controllers ?? ALL_CONTROLLERS), 'serviceaccount'], { leaderElection: o.leaderElection ? {} : undefined });
    const schedulerClient = o.scheduler === false ? undefined : new Client({ server: url, ca: pki.caCert, token: tokens.tokenFor('admin')!, userAgent: 'skiff-scheduler' });
    const scheduler = schedulerClient && new Scheduler(schedulerClient, { log: o.log, leaderElection: {}, metrics: monitoring.scheduler });
    let registry: { server: Server; address: string } | undefined;
    const stopParts = async () => {
      await scheduler?.stop();
      schedulerClient?.close();
      if (registry) await new Promise<void>((r) => registry!.server.close(() => r()));
      await controllers.stop();
      await monitoring.stop();
      client.close();
      await server.stop();
    };
    const started = await Promise.allSettled([
      (async () => {
        if (o.registryPort !== undefined) registry = await startRegistry(join(o.dataDir, 'registry'), o.registryHost ?? '127.0.0.1', o.registryPort);
        await o.alongside?.({ client, pkiDir: join(o.dataDir, 'pki'), registry: registry?.address });
      })(),
      ensureNodeRBAC(client),
      monitoring.start(client),
      (async () => {
        // Pods are admitted only with their ServiceAccount: its controller always runs.
        await controllers.start();
        // Another server may lead (HA on etcd): wait briefly, then go on either way.
        if (o.leaderElection) await controllers.waitLeading(5000);
      })(),
      scheduler?.start(),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await stopParts().catch(() => undefined);
      throw failed.reason;
    }
    return {
      url,
      kubeconfig,
      store,
      server,
      pkiDir: join(o.dataDir, 'pki'),
      client,
      registry: registry?.address,
      monitoring,
      sharedSecrets,
      stop: async () => {
        await stopParts();
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
  // Served on every address (skiff up --nodes): this host's own clients use loopback.
  return { server, address: `${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound.port}` };
}
