// The DaemonSet, StatefulSet and local-path controllers for a test cluster,
// started through their own client (as the control plane would), so a test
// can stop them with the cluster.

import { Client } from '../../src/client/rest.ts';
import { DaemonSetController } from '../../src/controllers/daemonset/controller.ts';
import { LocalPathProvisioner } from '../../src/controllers/localpath/controller.ts';
import { StatefulSetController } from '../../src/controllers/statefulset/controller.ts';
import type { TestCluster } from './cluster.ts';

export interface AppsControllers {
  stop(): Promise<void>;
}

export async function startAppsControllers(cluster: TestCluster, log?: (line: string) => void): Promise<AppsControllers> {
  const client = Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'apps-controllers-test' });
  const controllers = [new DaemonSetController(client, { log }), new StatefulSetController(client, { log }), new LocalPathProvisioner(client, { dataDir: cluster.dataDir, log })];
  await Promise.all(controllers.map((c) => c.start()));
  return {
    stop: async () => {
      await Promise.all(controllers.map((c) => c.stop()));
      client.close();
    },
  };
}
