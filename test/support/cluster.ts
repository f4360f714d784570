// A real control plane for integration tests: the same startControlPlane the
// `skiff server` command runs, on a temp data dir and a free port, with TLS,
// tokens and a kubeconfig that real clients use as is.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../src/cli/controlplane.ts';
import { CORE_CONTROLLERS, type ControllerName } from '../../src/controllers/manager.ts';

export interface TestCluster extends ControlPlane {
  dataDir: string;
}

/**
 * Runs the core controllers only unless told otherwise: most suites start the
 * controller they test themselves, with test timings.
 */
export async function startTestCluster(opts: { datastore?: string; watchCacheHistory?: number; bookmarkIntervalMs?: number; controllers?: readonly ControllerName[]; scheduler?: boolean } = {}): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-test-cluster-'));
  const cp = await startControlPlane({ dataDir, datastore: opts.datastore, port: 0, watchCacheHistory: opts.watchCacheHistory, bookmarkIntervalMs: opts.bookmarkIntervalMs, controllers: opts.controllers ?? CORE_CONTROLLERS, scheduler: opts.scheduler ?? false });
  return {
    ...cp,
    dataDir,
    stop: async () => {
      await cp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
