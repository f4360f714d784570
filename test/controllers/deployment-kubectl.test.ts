// The tutorial workflow with the real kubectl 1.32 against our controllers
// (a fake kubelet stands in for nodes): create deployment, scale, set image
// and apply a changed image, rollout status/history/undo/pause/resume/
// restart, and a deleted pod replaced.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';
import { active, listPods, startWorkloadControllers } from '../support/workloads.ts';
import { Client } from '../../src/client/rest.ts';

const VERSION = '1.32';
const skip = hasKubectl(VERSION) ? false : `kubectl ${VERSION} is not installed`;

describe('kubectl rollout workflow', { skip }, () => {
  let cluster: TestCluster;
  let client: Client;
  let controllers: Awaited<ReturnType<typeof startWorkloadControllers>>;
  let kubectl: ReturnType<typeof kubectlRunner>;
  const ok = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, { stdin, timeoutMs: 40_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const deploy = () => client.resource<Deployment>('apps/v1', 'deployments').get('default', 'web');
  const replicaSets = async () => (await client.resource<ReplicaSet>('apps/v1', 'replicasets').list('default', { labelSelector: 'app=web' })).items;
  const image = async () => (await deploy()).spec!.template!.spec!.containers[0]!.image;

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    controllers = await startWorkloadControllers(client);
    kubectl = kubectlRunner(VERSION, cluster.kubeconfig);
  });
  after(async () => {
    await controllers?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('create deployment and rollout status', async () => {
    assert.match(await ok(['create', 'deployment', 'web', '--image=nginx:1.26', '--replicas=2']), /deployment.apps\/web created/);
    assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /deployment "web" successfully rolled out/);
    const out = await ok(['get', 'deployment', 'web']);
    assert.match(out, /web\s+2\/2\s+2\s+2\s/);
  });

  test('scale --replicas=5', async () => {
    assert.match(await ok(['scale', 'deployment', 'web', '--replicas=5']), /deployment.apps\/web scaled/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.equal((await deploy()).status?.availableReplicas, 5);
    assert.equal(active(await listPods(client, 'default', 'app=web')).length, 5);
  });

  test('set image rolls out revision 2; history lists both with their change-cause', async () => {
    assert.match(await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']), /deployment.apps\/web image updated/);
    // As the Kubernetes docs do it: the cause is annotated after the change, and lands on the new ReplicaSet only.
    await ok(['annotate', 'deployment', 'web', 'kubernetes.io/change-cause=image 1.27']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    const pods = active(await listPods(client, 'default', 'app=web'));
    assert.equal(pods.length, 5);
    assert.ok(pods.every((p) => p.spec!.containers[0]!.image === 'nginx:1.27'));
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+image 1\.27$/m);
    const rev2 = await ok(['rollout', 'history', 'deployment/web', '--revision=2']);
    assert.match(rev2, /Image:\s+nginx:1\.27/);
  });

  test('rollout undo restores the previous template as revision 3', async () => {
    assert.match(await ok(['rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/);
    assert.equal(await image(), 'nginx:1.26');
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    const pods = active(await listPods(client, 'default', 'app=web'));
    assert.ok(pods.length === 5 && pods.every((p) => p.spec!.containers[0]!.image === 'nginx:1.26'));
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^2\s+image 1\.27$/m);
    assert.match(history, /^3\s+/m);
    assert.doesNotMatch(history, /^1\s+/m);
    assert.equal((await replicaSets()).length, 2);
  });

  test('apply a changed image', async () => {
    const manifest = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json']));
    const applied = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: manifest.metadata.labels },
      spec: { replicas: 5, selector: manifest.spec.selector, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } },
    };
    assert.match(await ok(['apply', '-f', '-'], JSON.stringify(applied)), /deployment.apps\/web (configured|created)/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.ok(active(await listPods(client, 'default', 'app=web')).every((p) => p.spec!.containers[0]!.image === 'nginx:1.28'));
  });

  test('rollout pause holds a change back; resume rolls it out', async () => {
    assert.match(await ok(['rollout', 'pause', 'deployment/web']), /deployment.apps\/web paused/);
    const before = (await replicaSets()).length;
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']);
    const d = await deploy();
    await waitFor(async () => (await deploy()).status?.observedGeneration === d.metadata!.generation, 'paused change observed');
    assert.equal((await replicaSets()).length, before, 'no new ReplicaSet while paused');
    const undo = await kubectl(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(undo.code, 0);
    assert.match(undo.stderr, /you cannot rollback a paused deployment; resume it first/);
    assert.match(await ok(['rollout', 'resume', 'deployment/web']), /deployment.apps\/web resumed/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.ok(active(await listPods(client, 'default', 'app=web')).every((p) => p.spec!.containers[0]!.image === 'nginx:1.29'));
  });

  test('rollout restart replaces every pod', async () => {
    const old = new Set(active(await listPods(client, 'default', 'app=web')).map((p) => p.metadata!.name));
    assert.match(await ok(['rollout', 'restart', 'deployment/web']), /deployment.apps\/web restarted/);
    assert.ok((await deploy()).spec!.template!.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    const now = active(await listPods(client, 'default', 'app=web'));
    assert.equal(now.length, 5);
    assert.ok(now.every((p) => !old.has(p.metadata!.name)), 'every pod is new');
  });

  test('a deleted pod is replaced', async () => {
    const [victim] = active(await listPods(client, 'default', 'app=web'));
    await ok(['delete', 'pod', victim!.metadata!.name!]);
    await waitFor(async () => {
      const pods = active(await listPods(client, 'default', 'app=web'));
      return pods.length === 5 && !pods.some((p) => p.metadata!.name === victim!.metadata!.name);
    }, 'a replacement pod');
    await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  });
});
