// The node lifecycle and taint eviction controllers against a real API
// server, with a 1 s node-monitor grace period; the test plays the kubelet
// (node status, Lease renewals, pod status).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { setPodStatus } from '../support/batch.ts';
import { Client } from '../../src/client/rest.ts';
import { NodeLifecycleController } from '../../src/controllers/nodelifecycle/controller.ts';
import { TaintEvictionController } from '../../src/controllers/nodelifecycle/tainteviction.ts';

const GRACE_MS = 1000;
const ts = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const microTs = () => new Date().toISOString().replace('Z', '000Z');

describe('node lifecycle', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let client: Client;
  let lifecycle: NodeLifecycleController;
  let eviction: TaintEvictionController;
  const logs: string[] = [];

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
    lifecycle = new NodeLifecycleController(client, { gracePeriodMs: GRACE_MS, log: (l) => logs.push(l) });
    eviction = new TaintEvictionController(client, { log: (l) => logs.push(l) });
    await Promise.all([lifecycle.start(), eviction.start()]);
  });
  after(async () => {
    await Promise.all([lifecycle?.stop(), eviction?.stop()]);
    client?.close();
    await cluster?.stop();
  });

  /** What a kubelet does at start and on each status update: Ready True with a fresh heartbeat. */
  async function postReady(name: string) {
    await setNodeStatus(name, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
  }
  /** Writes the node's Ready condition, re-reading on a conflict with the controller's writes. */
  async function setNodeStatus(name: string, ready: Record<string, string>) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const node = (await api('GET', `/api/v1/nodes/${name}`)).body;
      node.status = { ...node.status, conditions: [{ ...ready, lastHeartbeatTime: ts(), lastTransitionTime: ts() }] };
      const r = await api('PUT', `/api/v1/nodes/${name}/status`, node);
      if (r.status === 409) continue;
      assert.equal(r.status, 200, r.text);
      return;
    }
    assert.fail(`status of node ${name}: conflicts on every try`);
  }
  async function renewLease(name: string) {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const cur = await api('GET', path);
    const lease = cur.status === 200 ? cur.body : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } };
    lease.spec.renewTime = microTs();
    const r = cur.status === 200 ? await api('PUT', path, lease) : await api('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease);
    assert.ok(r.status === 200 || r.status === 201, r.text);
  }
  async function addNode(name: string) {
    assert.equal((await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } })).status, 201);
    await postReady(name);
    await renewLease(name);
  }
  async function addPod(name: string, node: string, tolerations?: unknown[]) {
    const r = await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, tolerations, containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(r.status, 201, r.text);
    await setPodStatus(api, 'default', name, { phase: 'Running' });
    return r.body;
  }
  const getNode = async (name: string) => (await api('GET', `/api/v1/nodes/${name}`)).body;
  const getPod = async (name: string) => (await api('GET', `/api/v1/namespaces/default/pods/${name}`)).body;
  const unreachable = (seconds?: number) => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) });

  test('new pods get the default 300 s tolerations of not-ready and unreachable (DefaultTolerationSeconds admission)', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  test('a node whose Lease keeps renewing stays Ready and untainted', async () => {
    await addNode('alive');
    // A bounded heartbeat loop: 8 renewals, 300 ms apart, well past the 1 s grace period.
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await renewLease('alive');
    }
    const node = await getNode('alive');
    assert.equal(node.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    assert.equal(node.spec.taints, undefined);
  });

  test('a stale Lease makes the node Unknown and tainted; its pods become not Ready and are evicted by their tolerations', async () => {
    await addNode('lost');
    await addPod('untolerated', 'lost', [unreachable(0)]);
    await addPod('short', 'lost', [unreachable(2)]);
    await addPod('forever', 'lost', [unreachable()]);
    const node = await waitFor(async () => {
      const n = await getNode('lost');
      return n.status.conditions.find((c: any) => c.type === 'Ready')?.status === 'Unknown' && n;
    }, 'the node to become Unknown', 5_000);
    const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = node.status.conditions.find((x: any) => x.type === t);
      assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
    }
    const tainted = await waitFor(async () => {
      const n = await getNode('lost');
      return n.spec.taints?.length === 2 && n;
    }, 'the unreachable taints');
    const noExecute = tainted.spec.taints.find((t: any) => t.effect === 'NoExecute');
    assert.equal(noExecute.key, 'node.kubernetes.io/unreachable');
    assert.ok(noExecute.timeAdded);
    assert.deepEqual(tainted.spec.taints.find((t: any) => t.effect === 'NoSchedule'), { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' });

    // Not tolerated for any time: evicted at once (graceful: the pod waits for a kubelet that is gone).
    const gone = await waitFor(async () => {
      const p = await getPod('untolerated');
      return p.metadata.deletionTimestamp && p;
    }, 'the untolerated pod to be deleted');
    const dt = gone.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
    // Tolerated for 2 s: not before, then deleted.
    assert.equal((await getPod('short')).metadata.deletionTimestamp, undefined);
    const short = await waitFor(async () => {
      const p = await getPod('short');
      return p.metadata.deletionTimestamp && p;
    }, 'the 2 s pod to be deleted', 6_000);
    assert.equal(short.status.conditions.find((c: any) => c.type === 'Ready').status, 'False', 'marked not Ready when the node was lost');
    const evictedAfter = Date.parse(short.metadata.deletionTimestamp) - Date.parse(noExecute.timeAdded) - (short.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    assert.ok(evictedAfter >= 1000, `evicted ${evictedAfter} ms after the taint, want about 2 s`);
    const forever = await getPod('forever');
    assert.equal(forever.metadata.deletionTimestamp, undefined, 'tolerated without a time limit: kept');
    assert.equal(forever.status.conditions.find((c: any) => c.type === 'Ready').status, 'False');
    const events = (await api('GET', '/api/v1/namespaces/default/events')).body.items;
    assert.ok(events.some((e: any) => e.involvedObject.name === 'lost' && e.reason === 'NodeNotReady' && e.message === 'Node lost status is now: NodeNotReady'));
    assert.ok(events.some((e: any) => e.involvedObject.name === 'short' && e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/short'));

    // The kubelet comes back: its Lease renews and it posts Ready; the taints go.
    await renewLease('lost');
    await postReady('lost');
    await waitFor(async () => (await getNode('lost')).spec.taints === undefined, 'the taints to be removed');
  });

  test('a node whose kubelet reports Ready=False gets the not-ready taints', async () => {
    await addNode('sick');
    await setNodeStatus('sick', { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down' });
    const tainted = await waitFor(async () => {
      const n = await getNode('sick');
      return n.spec.taints?.length === 2 && n;
    }, 'the not-ready taints');
    assert.deepEqual(tainted.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  });

  test('the controllers logged no failed sync', () => {
    assert.deepEqual(logs.filter((l) => !/conflict|the object has been modified/i.test(l)), []);
  });
});
