// Volumes and env through the agent: configMap, secret, downwardAPI,
// projected and emptyDir contents on disk (with the ..data layout and
// updates), hostPath type checks, missing objects (FailedMount,
// CreateContainerConfigError), env resolution and $(VAR) expansion.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { createPod, podEvents, podSpec, running, startAgentEnv, waitPod, type AgentEnv } from './support.ts';
import { waitFor } from '../support/wait.ts';

describe('agent: volumes and env', () => {
  let env: AgentEnv;
  const cm = () => env.client.resource<ConfigMap>('v1', 'configmaps');
  const secrets = () => env.client.resource<Secret>('v1', 'secrets');
  const container = async (p: Pod, name: string) => {
    const all = await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid!, 'io.kubernetes.container.name': name } });
    return env.runtime.containerConfig(all.sort((a, b) => b.createdAt - a.createdAt)[0]!.id);
  };
  const volDir = (p: Pod, plugin: string, name: string) => join(env.dataDir, 'pods', p.metadata!.uid!, 'volumes', `kubernetes.io~${plugin}`, name);

  before(async () => {
    env = await startAgentEnv();
    await cm().create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { 'app.conf': 'mode=prod\n', greeting: 'hello'} });
    await secrets().create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64'), user: Buffer.from('admin').toString('base64') } });
  });
  after(async () => {
    await env?.stop();
  });

  test('configMap, secret, downwardAPI, projected and emptyDir volumes: files on disk, mounts, updates', async () => {
    await createPod(
      env,
      podSpec(
        'vols',
        {
          volumes: [
            { name: 'config', configMap: { name: 'app-config', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
            { name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } },
            { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }] } },
            { name: 'all', projected: { sources: [{ configMap: { name: 'app-config', items: [{ key: 'greeting', path: 'greeting' }] } }, { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } }] } },
            { name: 'scratch', emptyDir: {} },
            { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          ],
          containers: [
            {
              name: 'c',
              image: 'busybox:1.36',
              command: ['sleep', 'infinity'],
              resources: { limits: { memory: '128Mi' } },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/app' },
                { name: 'creds', mountPath: '/etc/creds' },
                { name: 'info', mountPath: '/etc/info' },
                { name: 'all', mountPath: '/etc/all' },
                { name: 'scratch', mountPath: '/data' },
                { name: 'shm', mountPath: '/dev/shm' },
              ],
            },
          ],
        },
        { labels: { app: 'vols', tier: 'web' } },
      ),
    );
    const p = await waitPod(env, 'vols', running, 'Running');
    const cfg = volDir(p, 'configmap', 'config');
    assert.equal(readFileSync(join(cfg, 'conf/app.conf'), 'utf8'), 'mode=prod\n');
    assert.equal(statSync(join(cfg, 'conf/app.conf')).mode & 0o777, 0o600);
    assert.ok(lstatSync(join(cfg, '..data')).isSymbolicLink());
    assert.match(readlinkSync(join(cfg, '..data')), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/);
    assert.equal(readlinkSync(join(cfg, 'conf')), '..data/conf');
    assert.ok(!existsSync(join(cfg, 'greeting')), 'items select keys');
    const sec = volDir(p, 'secret', 'creds');
    assert.equal(readFileSync(join(sec, 'password'), 'utf8'), 's3cret');
    assert.equal(statSync(join(sec, 'password')).mode & 0o777, 0o400);
    const info = volDir(p, 'downward-api', 'info');
    assert.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="vols"\ntier="web"');
    assert.equal(readFileSync(join(info, 'name'), 'utf8'), 'vols');
    assert.equal(readFileSync(join(info, 'mem'), 'utf8'), '128');
    const all = volDir(p, 'projected', 'all');
    assert.equal(readFileSync(join(all, 'greeting'), 'utf8'), 'hello');
    assert.equal(readFileSync(join(all, 'user'), 'utf8'), 'admin');
    assert.equal(statSync(volDir(p, 'empty-dir', 'scratch')).mode & 0o777, 0o777);

    const config = await container(p, 'c');
    const byPath = new Map(config.mounts!.map((m) => [m.containerPath, m]));
    assert.equal(byPath.get('/etc/app')!.hostPath, cfg);
    assert.equal(byPath.get('/etc/app')!.readonly, true);
    assert.equal(byPath.get('/data')!.readonly, false);
    assert.deepEqual(byPath.get('/dev/shm')!.tmpfs, { sizeBytes: 64 * 1024 * 1024 });
    // The container reads through its mounts (the fake engine resolves them on the host).
    const out: Buffer[] = [];
    const id = (await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }))[0]!.id;
    await env.runtime.exec(id, { cmd: ['cat', '/etc/creds/user'], stdout: { write: (b: Buffer | string) => out.push(Buffer.from(b)) } as never });
    assert.equal(Buffer.concat(out).toString(), 'admin\n');

    // An update of the configMap reaches the volume atomically (a new ..data target).
    const before = readlinkSync(join(cfg, '..data'));
    const cur = await cm().get('default', 'app-config');
    await cm().update('default', { ...cur, data: { ...cur.data, 'app.conf': 'mode=staging\n' } });
    await waitFor(() => readFileSync(join(cfg, 'conf/app.conf'), 'utf8') === 'mode=staging\n', 'the configMap update on disk', 10_000);
    assert.notEqual(readlinkSync(join(cfg, '..data')), before);
    assert.equal(readFileSync(join(all, 'greeting'), 'utf8'), 'hello');
  });

  test('a missing configMap volume: FailedMount event, pod stays ContainerCreating; it starts once the configMap exists', async () => {
    await createPod(env, podSpec('nocm', { volumes: [{ name: 'cfg', configMap: { name: 'later' } }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }] }));
    await waitFor(async () => (await podEvents(env, 'nocm')).find((e) => e.reason === 'FailedMount'), 'FailedMount', 10_000);
    const ev = (await podEvents(env, 'nocm')).find((e) => e.reason === 'FailedMount')!;
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "later" not found');
    const p = await waitPod(env, 'nocm', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating', 'ContainerCreating');
    assert.equal(p.status!.phase, 'Pending');
    await cm().create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' }, data: { k: 'v' } });
    await waitPod(env, 'nocm', running, 'Running once the configMap exists');
  });

  test('an optional missing configMap is an empty volume; a missing secret key is CreateContainerConfigError', async () => {
    await createPod(env, podSpec('optcm', { volumes: [{ name: 'cfg', configMap: { name: 'absent', optional: true } }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }] }));
    await waitPod(env, 'optcm', running, 'Running');
    await createPod(env, podSpec('nokey', { containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } }] }] }));
    const p = await waitPod(env, 'nokey', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'CreateContainerConfigError');
    assert.equal(p.status!.containerStatuses![0]!.state!.waiting!.message, "couldn't find key nope in Secret default/creds");
    await createPod(env, podSpec('nocmenv', { containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'P', valueFrom: { configMapKeyRef: { name: 'ghost', key: 'k' } } }] }] }));
    const q = await waitPod(env, 'nocmenv', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'CreateContainerConfigError');
    assert.equal(q.status!.containerStatuses![0]!.state!.waiting!.message, 'configmap "ghost" not found');
    const evs = await podEvents(env, 'nocmenv');
    assert.ok(evs.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === 'Error: configmap "ghost" not found'));
  });

  test('env: values, $(VAR) expansion, configMap/secret refs, envFrom with prefix, fieldRef and resourceFieldRef; command expansion', async () => {
    await createPod(
      env,
      podSpec('envs', {
        serviceAccountName: 'default',
        containers: [
          {
            name: 'c',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'echo $(GREETING) $(NAME) $$(NOT) $(UNDEFINED)'],
            resources: { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '64Mi' } },
            envFrom: [{ configMapRef: { name: 'app-config' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
            env: [
              { name: 'NAME', value: 'world' },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
              { name: 'COMBINED', value: '$(GREETING)-$(NAME)-$(password)' },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
              { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
              { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
              { name: 'MEM_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'USER', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
            ],
          },
        ],
      }),
    );
    const p = await waitPod(env, 'envs', (p) => p.status?.phase === 'Running' && !!p.status.containerStatuses?.[0]?.state, 'Running');
    const config = await container(p, 'c');
    const e = new Map(config.envs!.map((x) => [x.name, x.value]));
    assert.equal(e.get('CFG_greeting'), 'hello');
    assert.equal(e.get('CFG_app.conf'), 'mode=staging\n', 'the configMap as the first test left it');
    assert.equal(e.get('password'), 's3cret');
    assert.equal(e.get('COMBINED'), 'hello-world-s3cret');
    assert.equal(e.get('POD'), 'envs');
    assert.equal(e.get('NS'), 'default');
    assert.equal(e.get('UID'), p.metadata!.uid);
    assert.equal(e.get('NODE'), 'node-a');
    assert.equal(e.get('SA'), 'default');
    assert.equal(e.get('HOST_IP'), p.status!.hostIP);
    assert.equal(e.get('POD_IP'), p.status!.podIP);
    assert.equal(e.get('CPU_REQ'), '250');
    assert.equal(e.get('CPU_LIM'), '1');
    assert.equal(e.get('MEM_LIM'), '64');
    assert.equal(e.get('USER'), 'admin');
    assert.deepEqual(config.command, ['sh', '-c', 'echo hello world $(NOT) $(UNDEFINED)']);
    assert.equal(config.resources?.cpuShares, 256);
    assert.equal(config.resources?.cpuQuota, 100_000);
    assert.equal(config.resources?.cpuPeriod, 100_000);
    assert.equal(config.resources?.memoryLimitBytes, 64 * 1024 * 1024);
  });

  test('hostPath: DirectoryOrCreate creates, Directory of a missing path fails the mount', async () => {
    const base = mkdtempSync(join(tmpdir(), 'skiff-hostpath-'));
    await createPod(env, podSpec('hp', { volumes: [{ name: 'h', hostPath: { path: join(base, 'made'), type: 'DirectoryOrCreate' } }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'h', mountPath: '/h' }] }] }));
    await waitPod(env, 'hp', running, 'Running');
    assert.ok(statSync(join(base, 'made')).isDirectory());
    await createPod(env, podSpec('hp-bad', { volumes: [{ name: 'h', hostPath: { path: join(base, 'missing'), type: 'Directory' } }], containers: [{ name: 'c', image: 'busybox:1.36', volumeMounts: [{ name: 'h', mountPath: '/h' }] }] }));
    const ev = await waitFor(async () => (await podEvents(env, 'hp-bad')).find((e) => e.reason === 'FailedMount'), 'FailedMount', 10_000);
    assert.equal(ev.message, `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(base, 'missing')} is not a directory`);
  });

  test('guaranteed pods get their QoS class, cgroup parent and OOM score', async () => {
    await createPod(env, podSpec('gq', { containers: [{ name: 'c', image: 'busybox:1.36', resources: { limits: { cpu: '500m', memory: '32Mi' }, requests: { cpu: '500m', memory: '32Mi' } } }] }));
    const p = await waitPod(env, 'gq', running, 'Running');
    assert.equal(p.status!.qosClass, 'Guaranteed');
    const sb = (await env.runtime.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } }))[0]!;
    assert.equal(env.runtime.sandboxConfig(sb.id).cgroupParent, `kubepods/pod${p.metadata!.uid}`);
    const config = await container(p, 'c');
    assert.equal(config.resources?.oomScoreAdj, -997);
    assert.equal(config.resources?.cpuShares, 512);
    assert.equal(config.resources?.cpuQuota, 50_000);
  });
});
