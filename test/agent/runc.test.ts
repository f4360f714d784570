// A real busybox pod through the agent on the runc engine (root only): the
// pod runs, logs in CRI format, restarts per policy, and a delete stops and
// removes its container; inside a real container, the projected
// ServiceAccount token, the service variables and the managed /etc/hosts.

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

  test('inside the container: the ServiceAccount token, KUBERNETES_SERVICE_HOST and the managed /etc/hosts', async () => {
    await waitFor(async () => {
      try {
        return await pods().create('default', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'sa' },
          spec: {
            nodeName: 'runc-node',
            hostname: 'db-0',
            subdomain: 'db',
            terminationGracePeriodSeconds: 2,
            containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'echo "token=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"; echo "ns=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"; echo "ksh=$KUBERNETES_SERVICE_HOST"; grep db-0 /etc/hosts; echo end; exec sleep 3600'] }],
          },
        });
      } catch (e) {
        // The default ServiceAccount of a new cluster may not be there yet.
        if (/error looking up service account/.test((e as Error).message)) return undefined;
        throw e;
      }
    }, 'create sa');
    const p = await waitFor(async () => {
      const p = await get('sa');
      return p.status?.phase === 'Running' ? p : undefined;
    }, 'sa Running', 20_000, 50);
    const cs = (await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }))[0]!;
    const lines = await waitFor(() => {
      const text = existsSync(cs.logPath) ? readFileSync(cs.logPath, 'utf8') : '';
      const out = text.split('\n').flatMap((l) => (l ? [l.split(' ').slice(3).join(' ')] : []));
      return out.includes('end') ? out : undefined;
    }, `the container output (${existsSync(cs.logPath) ? readFileSync(cs.logPath, 'utf8') : 'no log'})`, 10_000);
    const token = lines.find((l) => l.startsWith('token='))!.slice('token='.length);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'sa', uid: p.metadata!.uid });
    assert.ok(lines.includes('ns=default'), lines.join('\n'));
    const kip = (await client.resource('v1', 'services').get('default', 'kubernetes')) as { spec?: { clusterIP?: string } };
    assert.ok(lines.includes(`ksh=${kip.spec!.clusterIP}`), lines.join('\n'));
    // The agent mounts its hosts file once the pod has an IP (an engine without pod networking gives none).
    const hostsLine = lines.find((l) => l.includes('db-0'));
    if (p.status?.podIP) assert.equal(hostsLine, `${p.status.podIP}\tdb-0.db.default.svc.cluster.local\tdb-0`);
    else assert.equal(hostsLine, undefined);
    await pods().delete('default', 'sa');
    await waitFor(async () => !(await pods().list('default')).items.some((x) => x.metadata?.name === 'sa'), 'sa deleted', 20_000, 50);
  });

  test('runAsNonRoot with an image that runs as root: CreateContainerConfigError with the kubelet\'s message', async () => {
    await pods().create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nonroot' },
      spec: { nodeName: 'runc-node', terminationGracePeriodSeconds: 1, securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
    });
    const waiting = await waitFor(async () => {
      const w = (await get('nonroot')).status?.containerStatuses?.[0]?.state?.waiting;
      return w && w.reason !== 'ContainerCreating' ? w : undefined;
    }, 'the container refused', 20_000, 50);
    assert.equal(waiting.reason, 'CreateContainerConfigError');
    assert.match(waiting.message ?? '', /container has runAsNonRoot and image will run as root/);
    await pods().delete('default', 'nonroot');
    await waitFor(async () => !(await pods().list('default')).items.some((x) => x.metadata?.name === 'nonroot'), 'nonroot deleted', 20_000, 50);
  });
});
