// The DaemonSet controller against a real API server, with the scheduler and
// kubelet simulated (test/support/workloads.ts): one pod per eligible node,
// taints and selectors, nodes coming and going, rolling updates one node at
// a time, and what kubectl 1.32's rollout commands read.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { FakeKubelet, nodeObject, startAppsControllers, type Started } from '../support/workloads.ts';
import { Client } from '../../src/client/rest.ts';

const NS = 'default';

function daemonSet(name: string, o: { tolerations?: unknown[]; nodeSelector?: Record<string, string>; image?: string; minReadySeconds?: number } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      minReadySeconds: o.minReadySeconds,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'agent', image: o.image ?? 'busybox:1' }], tolerations: o.tolerations as never, nodeSelector: o.nodeSelector },
      },
    },
  };
}

describe('DaemonSet controller', () => {
  let cluster: TestCluster;
  let client: Client;
  let sim: FakeKubelet;
  let apps: Started;

  const podsOf = (name: string) => sim.pods.list().filter((p) => p.metadata?.labels?.app === name && p.metadata?.namespace === NS);
  const liveNodesOf = (name: string) =>
    podsOf(name)
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.spec?.nodeName ?? '?')
      .sort();
  const dsHandle = () => client.resource<DaemonSet>('apps/v1', 'daemonsets');
  const nodes = () => client.resource('v1', 'nodes');

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    sim = await new FakeKubelet(client).start();
    apps = await startAppsControllers(cluster);
    await nodes().create(undefined, nodeObject('node-a'));
    await nodes().create(undefined, nodeObject('node-b', { labels: { disk: 'ssd' } }));
    await nodes().create(undefined, nodeObject('node-c', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  });
  after(async () => {
    await apps?.stop();
    await sim?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('a pod on every node whose taints it tolerates, with node affinity naming the node', async () => {
    await dsHandle().create(NS, daemonSet('plain'));
    await dsHandle().create(NS, daemonSet('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    await waitFor(() => liveNodesOf('plain').join() === 'node-a,node-b', 'plain pods on node-a and node-b only');
    await waitFor(() => liveNodesOf('tolerant').join() === 'node-a,node-b,node-c', 'tolerant pods on all three nodes');

    const pod = podsOf('plain').find((p) => p.spec?.nodeName === 'node-a')!;
    assert.deepEqual(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] },
    ]);
    const keys = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    for (const k of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']) {
      assert.ok(keys.includes(k), `daemon pods tolerate ${k}`);
    }
    assert.ok(!keys.includes('node.kubernetes.io/network-unavailable:NoSchedule'), 'only hostNetwork pods tolerate network-unavailable');
    assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
    assert.ok(pod.metadata?.labels?.['controller-revision-hash'], 'pods carry the revision hash');

    const ds = await waitFor(async () => {
      const d = await dsHandle().get(NS, 'plain');
      return d.status?.numberAvailable === 2 && d.status.observedGeneration === d.metadata?.generation ? d : undefined;
    }, 'plain status to count two available pods');
    assert.deepEqual(
      { ...ds.status },
      { currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 0, observedGeneration: 1 },
    );
    const revs = (await client.resource<ControllerRevision>('apps/v1', 'controllerrevisions').list(NS, { labelSelector: 'app=plain' })).items;
    assert.equal(revs.length, 1);
    assert.equal(revs[0]!.revision, 1);
    assert.equal(revs[0]!.metadata?.labels?.['controller-revision-hash'], pod.metadata?.labels?.['controller-revision-hash']);
  });

  test('a new node gets a pod; a removed node loses it; a node that stops matching loses it', async () => {
    await dsHandle().create(NS, daemonSet('ssd', { nodeSelector: { disk: 'ssd' } }));
    await waitFor(() => liveNodesOf('ssd').join() === 'node-b', 'the ssd pod on node-b only');
    await nodes().create(undefined, nodeObject('node-d', { labels: { disk: 'ssd' } }));
    await waitFor(() => liveNodesOf('ssd').join() === 'node-b,node-d', 'a pod on the new node-d');
    await waitFor(() => liveNodesOf('plain').includes('node-d'), 'plain also on node-d');

    await nodes().delete(undefined, 'node-d');
    await waitFor(() => liveNodesOf('ssd').join() === 'node-b' && !podsOf('ssd').some((p) => p.spec?.nodeName === 'node-d'), 'the pod on removed node-d to go');
    await waitFor(() => !podsOf('plain').some((p) => p.spec?.nodeName === 'node-d'), 'plain pod on node-d to go');

    await nodes().patch(undefined, 'node-b', 'merge', { metadata: { labels: { disk: null } } });
    await waitFor(() => podsOf('ssd').length === 0, 'the ssd pod to leave node-b once it no longer matches');
    await waitFor(async () => (await dsHandle().get(NS, 'ssd')).status?.desiredNumberScheduled === 0, 'desired count to drop to 0');
    await nodes().patch(undefined, 'node-b', 'merge', { metadata: { labels: { disk: 'ssd' } } });
  });

  test('an untolerated NoExecute taint evicts the pod; a NoSchedule one added later does not', async () => {
    await dsHandle().create(NS, daemonSet('taints'));
    await waitFor(() => liveNodesOf('taints').join() === 'node-a,node-b', 'taints pods on node-a and node-b');
    await nodes().patch(undefined, 'node-a', 'merge', { spec: { taints: [{ key: 'soft', value: 'x', effect: 'NoSchedule' }] } });
    await nodes().patch(undefined, 'node-b', 'merge', { spec: { taints: [{ key: 'hard', value: 'x', effect: 'NoExecute' }] } });
    await waitFor(() => liveNodesOf('taints').join() === 'node-a', 'the pod on NoExecute-tainted node-b to go, node-a kept');
    const st = await waitFor(async () => {
      const d = await dsHandle().get(NS, 'taints');
      return d.status?.desiredNumberScheduled === 0 && d.status.numberMisscheduled === 1 ? d.status : undefined;
    }, 'the pod kept on node-a to count as misscheduled');
    assert.equal(st.currentNumberScheduled, 0);
    await nodes().patch(undefined, 'node-a', 'merge', { spec: { taints: null } });
    await nodes().patch(undefined, 'node-b', 'merge', { spec: { taints: null } });
    await waitFor(() => liveNodesOf('taints').join() === 'node-a,node-b', 'taints pods back on both nodes');
  });

  test('a rolling update replaces one node at a time, waiting for each new pod to be ready', async () => {
    const name = 'roll';
    await dsHandle().create(NS, daemonSet(name, { tolerations: [{ operator: 'Exists' }] }));
    await waitFor(async () => (await dsHandle().get(NS, name)).status?.numberAvailable === 3, 'three available roll pods');
    const oldHash = podsOf(name)[0]!.metadata!.labels!['controller-revision-hash'];

    // New pods stay unready until the test says so.
    sim.autoStart = (p) => p.metadata?.labels?.app !== name;
    await dsHandle().patch(NS, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:2' }] } } } });
    const isNew = (p: Pod) => p.spec?.containers[0]?.image === 'busybox:2';
    const marked = new Set<string>();
    for (let step = 1; step <= 3; step++) {
      const newPod = await waitFor(
        () => podsOf(name).find((p) => isNew(p) && p.spec?.nodeName && !p.metadata?.deletionTimestamp && !marked.has(p.metadata!.name!)),
        `new pod ${step} to be bound`,
      );
      marked.add(newPod.metadata!.name!);
      // The controller has seen the unready new pod once its status says so; by then it chose not to delete more.
      await waitFor(async () => {
        const s = (await dsHandle().get(NS, name)).status;
        return s?.updatedNumberScheduled === step && s.numberUnavailable === 1;
      }, `status to show ${step} updated and one unavailable`);
      const live = podsOf(name).filter((p) => !p.metadata?.deletionTimestamp);
      assert.equal(live.filter((p) => !isNew(p)).length, 3 - step, `only ${step} old pod(s) replaced while the new one is unready`);
      await sim.markReady(NS, newPod.metadata!.name!);
    }
    sim.autoStart = () => true;
    const s = await waitFor(async () => {
      const st = (await dsHandle().get(NS, name)).status;
      return st?.updatedNumberScheduled === 3 && st.numberAvailable === 3 ? st : undefined;
    }, 'the rollout to finish');
    assert.equal(s.desiredNumberScheduled, 3);
    const hashes = new Set(podsOf(name).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata!.labels!['controller-revision-hash']));
    assert.equal(hashes.size, 1);
    assert.ok(!hashes.has(oldHash), 'every pod is on the new revision');
    const revs = (await client.resource<ControllerRevision>('apps/v1', 'controllerrevisions').list(NS, { labelSelector: `app=${name}` })).items;
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
  });

  test('OnDelete replaces a pod only when it is deleted', async () => {
    const name = 'ondelete';
    const ds = daemonSet(name);
    ds.spec!.updateStrategy = { type: 'OnDelete' };
    await dsHandle().create(NS, ds);
    await waitFor(() => podsOf(name).filter((p) => p.status?.phase === 'Running').length === 2, 'two running ondelete pods');
    await dsHandle().patch(NS, name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:2' }] } } } });
    await waitFor(async () => {
      const d = await dsHandle().get(NS, name);
      return d.status?.observedGeneration === 2 && d.status.updatedNumberScheduled === 0;
    }, 'the controller to see generation 2 and update nothing');
    assert.ok(podsOf(name).every((p) => p.spec?.containers[0]?.image === 'busybox:1' && !p.metadata?.deletionTimestamp));
    const victim = podsOf(name).find((p) => p.spec?.nodeName === 'node-a')!;
    await client.resource('v1', 'pods').delete(NS, victim.metadata!.name!);
    await waitFor(() => podsOf(name).some((p) => p.spec?.nodeName === 'node-a' && p.spec?.containers[0]?.image === 'busybox:2' && !p.metadata?.deletionTimestamp), 'a new-revision pod on node-a');
    assert.equal(podsOf(name).find((p) => p.spec?.nodeName === 'node-b')?.spec?.containers[0]?.image, 'busybox:1');
  });

  const version = '1.32';
  test('kubectl rollout status, history and undo for a DaemonSet', { skip: hasKubectl(version) ? false : `kubectl ${version} is not installed` }, async () => {
    const k = kubectlRunner(version, cluster.kubeconfig);
    const name = 'kubectl-ds';
    await dsHandle().create(NS, daemonSet(name));
    const st = await k(['rollout', 'status', `ds/${name}`, '--timeout=20s']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, new RegExp(`daemon set "${name}" successfully rolled out`));

    const set = await k(['set', 'image', `ds/${name}`, 'agent=busybox:3']);
    assert.equal(set.code, 0, set.stderr);
    const st2 = await k(['rollout', 'status', `ds/${name}`, '--timeout=20s']);
    assert.equal(st2.code, 0, st2.stderr);
    assert.match(st2.stdout, /successfully rolled out/);

    const hist = await k(['rollout', 'history', `ds/${name}`]);
    assert.equal(hist.code, 0, hist.stderr);
    assert.match(hist.stdout, /REVISION\s+CHANGE-CAUSE/);
    assert.match(hist.stdout, /^1\s+<none>/m);
    assert.match(hist.stdout, /^2\s+<none>/m);
    const rev1 = await k(['rollout', 'history', `ds/${name}`, '--revision=1']);
    assert.equal(rev1.code, 0, rev1.stderr);
    assert.match(rev1.stdout, /Image:\s+busybox:1/);

    const undo = await k(['rollout', 'undo', `ds/${name}`]);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /rolled back/);
    const st3 = await k(['rollout', 'status', `ds/${name}`, '--timeout=20s']);
    assert.equal(st3.code, 0, st3.stderr);
    await waitFor(() => podsOf(name).filter((p) => !p.metadata?.deletionTimestamp).every((p) => p.spec?.containers[0]?.image === 'busybox:1') && liveNodesOf(name).length === 2, 'pods back on busybox:1');
    const hist2 = await k(['rollout', 'history', `ds/${name}`]);
    assert.match(hist2.stdout, /^2\s+<none>\n3\s+<none>/m, 'the undone-to revision is renumbered 3');
  });
});
