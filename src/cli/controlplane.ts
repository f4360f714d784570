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
}

export interface ControlPlane {
  url: string;
  kubeconfig: string;
  store: Store;
  server: ApiServer;
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
    return {
      url,
      kubeconfig,
      store,
      server,
      stop: async () => {
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
