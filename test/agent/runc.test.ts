// A real busybox pod through the agent on the runc engine (root only): the
// pod runs, logs in CRI format, restarts per policy, and a delete stops and
// removes its container; inside a real container, the projected
// ServiceAccount token, the service variables and the managed /etc/hosts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod, Secret } from 'kubernetes-types/core/v1.js';
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

  test('fsGroup: emptyDir (disk and Memory), secret, token and local PV handed to the group; without it the secret and the PV are denied', async () => {
    await client.resource<Secret>('v1', 'secrets').create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fsg' }, data: { key: Buffer.from('s3cret').toString('base64') } });
    const script = [
      'id',
      'echo x > /data/f && echo emptydir-write=ok',
      "stat -c 'emptydir=%g %a' /data",
      "stat -c 'newfile=%g' /data/f",
      "stat -c 'memory=%g %a' /mem",
      'echo x > /pv/f && echo pv-write=ok',
      'cat /secret/key > /dev/null && echo secret-read=ok',
      'cat /var/run/secrets/kubernetes.io/serviceaccount/token > /dev/null && echo token-read=ok',
      'echo end',
      'exec sleep 3600',
    ].join('; ');
    const run = async (name: string, fsGroup: number | undefined): Promise<string[]> => {
      // A local PV (root-owned 0755) bound to a claim by hand: no PV controller runs here.
      const path = join(dir, `pv-${name}`);
      mkdirSync(path, { mode: 0o755 });
      chmodSync(path, 0o755);
      await client.resource<PersistentVolume>('v1', 'persistentvolumes').create(undefined, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `pv-${name}` },
        spec: { capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], local: { path }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['runc-node'] }] }] } } },
      });
      const claims = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
      const claim = await claims.create('default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: `pv-${name}`, resources: { requests: { storage: '1Mi' } } } });
      await claims.updateStatus('default', { ...claim, status: { phase: 'Bound' } });
      await pods().create('default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          nodeName: 'runc-node',
          terminationGracePeriodSeconds: 1,
          securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup },
          containers: [
            {
              name: 'c',
              image: 'busybox',
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', script],
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'secret', mountPath: '/secret' },
                { name: 'pv', mountPath: '/pv' },
                { name: 'mem', mountPath: '/mem' },
              ],
            },
          ],
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'secret', secret: { secretName: 'fsg', defaultMode: 0o400 } },
            { name: 'pv', persistentVolumeClaim: { claimName: name } },
            { name: 'mem', emptyDir: { medium: 'Memory' } },
          ],
        },
      });
      const p = await waitFor(async () => {
        const p = await get(name);
        return p.status?.phase === 'Running' ? p : undefined;
      }, `${name} Running`, 20_000, 50);
      const cs = (await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }))[0]!;
      return waitFor(() => {
        const text = existsSync(cs.logPath) ? readFileSync(cs.logPath, 'utf8') : '';
        const out = text.split('\n').flatMap((l) => (l ? [l.split(' ').slice(3).join(' ')] : []));
        return out.includes('end') ? out : undefined;
      }, `the output of ${name}`, 10_000);
    };
    const [withGroup, without] = await Promise.all([run('fsg', 2000), run('nofsg', undefined)]);
    const all = `with fsGroup:\n${withGroup.join('\n')}\nwithout:\n${without.join('\n')}`;
    const id = withGroup.find((l) => l.startsWith('uid='));
    assert.match(id ?? '', /^uid=1000(\(\w+\))? gid=3000 groups=(.*,)?2000(,|$)/, all);
    for (const l of ['emptydir-write=ok', 'emptydir=2000 2777', 'newfile=2000', 'memory=2000 3777', 'pv-write=ok', 'secret-read=ok', 'token-read=ok']) assert.ok(withGroup.includes(l), `${l}\n${all}`);
    // Without fsGroup: emptyDir stays world-writable (as in Kubernetes) but new files keep the process' group,
    // the 0400 secret and the root-owned PV are out of reach.
    for (const l of ['emptydir-write=ok', 'emptydir=0 777', 'newfile=3000', 'memory=0 1777']) assert.ok(without.includes(l), `${l}\n${all}`);
    for (const l of ['pv-write=ok', 'secret-read=ok']) assert.ok(!without.includes(l), `${l}\n${all}`);
    assert.ok(without.some((l) => /\/pv\/f.*Permission denied/.test(l)), all);
    assert.ok(without.some((l) => /\/secret\/key.*Permission denied/.test(l)), all);
    for (const name of ['fsg', 'nofsg']) await pods().delete('default', name);
    await waitFor(async () => !(await pods().list('default')).items.some((x) => x.metadata?.name === 'fsg' || x.metadata?.name === 'nofsg'), 'fsg pods deleted', 20_000, 50);
  });
});
