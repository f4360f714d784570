import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PodSpec } from 'kubernetes-types/core/v1.js';
import { nodeShouldRunDaemonPod, toleratesTaint, withDaemonTolerations } from './predicates.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Node['spec'] extends infer S ? (S extends { taints?: infer T } ? T : never) : never = []): Node => ({ metadata: { name, labels }, spec: { taints } });
const spec = (s: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: 'c' }], ...s });

test('toleration matching follows Kubernetes ToleratesTaint', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  const rows: [string, object, boolean][] = [
    ['equal key and value', { key: 'k', value: 'v', effect: 'NoSchedule' }, true],
    ['other value', { key: 'k', value: 'w', effect: 'NoSchedule' }, false],
    ['exists on the key', { key: 'k', operator: 'Exists' }, true],
    ['empty key with Exists tolerates all', { operator: 'Exists' }, true],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    ['empty key with Equal tolerates nothing', { value: 'v' }, false],
  ];
  for (const [name, tol, want] of rows) assert.equal(toleratesTaint(tol, taint), want, name);
});

test('where a daemon pod runs', () => {
  const rows: [string, PodSpec, Node, boolean, boolean][] = [
    ['a plain node', spec(), node('n'), true, true],
    ['nodeSelector matches', spec({ nodeSelector: { disk: 'ssd' } }), node('n', { disk: 'ssd' }), true, true],
    ['nodeSelector misses', spec({ nodeSelector: { disk: 'ssd' } }), node('n'), false, false],
    ['untolerated NoSchedule: keeps running, no new pod', spec(), node('n', {}, [{ key: 'a', effect: 'NoSchedule' }]), false, true],
    ['untolerated NoExecute: evicted', spec(), node('n', {}, [{ key: 'a', effect: 'NoExecute' }]), false, false],
    ['PreferNoSchedule does not matter', spec(), node('n', {}, [{ key: 'a', effect: 'PreferNoSchedule' }]), true, true],
    ['unschedulable taint is tolerated by every daemon pod', spec(), node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), true, true],
    ['not-ready NoExecute is tolerated', spec(), node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), true, true],
    ['network-unavailable only for hostNetwork', spec(), node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), false, true],
    ['network-unavailable with hostNetwork', spec({ hostNetwork: true }), node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), true, true],
    ['node affinity In', spec({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } }), node('n', { zone: 'a' }), true, true],
    ['node affinity NotIn', spec({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }] } } } }), node('n', { zone: 'a' }), false, false],
    ['template nodeName elsewhere', spec({ nodeName: 'other' }), node('n'), false, false],
  ];
  for (const [name, s, n, run, cont] of rows) assert.deepEqual(nodeShouldRunDaemonPod(s, n), { shouldRun: run, shouldContinueRunning: cont }, name);
});

test('daemon tolerations are added once', () => {
  const t = withDaemonTolerations(spec({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));
  assert.equal(t.filter((x) => x.key === 'node.kubernetes.io/not-ready').length, 1);
  assert.equal(t.find((x) => x.key === 'node.kubernetes.io/not-ready')?.tolerationSeconds, 10, 'the pod’s own toleration wins');
  assert.equal(t.length, 6);
});
