import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pod, requests, startSchedulerEnv, type SchedulerEnv } from './env.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

const skip = hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed';

describe('scheduler: what users read, and odd input', { skip }, () => {
  let env: SchedulerEnv;
  let kubectl: ReturnType<typeof kubectlRunner>;
  before(async () => {
    env = await startSchedulerEnv({}, { count: 3, namePrefix: 'n', capacity: { cpu: '1', memory: '2Gi', pods: '110' }, taints: (i) => (i === 0 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : undefined) });
    kubectl = kubectlRunner('1.32', env.cluster.kubeconfig);
  });
  after(async () => env.stop());

  test('kubectl describe pod of an unschedulable pod shows the FailedScheduling event with Kubernetes\' message', async () => {
    await env.createPod(pod('too-big', requests('2')));
    const msg = await env.waitUnschedulable('too-big');
    // 2 cpu exceeds each 1-cpu node's whole allocatable: no preemption can help anywhere.
    assert.equal(msg, '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    await waitFor(async () => (await env.events('too-big')).some((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
    const r = await kubectl(['describe', 'pod', 'too-big']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Status:\s+Pending/);
    assert.match(r.stdout, /PodScheduled\s+False/);
    const line = r.stdout.split('\n').find((l) => l.includes('FailedScheduling'));
    assert.ok(line, r.stdout);
    assert.match(line, /^\s+Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/);
  });

  test('repeated failures aggregate into one event with a count', async () => {
    // Each node change is an event that could help, so the pod is retried and fails the same way again.
    for (let i = 0; i < 3; i++) await env.client.resource('v1', 'nodes').patch(undefined, 'n1', 'merge', { metadata: { labels: { bump: String(i) } } });
    const ev = await waitFor(async () => (await env.events('too-big')).find((e) => e.reason === 'FailedScheduling' && (e.count ?? 0) > 1), 'an aggregated FailedScheduling event', 10_000);
    assert.equal((await env.events('too-big')).filter((e) => e.reason === 'FailedScheduling').length, 1);
    assert.ok(ev.count! > 1);
  });

  test('bad scheduling input is refused at create and changes nothing', async () => {
    const bad = [
      pod('bad-toleration', { tolerations: [{ key: 'k', operator: 'Sometimes', value: 'v' }] }),
      pod('bad-selector-key', { nodeSelector: { 'bad key!': 'x' } }),
      pod('bad-affinity-op', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }] } } } }),
      pod('bad-pod-affinity', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }] } } }),
      pod('bad-spread', { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] }),
    ];
    for (const p of bad) {
      await assert.rejects(env.createPod(p), (e: { code?: number; message?: string }) => e.code === 422, `${p.metadata.name} must be refused with 422`);
    }
    const names = (await env.client.resource('v1', 'pods').list('default')).items.map((p) => p.metadata?.name);
    for (const p of bad) assert.ok(!names.includes(p.metadata.name));
    const missing = env.createPod(pod('no-class', { priorityClassName: 'nope' }));
    await assert.rejects(missing, (e: { code?: number; message?: string }) => e.code === 403 && e.message === 'pods "no-class" is forbidden: no PriorityClass with name nope was found');
  });

  test('the scheduler keeps going after odd pods: it still places a plain pod', async () => {
    await env.createPod(pod('after-odd', requests('100m')));
    assert.match(await env.waitBound('after-odd'), /^n[12]$/);
    assert.equal(env.scheduler.stats.errors, 0);
  });
});
