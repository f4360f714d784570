import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pod, requests, startSchedulerEnv, type SchedulerEnv } from './env.ts';
import { waitFor } from '../support/wait.ts';

describe('scheduler: affinity, taints, spread through the API with hollow nodes', () => {
  let env: SchedulerEnv;
  // Six nodes in three zones; n5 carries a gpu taint; n0 and n1 are "fast".
  before(async () => {
    env = await startSchedulerEnv(
      {},
      {
        count: 6,
        namePrefix: 'n',
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        labels: (i) => ({ 'topology.kubernetes.io/zone': `zone-${i % 3}`, ...(i < 2 ? { speed: 'fast' } : {}) }),
        taints: (i) => (i === 5 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : undefined),
      },
    );
  });
  after(async () => env.stop());

  test('required node affinity (In) places the pod only on matching nodes', async () => {
    await env.createPod(pod('req-aff', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'speed', operator: 'In', values: ['fast'] }] }] } } } }));
    assert.match(await env.waitBound('req-aff'), /^n[01]$/);
  });

  test('preferred node affinity wins when it can', async () => {
    for (let i = 0; i < 4; i++) {
      await env.createPod(pod(`pref-${i}`, { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-2'] }] } }] } } }));
    }
    for (let i = 0; i < 4; i++) assert.equal(await env.waitBound(`pref-${i}`), 'n2', 'zone-2 holds n2 and n5 (tainted), so n2');
  });

  test('a NoSchedule taint keeps pods out unless tolerated; the message names the taint', async () => {
    await env.createPod(pod('gpu-only', { nodeSelector: { 'kubernetes.io/hostname': 'n5' } }));
    const msg = await env.waitUnschedulable('gpu-only');
    assert.equal(msg, "0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 5 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.");
    await env.createPod(pod('gpu-tolerant', { nodeSelector: { 'kubernetes.io/hostname': 'n5' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    assert.equal(await env.waitBound('gpu-tolerant'), 'n5');
    // Removing the taint (NodeUpdate) lets the first one in too.
    await env.client.resource('v1', 'nodes').patch(undefined, 'n5', 'merge', { spec: { taints: null } });
    assert.equal(await env.waitBound('gpu-only'), 'n5');
  });

  test('hard topology spread across zones keeps the skew within maxSkew', async () => {
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }] };
    const zones: Record<string, number> = {};
    for (let i = 0; i < 6; i++) {
      await env.createPod(pod(`spread-${i}`, spread, { app: 'spread' }));
      const node = await env.waitBound(`spread-${i}`);
      const zone = `zone-${Number(node.slice(1)) % 3}`;
      zones[zone] = (zones[zone] ?? 0) + 1;
    }
    assert.deepEqual(Object.values(zones).sort(), [2, 2, 2]);
  });

  test('required anti-affinity keeps replicas apart, and the seventh cannot go anywhere', async () => {
    const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'apart' } } }] } } };
    const nodes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      await env.createPod(pod(`apart-${i}`, anti, { app: 'apart' }));
      nodes.add(await env.waitBound(`apart-${i}`));
    }
    assert.equal(nodes.size, 6);
    await env.createPod(pod('apart-6', anti, { app: 'apart' }));
    assert.equal(await env.waitUnschedulable('apart-6'), "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.");
  });

  test('required pod affinity follows the pod it names into its zone', async () => {
    await env.createPod(pod('anchor', { nodeSelector: { 'kubernetes.io/hostname': 'n4' } }, { role: 'anchor' }));
    await env.waitBound('anchor');
    const aff = { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { role: 'anchor' } } }] } } };
    await env.createPod(pod('follower', aff));
    assert.match(await env.waitBound('follower'), /^n[14]$/, 'zone-1 is n1 and n4');
  });

  test('preemption: a high-priority pod evicts a lower-priority one and takes its place', async () => {
    await env.client.resource('scheduling.k8s.io/v1', 'priorityclasses').create(undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 } as never);
    // Fill the cpu of zone-0's n3 with a low-priority pod; the high one is pinned there too.
    const pin = { nodeSelector: { 'kubernetes.io/hostname': 'n3' } };
    await env.createPod(pod('low', { ...pin, ...requests('7') }));
    assert.equal(await env.waitBound('low'), 'n3');
    const high = await env.createPod(pod('high', { ...pin, ...requests('7'), priorityClassName: 'high' }));
    assert.equal(high.spec?.priority, 1000, 'the Priority admission resolved the class');
    assert.equal(await env.waitBound('high', 'default', 20_000), 'n3');
    await waitFor(async () => !(await env.client.resource<Pod>('v1', 'pods').list('default')).items.some((p) => p.metadata?.name === 'low'), 'the victim to be gone');
    const ev = await waitFor(async () => (await env.events('low')).find((e) => e.reason === 'Preempted'), 'Preempted event');
    assert.equal(ev.message, `Preempted by pod ${high.metadata!.uid} on node n3`);
  });
});
