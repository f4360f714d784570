import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Summary } from './scrape.ts';
import { ResourceMetricsStore } from './store.ts';

const T0 = Date.parse('2026-11-22T05:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** [name, cumulative cpu ns, working set, started ms before the sample (default 10 min)] */
type C = [string, number, number, number?];

function summary(at: number, nodeCpuNs: number, pods: { name: string; containers: C[] }[], nodeStart = T0 - 3_600_000): Summary {
  return {
    node: { nodeName: 'n1', startTime: iso(nodeStart), cpu: { time: iso(at), usageCoreNanoSeconds: nodeCpuNs }, memory: { time: iso(at), usageBytes: 2e9, workingSetBytes: 1e9 } },
    pods: pods.map((p) => ({
      podRef: { name: p.name, namespace: 'default', uid: `u-${p.name}` },
      startTime: iso(T0 - 600_000),
      cpu: { time: iso(at), usageCoreNanoSeconds: 0 },
      memory: { time: iso(at), usageBytes: 0, workingSetBytes: 0 },
      containers: p.containers.map(([name, cpuNs, mem, age]) => ({ name, startTime: iso(at - (age ?? 600_000)), cpu: { time: iso(at), usageCoreNanoSeconds: cpuNs }, memory: { time: iso(at), usageBytes: mem, workingSetBytes: mem } })),
    })),
  };
}

test('cpu is the rate between the last two scrapes; timestamp and window come from them', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 5e9, 1000]] }]));
  s.add('n1', summary(T0 + 15_000, 115e9, [{ name: 'web', containers: [['app', 5e9 + 1.5e9, 2048, 615_000]] }]));
  const n = s.node('n1')!;
  assert.equal(n.windowMs, 15_000);
  assert.equal(n.timestamp, T0 + 15_000);
  assert.equal(n.cpu, 1e9, '15 s of cpu in 15 s: one core');
  const p = s.pod('default', 'web')!;
  assert.deepEqual(p.containers, [{ name: 'app', cpu: 1e8, memoryBytes: 2048 }]);
  assert.equal(p.windowMs, 15_000);
});

test('one scrape gives no metrics: the cpu used since start (start-up work) is not a rate', () => {
  const s = new ResourceMetricsStore();
  // Started 40 s ago, busy starting up (2 s of CPU), idle since.
  s.add('n1', summary(T0, 100e9, [{ name: 'idle', containers: [['app', 2e9, 10, 40_000]] }]));
  assert.equal(s.pod('default', 'idle'), undefined);
  assert.equal(s.node('n1'), undefined, 'a node needs two points too');
  s.add('n1', summary(T0 + 15_000, 101e9, [{ name: 'idle', containers: [['app', 2e9, 10, 55_000]] }]));
  assert.equal(s.pod('default', 'idle')!.containers[0]!.cpu, 0, 'idle over the window');
  assert.equal(s.node('n1')!.cpu, Math.round(1e9 / 15));
});

// metrics-server's fresh-container exception: a container younger than one
// resolution but at least 10 s old is measured from its start.
const fresh: [string, number, boolean][] = [
  ['started 12 s before the point: measured from its start', 12_000, true],
  ['started exactly 10 s before', 10_000, true],
  ['started 5 s before: too short a window, no metrics', 5_000, false],
  ['started 15 s (one resolution) before: no exception', 15_000, false],
  ['started a minute before: no exception', 60_000, false],
];
for (const [name, age, has] of fresh) {
  test(`a container seen once, ${name}`, () => {
    const s = new ResourceMetricsStore(15_000);
    s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 1e9, 10, age]] }]));
    const p = s.pod('default', 'web');
    if (!has) return assert.equal(p, undefined);
    assert.equal(p!.windowMs, age);
    assert.equal(p!.containers[0]!.cpu, Math.round(1e18 / (age * 1e6)), '1 s of cpu over its life');
  });
}

test('a pod is left out until every container has two points; its time is its earliest container\'s', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 1e9, 10]] }]));
  // The sidecar (re)appears: its first point; the pod waits for it.
  s.add('n1', summary(T0 + 15_000, 110e9, [{ name: 'web', containers: [['app', 2e9, 10, 615_000], ['side', 1e9, 10, 2_000]] }]));
  assert.equal(s.pod('default', 'web'), undefined);
  s.add('n1', summary(T0 + 30_000, 120e9, [{ name: 'web', containers: [['app', 3e9, 10, 630_000], ['side', 1.5e9, 10, 17_000]] }]));
  const p = s.pod('default', 'web')!;
  assert.deepEqual(p.containers.map((c) => [c.name, c.cpu]), [['app', Math.round(1e9 / 15)], ['side', Math.round(0.5e9 / 15)]]);
  assert.equal(p.timestamp, T0 + 30_000);
  assert.equal(p.windowMs, 15_000);
});

test('a restarted container starts a new series; pods and nodes that go away are forgotten', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 9e9, 10]] }, { name: 'db', containers: [['db', 1e9, 10]] }]));
  // Restarted 3 s ago: a new instance with a small counter; no metrics until its next point, never negative.
  s.add('n1', summary(T0 + 15_000, 110e9, [{ name: 'web', containers: [['app', 1e9, 10, 3_000]] }]));
  assert.equal(s.pod('default', 'web'), undefined);
  s.add('n1', summary(T0 + 30_000, 120e9, [{ name: 'web', containers: [['app', 1.3e9, 10, 18_000]] }]));
  assert.equal(s.pod('default', 'web')!.containers[0]!.cpu, 2e7);
  assert.equal(s.pod('default', 'db'), undefined, 'absent from the newest summary');
  s.retain(new Set());
  assert.equal(s.node('n1'), undefined);
  assert.equal(s.pod('default', 'web'), undefined);
});

test('a failed scrape forgets that node only', () => {
  const s = new ResourceMetricsStore();
  for (const at of [T0, T0 + 15_000]) {
    s.add('n1', summary(at, at / 1e3, [{ name: 'a', containers: [['c', at / 1e3, 1]] }]));
    s.add('n2', summary(at, at / 1e3, [{ name: 'b', containers: [['c', at / 1e3, 1]] }]));
  }
  s.dropNode('n1');
  assert.equal(s.node('n1'), undefined);
  assert.equal(s.pod('default', 'a'), undefined);
  assert.ok(s.node('n2'));
  assert.ok(s.pod('default', 'b'));
});
