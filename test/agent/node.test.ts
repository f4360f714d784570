// Node registration and heartbeat: the Node the agent creates (labels,
// capacity and allocatable from the host, addresses, nodeInfo, conditions
// with the kubelet's reasons, images, the streaming port) and its Lease in
// kube-node-lease, renewed on schedule.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Node } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../src/api/quantity.ts';
import { NODE, startAgentEnv, type AgentEnv } from './support.ts';
import { waitFor } from '../support/wait.ts';

describe('agent: node registration and heartbeat', () => {
  let env: AgentEnv;
  before(async () => {
    env = await startAgentEnv({ agent: { streamingPort: 10250, roles: ['worker'], leaseRenewIntervalMs: 200, statusUpdateIntervalMs: 200, statusReportIntervalMs: 2_500 } });
  });
  after(async () => {
    await env?.stop();
  });

  test('the Node: labels, capacity, allocatable, addresses, nodeInfo, conditions, endpoint, images', async () => {
    const node = await env.client.resource<Node>('v1', 'nodes').get(undefined, NODE);
    const l = node.metadata!.labels!;
    assert.equal(l['kubernetes.io/hostname'], NODE);
    assert.equal(l['kubernetes.io/os'], 'linux');
    assert.equal(l['beta.kubernetes.io/os'], 'linux');
    assert.equal(l['kubernetes.io/arch'], process.arch === 'x64' ? 'amd64' : process.arch);
    assert.equal(l['node-role.kubernetes.io/worker'], '');
    const s = node.status!;
    assert.ok(Number(s.capacity!.cpu) >= 1 && Number(s.capacity!.cpu) <= cpus().length);
    assert.equal(s.capacity!.pods, '110');
    assert.match(s.capacity!.memory!, /^\d+Ki$/);
    assert.ok(parseQuantity(s.allocatable!.memory!).cmp(parseQuantity(s.capacity!.memory!)) < 0, 'allocatable memory leaves the eviction threshold');
    assert.ok(parseQuantity(s.capacity!['ephemeral-storage']!).value() > 0);
    assert.deepEqual(s.addresses!.map((a) => a.type), ['InternalIP', 'Hostname']);
    assert.equal(s.addresses![1]!.address, NODE);
    assert.equal(s.daemonEndpoints!.kubeletEndpoint!.Port, 10250);
    const info = s.nodeInfo!;
    assert.equal(info.containerRuntimeVersion, 'fake://0.1.0');
    assert.match(info.kubeletVersion, /^v\d+\.\d+\.\d+/);
    assert.equal(info.operatingSystem, 'linux');
    assert.ok(info.kernelVersion && info.osImage && info.bootID);
    assert.deepEqual(
      s.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.ok(s.images!.some((i) => i.names!.includes('docker.io/library/busybox:1.36')));
    await env.agent.recorder.flush();
    const evs = (await env.client.resource<Event>('v1', 'events').list('default')).items.filter((e) => e.involvedObject.kind === 'Node');
    assert.ok(evs.some((e) => e.reason === 'Starting' && e.message === 'Starting kubelet.'));
    assert.ok(evs.some((e) => e.reason === 'NodeReady' && e.message === `Node ${NODE} status is now: NodeReady`));
  });

  test('the Lease is held by the node and renewed', async () => {
    const leases = env.client.resource<Lease>('coordination.k8s.io/v1', 'leases');
    const first = await leases.get('kube-node-lease', NODE);
    assert.equal(first.spec!.holderIdentity, NODE);
    assert.equal(first.spec!.leaseDurationSeconds, 40);
    assert.match(first.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(first.metadata!.ownerReferences?.[0]?.kind, 'Node');
    await waitFor(async () => (await leases.get('kube-node-lease', NODE)).spec!.renewTime !== first.spec!.renewTime, 'a renewal', 5_000);
  });

  test('node status is not rewritten when nothing changed; it is reported again after the report interval', async () => {
    const node = env.agent.node;
    // Right after a report, the next checks find nothing new to write...
    const w0 = node.statusWrites;
    await waitFor(() => node.statusWrites > w0, 'a periodic report', 5_000);
    const w1 = node.statusWrites;
    const c1 = node.statusChecks;
    await waitFor(() => node.statusChecks >= c1 + 3, 'three more status checks', 5_000);
    assert.equal(node.statusWrites, w1, 'quiet checks wrote nothing');
    // ...until the report interval has passed again.
    await waitFor(() => node.statusWrites > w1, 'the next periodic report', 5_000);
  });
});
