import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pod, requests, startSchedulerEnv, type SchedulerEnv } from './env.ts';
import { waitFor } from '../support/wait.ts';

describe('scheduler: resources, selectors, taints', () => {
  let env: SchedulerEnv;
  before(async () => {
    env = await startSchedulerEnv({}, { count: 3, namePrefix: 'n', capacity: { cpu: '2', memory: '4Gi', pods: '110' }, labels: (i) => ({ 'topology.kubernetes.io/zone': `z${i}` }) });
  });
  after(async () => env.stop());

  test('a pod is bound to a node, with a Scheduled event and PodScheduled=True', async () => {
    await env.createPod(pod('plain'));
    const node = await env.waitBound('plain');
    assert.match(node, /^n[012]$/);
    const ev = await waitFor(async () => (await env.events('plain')).find((e) => e.reason === 'Scheduled'), 'Scheduled event');
    assert.equal(ev.message, `Successfully assigned default/plain to ${node}`);
    assert.equal(ev.type, 'Normal');
    const p = await env.getPod('plain');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  });

  test('resource fit: requests beyond free cpu go elsewhere, and a pod too big for any node stays Pending with the reason', async () => {
    await env.createPod(pod('big-a', requests('1500m')));
    await env.createPod(pod('big-b', requests('1500m')));
    await env.createPod(pod('big-c', requests('1500m')));
    const nodes = new Set([await env.waitBound('big-a'), await env.waitBound('big-b'), await env.waitBound('big-c')]);
    assert.equal(nodes.size, 3, 'each 1.5-cpu pod needs its own 2-cpu node');
    await env.createPod(pod('big-d', requests('1500m')));
    const msg = await env.waitUnschedulable('big-d');
    assert.equal(msg, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
    const ev = await waitFor(async () => (await env.events('big-d')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, msg);
    // Freeing a node lets it in (AssignedPodDelete moves it out of the unschedulable pool).
    await env.client.resource('v1', 'pods').delete('default', 'big-a', { gracePeriodSeconds: 0 });
    await env.waitBound('big-d');
  });

  test('nodeSelector picks the labelled node; an unknown label leaves the pod Pending with the reason', async () => {
    await env.createPod(pod('sel', { nodeSelector: { 'topology.kubernetes.io/zone': 'z1' } }));
    assert.equal(await env.waitBound('sel'), 'n1');
    await env.createPod(pod('sel-none', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await env.waitUnschedulable('sel-none'), "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    // Labelling a node (NodeUpdate) makes it fit.
    await env.client.resource('v1', 'nodes').patch(undefined, 'n2', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    assert.equal(await env.waitBound('sel-none'), 'n2');
  });
});
