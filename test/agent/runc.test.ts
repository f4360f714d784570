// A real busybox pod through the agent on the runc engine (root only): the
// pod runs, logs in CRI format, restarts per policy, and a delete stops and
// removes its container.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Agent } from '../../src/agent/agent.ts';
import { Client } from '../../src/client/rest.ts';
import { RuncRuntime } from '../../src/engine/runc/runtime.ts';
import { busyboxImage, LocalImageService } from '../../src/engine/testsuite/localimages.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (runc)' : !existsSync('/usr/sbin/runc') || !existsSync('/usr/bin/conmon') ? 'needs runc and conmon' : !existsSync('/usr/bin/busybox') ? 'needs busybox-static' : false;

describe('agent on the runc engine', { skip }, () => {
  let cluster: TestCluster;
  let client: Client;
  let runtime: RuncRuntime;
  let agent: Agent;
  let dir: string;
  const pods = () => client.resource<Pod>('v1', 'pods');
  const get = (name: string) => pods().get('default', name);

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'skiff-agent-runc-'));
    const images = new LocalImageService();
    images.add(await busyboxImage());
    runtime = new RuncRuntime({ root: join(dir, 'engine'), images });
    agent = new Agent(client, runtime, { nodeName: 'runc-node', dataDir: join(dir, 'agent'), relistIntervalMs: 200, backoffInitialMs: 300, retryMs: 300 });
    await agent.start();
  });
  after(async () => {
    await agent?.stop();
    for (const s of (await runtime?.listPodSandboxes().catch(() => [])) ?? []) {
      await runtime.stopPodSandbox(s.id).catch(() => undefined);
      await runtime.removePodSandbox(s.id).catch(() => undefined);
    }
    await runtime?.close();
    client?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a busybox pod runs, logs, and is deleted with its container', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bb' },
      spec: { nodeName: 'runc-node', terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo hello from runc; exec sleep 3600'] }] },
    });
    const p = await waitFor(async () => {
      const p = await get('bb');
      return p.status?.phase === 'Running' ? p : undefined;
    }, 'bb Running', 20_000, 50);
    const { runtimeName } = await runtime.version();
    assert.ok(p.status!.containerStatuses![0]!.containerID!.startsWith(`${runtimeName}://`));
    const cs = (await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }))[0]!;
    await waitFor(() => existsSync(cs.logPath) && readFileSync(cs.logPath, 'utf8').includes('stdout F hello from runc'), 'the log line', 10_000);
    await pods().delete('default', 'bb');
    await waitFor(async () => (await pods().list('default')).items.length === 0, 'the pod deleted by the agent', 20_000, 50);
    assert.deepEqual(await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }), []);
  });
});
