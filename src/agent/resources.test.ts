import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { linuxResources, podCgroupParent, podQOS } from './resources.ts';

const pod = (resources: object[]): Pod => ({ metadata: { uid: 'u' }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) } });

test('QoS classes and cgroup parents', () => {
  const rows: [object[], string, string][] = [
    [[{}], 'BestEffort', 'kubepods/besteffort/podu'],
    [[{ limits: { cpu: '1', memory: '1Gi' } }], 'Guaranteed', 'kubepods/podu'],
    [[{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }], 'Guaranteed', 'kubepods/podu'],
    [[{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }], 'Burstable', 'kubepods/burstable/podu'],
    [[{ requests: { cpu: '100m' } }], 'Burstable', 'kubepods/burstable/podu'],
    [[{ limits: { cpu: '1', memory: '1Gi' } }, {}], 'Burstable', 'kubepods/burstable/podu'],
  ];
  for (const [r, qos, parent] of rows) {
    assert.equal(podQOS(pod(r)), qos, JSON.stringify(r));
    assert.equal(podCgroupParent(pod(r)), parent);
  }
});

test('cpu shares from requests (min 2), quota from limits, memory limit', () => {
  const p = pod([{ requests: { cpu: '1m' }, limits: { cpu: '1500m', memory: '100Mi' } }]);
  const r = linuxResources(p, p.spec!.containers[0]!, { memoryCapacityBytes: 1 << 30, pidsLimit: 1024 });
  assert.equal(r.cpuShares, 2);
  assert.equal(r.cpuQuota, 150_000);
  assert.equal(r.cpuPeriod, 100_000);
  assert.equal(r.memoryLimitBytes, 100 * 1024 * 1024);
  assert.equal(r.pidsLimit, 1024);
  const none = pod([{}]);
  assert.deepEqual(linuxResources(none, none.spec!.containers[0]!, { memoryCapacityBytes: 1 << 30 }), { cpuShares: 2, oomScoreAdj: 1000 });
});
