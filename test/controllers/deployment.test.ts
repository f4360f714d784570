// The deployment controller against a real API server, with a fake kubelet
// that binds pods and marks them Ready: new ReplicaSets with their hash and
// revision, rolling updates that respect maxSurge/maxUnavailable at every
// step, Recreate, paused Deployments, revision history cleanup, the
// progress deadline, and the conditions Kubernetes reports.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { active, listPods, startWorkloadControllers } from '../support/workloads.ts';
import { Client } from '../../src/client/rest.ts';
import { Informer } from '../../src/client/informer.ts';

const NS = 'default';

function deployment(name: string, replicas: number, spec: Partial<NonNullable<Deployment['spec']>> = {}, image = 'nginx:1.26'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
      ...spec,
    },
  };
}

describe('deployment controller', () => {
  let cluster: TestCluster;
  let client: Client;
  let controllers: Awaited<ReturnType<typeof startWorkloadControllers>>;
  const deploys = () => client.resource<Deployment>('apps/v1', 'deployments');
  const rss = () => client.resource<ReplicaSet>('apps/v1', 'replicasets');
  const ownedRSs = async (d: string) => (await rss().list(NS, { labelSelector: `app=${d}` })).items.filter((rs) => rs.metadata?.ownerReferences?.[0]?.name === d);
  const complete = async (name: string, generation?: number) => {
    const d = await deploys().get(NS, name);
    const s = d.status ?? {};
    const want = d.spec?.replicas ?? 1;
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    return (s.observedGeneration ?? 0) >= (generation ?? d.metadata!.generation!) && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && progressing?.reason === 'NewReplicaSetAvailable' ? d : undefined;
  };
  const setImage = (name: string, image: string) => deploys().patch(NS, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } });

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    // Pods labelled ready=never run but never pass readiness.
    controllers = await startWorkloadControllers(client, { ready: (p) => p.metadata?.labels?.ready !== 'never', accept: (p) => p.metadata?.labels?.kubelet !== 'none' });
  });
  after(async () => {
    await controllers?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('a new Deployment gets a ReplicaSet named by its template hash, revision 1, and completes', async () => {
    const created = await deploys().create(NS, deployment('first', 3));
    const d = await waitFor(() => complete('first'), 'deployment first complete');
    const [rs, ...more] = await ownedRSs('first');
    assert.equal(more.length, 0);
    const hash = rs!.metadata!.labels!['pod-template-hash']!;
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs!.metadata!.name, `first-${hash}`);
    assert.deepEqual(rs!.spec!.selector!.matchLabels, { app: 'first', 'pod-template-hash': hash });
    assert.equal(rs!.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '4');
    assert.deepEqual(rs!.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'first', uid: created.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status!.readyReplicas, 3);
    assert.equal(d.status!.unavailableReplicas ?? 0, 0);
    const available = d.status!.conditions!.find((c) => c.type === 'Available')!;
    assert.deepEqual([available.status, available.reason, available.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    const progressing = d.status!.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual([progressing.status, progressing.reason, progressing.message], ['True', 'NewReplicaSetAvailable', `ReplicaSet "first-${hash}" has successfully progressed.`]);
    const pods = active(await listPods(client, NS, 'app=first'));
    assert.equal(pods.length, 3);
    for (const p of pods) assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
  });

  test('a rolling update keeps at most replicas+maxSurge pods and at least replicas-maxUnavailable available at every step', async () => {
    const replicas = 6;
    await deploys().create(NS, deployment('roll', replicas, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } } }));
    await waitFor(() => complete('roll'), 'roll complete', 15_000);

    // Watch every pod and ReplicaSet change while the update runs, checking the bounds each time.
    const pods = new Informer<Pod>(client.resource<Pod>('v1', 'pods'), { namespace: NS, labelSelector: 'app=roll' });
    const sets = new Informer<ReplicaSet>(client.resource<ReplicaSet>('apps/v1', 'replicasets'), { namespace: NS, labelSelector: 'app=roll' });
    const violations: string[] = [];
    let steps = 0;
    let minAvailable = Infinity;
    let maxSpec = 0;
    let watching = false;
    const check = () => {
      // The first list arrives one object at a time: judge only whole states.
      if (!watching) return;
      steps++;
      const spec = sets.list().reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      maxSpec = Math.max(maxSpec, spec);
      if (spec > replicas + 2) violations.push(`ReplicaSets want ${spec} pods`);
      const ready = pods.list().filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      minAvailable = Math.min(minAvailable, ready);
      if (ready < replicas - 1) violations.push(`only ${ready} pods ready`);
    };
    pods.onAdd(check).onUpdate(check).onDelete(check);
    sets.onAdd(check).onUpdate(check).onDelete(check);
    pods.start();
    sets.start();
    await Promise.all([pods.waitForSync(), sets.waitForSync()]);
    watching = true;
    try {
      const updated = await setImage('roll', 'nginx:1.27');
      const d = await waitFor(() => complete('roll', updated.metadata!.generation), 'roll updated', 20_000);
      assert.deepEqual(violations, []);
      assert.ok(steps > 10, `observed ${steps} steps`);
      assert.equal(maxSpec, replicas + 2, 'the rollout used its surge');
      assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
      const live = active(await listPods(client, NS, 'app=roll'));
      assert.equal(live.length, replicas);
      assert.ok(live.every((p) => p.spec!.containers[0]!.image === 'nginx:1.27'));
      const byRevision = Object.fromEntries((await ownedRSs('roll')).map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs.spec!.replicas]));
      assert.deepEqual(byRevision, { '1': 0, '2': replicas });
    } finally {
      await Promise.all([pods.stop(), sets.stop()]);
    }
  });

  test('Recreate removes every old pod before the first new one exists', async () => {
    await deploys().create(NS, deployment('recreate', 3, { strategy: { type: 'Recreate' } }));
    await waitFor(() => complete('recreate'), 'recreate complete');
    const pods = new Informer<Pod>(client.resource<Pod>('v1', 'pods'), { namespace: NS, labelSelector: 'app=recreate' });
    const overlaps: string[] = [];
    const check = () => {
      const images = new Set(pods.list().map((p) => p.spec!.containers[0]!.image));
      if (images.size > 1) overlaps.push([...images].join(' + '));
    };
    pods.onAdd(check).onUpdate(check).onDelete(check);
    pods.start();
    await pods.waitForSync();
    try {
      const updated = await setImage('recreate', 'nginx:1.27');
      await waitFor(() => complete('recreate', updated.metadata!.generation), 'recreate updated', 15_000);
      assert.deepEqual(overlaps, []);
      assert.equal(pods.list().length, 3);
    } finally {
      await pods.stop();
    }
  });

  test('a paused Deployment does not roll out; resumed, it does, with the paused and resumed conditions', async () => {
    await deploys().create(NS, deployment('paused', 2));
    await waitFor(() => complete('paused'), 'paused complete');
    await deploys().patch(NS, 'paused', 'merge', { spec: { paused: true } });
    await waitFor(async () => (await deploys().get(NS, 'paused')).status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused' && c.status === 'Unknown' && c.message === 'Deployment is paused'), 'DeploymentPaused');
    const changed = await setImage('paused', 'nginx:1.27');
    await waitFor(async () => (await deploys().get(NS, 'paused')).status?.observedGeneration === changed.metadata!.generation, 'paused change observed');
    assert.equal((await ownedRSs('paused')).length, 1, 'no new ReplicaSet while paused');
    await deploys().patch(NS, 'paused', 'merge', { spec: { paused: false } });
    await waitFor(() => complete('paused'), 'resumed rollout complete', 15_000);
    assert.equal((await ownedRSs('paused')).length, 2);
  });

  test('old ReplicaSets beyond revisionHistoryLimit are deleted', async () => {
    await deploys().create(NS, deployment('history', 1, { revisionHistoryLimit: 1 }));
    await waitFor(() => complete('history'), 'history complete');
    for (const tag of ['1.27', '1.28', '1.29']) {
      const d = await setImage('history', `nginx:${tag}`);
      await waitFor(() => complete('history', d.metadata!.generation), `history at ${tag}`, 15_000);
    }
    const revisions = await waitFor(async () => {
      const list = await ownedRSs('history');
      return list.length === 2 ? list.map((rs) => rs.metadata!.annotations!['deployment.kubernetes.io/revision']).sort() : undefined;
    }, 'two ReplicaSets left');
    assert.deepEqual(revisions, ['3', '4']);
  });

  test('going back to an old template reuses its ReplicaSet with the next revision and records revision-history', async () => {
    await deploys().create(NS, deployment('back', 1));
    await waitFor(() => complete('back'), 'back complete');
    let d = await setImage('back', 'nginx:1.27');
    await waitFor(() => complete('back', d.metadata!.generation), 'back at 1.27');
    d = await setImage('back', 'nginx:1.26');
    await waitFor(() => complete('back', d.metadata!.generation), 'back at 1.26 again');
    const list = await ownedRSs('back');
    assert.equal(list.length, 2);
    const original = list.find((rs) => rs.spec!.template!.spec!.containers[0]!.image === 'nginx:1.26')!;
    assert.equal(original.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(original.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  });

  test('resizing during a rollout scales the ReplicaSets proportionally', async () => {
    // New pods never become ready, so the rollout stalls with both ReplicaSets active.
    await deploys().create(NS, deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await waitFor(() => complete('prop'), 'prop complete', 15_000);
    await deploys().patch(NS, 'prop', 'strategic', { spec: { template: { metadata: { labels: { ready: 'never' } } } } });
    const sizes = async () => Object.fromEntries((await ownedRSs('prop')).map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs.spec!.replicas]));
    // 13 pods allowed; old may drop to 8 available; new gets 5: {1: 8, 2: 5}.
    await waitFor(async () => JSON.stringify(await sizes()) === JSON.stringify({ '1': 8, '2': 5 }), 'stalled rollout at 8 + 5', 15_000);
    await client.resource('apps/v1', 'deployments').patch(NS, 'prop', 'merge', { spec: { replicas: 20 } }, { subresource: 'scale' });
    // 20 + 3 = 23 allowed, 10 more: 8*23/13 = 14.15 -> +6, 5*23/13 = 8.8 -> +4.
    const after = await waitFor(async () => {
      const s = await sizes();
      return s['1']! + s['2']! === 23 ? s : undefined;
    }, 'proportional scale to 23', 15_000);
    assert.deepEqual(after, { '1': 14, '2': 9 });
  });

  test('a rollout that makes no progress reports ProgressDeadlineExceeded', async () => {
    await deploys().create(NS, deployment('stuck', 2, { progressDeadlineSeconds: 2, template: { metadata: { labels: { app: 'stuck', ready: 'never' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } }));
    const d = await waitFor(async () => {
      const d = await deploys().get(NS, 'stuck');
      return d.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ? d : undefined;
    }, 'ProgressDeadlineExceeded', 15_000);
    const rs = (await ownedRSs('stuck'))[0]!;
    const progressing = d.status!.conditions!.find((c) => c.type === 'Progressing')!;
    assert.equal(progressing.status, 'False');
    assert.equal(progressing.message, `ReplicaSet "${rs.metadata!.name}" has timed out progressing.`);
    const available = d.status!.conditions!.find((c) => c.type === 'Available')!;
    assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
  });

  test('a selector that does not match the template, or a changed selector, is refused with 422', async () => {
    await assert.rejects(deploys().create(NS, { ...deployment('bad', 1), spec: { ...deployment('bad', 1).spec!, selector: { matchLabels: { app: 'other' } } } }), (e: any) => e.code === 422 && /selector` does not match template `labels/.test(e.message));
    await deploys().create(NS, deployment('fixed', 1));
    await assert.rejects(deploys().patch(NS, 'fixed', 'merge', { spec: { selector: { matchLabels: { app: 'fixed', x: 'y' } }, template: { metadata: { labels: { app: 'fixed', x: 'y' } } } } }), (e: any) => e.code === 422 && /field is immutable/.test(e.message));
  });
});
