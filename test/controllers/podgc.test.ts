// The pod garbage collector against a real API server, with a threshold of
// 2 finished pods, a 100 ms period and no orphan quarantine.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { setPodStatus } from '../support/batch.ts';
import { Client } from '../../src/client/rest.ts';
import { PodGCController } from '../../src/controllers/podgc/controller.ts';

describe('pod gc', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let client: Client;
  let gc: PodGCController;
  const logs: string[] = [];
  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
  });
  after(async () => {
    await gc?.stop();
    client?.close();
    await cluster?.stop();
  });

  const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
  const names = async () => ((await api('GET', '/api/v1/namespaces/default/pods')).body.items as any[]).map((p) => p.metadata.name).sort();

  test('finished pods beyond the threshold go oldest first; pods of a node that does not exist go; running pods stay', async () => {
    assert.equal((await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'real' } })).status, 201);
    for (const n of ['done-1', 'done-2', 'done-3', 'done-4']) {
      assert.equal((await api('POST', '/api/v1/namespaces/default/pods', pod(n, 'real'))).status, 201);
      await setPodStatus(api, 'default', n, { phase: n === 'done-2' ? 'Failed' : 'Succeeded' });
      // creationTimestamp has second resolution: space them so "oldest" is well defined.
      if (n !== 'done-4') await new Promise((r) => setTimeout(r, 1010));
    }
    assert.equal((await api('POST', '/api/v1/namespaces/default/pods', pod('running', 'real'))).status, 201);
    await setPodStatus(api, 'default', 'running', { phase: 'Running' });
    assert.equal((await api('POST', '/api/v1/namespaces/default/pods', pod('orphan', 'ghost'))).status, 201);
    await setPodStatus(api, 'default', 'orphan', { phase: 'Running' });
    gc = new PodGCController(client, { terminatedPodThreshold: 2, periodMs: 100, quarantineMs: 0, log: (l) => logs.push(l) });
    await gc.start();
    await waitFor(async () => (await names()).join() === 'done-3,done-4,running', 'done-1, done-2 and the orphan to be deleted', 10_000);
    assert.deepEqual(logs, []);
  });
});
