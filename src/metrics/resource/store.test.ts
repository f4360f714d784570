import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Summary } from './scrape.ts';
import { ResourceMetricsStore } from './store.ts';

const T0 = Date.parse('2026-11-22T05:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function summary(at: number, nodeCpuNs: number, pods: { name: string; containers: [string, number, number][] }[], nodeStart = T0 - 3_600_000): Summary {
  return {
    node: { nodeName: 'n1', startTime: iso(nodeStart), cpu: { time: iso(at), usageCoreNanoSeconds: nodeCpuNs }, memory: { time: iso(at), usageBytes: 2e9, workingSetBytes: 1e9 } },
    pods: pods.map((p) => ({
      podRef: { name: p.name, namespace: 'default', uid: `u-${p.name}` },
      startTime: iso(T0 - 10_000),
      cpu: { time: iso(at), usageCoreNanoSeconds: 0 },
      memory: { time: iso(at), usageBytes: 0, workingSetBytes: 0 },
      containers: p.containers.map(([name, cpuNs, mem]) => ({ name, startTime: iso(T0 - 10_000), cpu: { time: iso(at), usageCoreNanoSeconds: cpuNs }, memory: { time: iso(at), usageBytes: mem, workingSetBytes: mem } })),
    })),
  };
}

test('cpu is the rate between the last two scrapes; timestamp and window come from them', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 5e9, 1000]] }]));
  s.add('n1', summary(T0 + 15_000, 115e9, [{ name: 'web', containers: [['app', 5e9 + 1.5e9, 2048]] }]));
  const n = s.node('n1')!;
  assert.equal(n.windowMs, 15_000);
  assert.equal(n.timestamp, T0 + 15_000);
  assert.equal(n.cpu, 1e9, '15 s of cpu in 15 s: one core');
  const p = s.pod('default', 'web')!;
  assert.deepEqual(p.containers, [{ name: 'app', cpu: 1e8, memoryBytes: 2048 }]);
  assert.equal(p.windowMs, 15_000);
});

test('a container seen once is measured from its start time', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 1e9, 10]] }]));
  const p = s.pod('default', 'web')!;
  assert.equal(p.windowMs, 10_000);
  assert.equal(p.containers[0]!.cpu, 1e8, '1 s of cpu over the 10 s since it started');
});

test('a restarted container starts a new series; pods and nodes that go away are forgotten', () => {
  const s = new ResourceMetricsStore();
  s.add('n1', summary(T0, 100e9, [{ name: 'web', containers: [['app', 9e9, 10]] }, { name: 'db', containers: [['db', 1e9, 10]] }]));
  // Counter went backwards: a new instance; measured from its start again, never negative.
  s.add('n1', summary(T0 + 15_000, 110e9, [{ name: 'web', containers: [['app', 1e9, 10]] }]));
  assert.ok(s.pod('default', 'web')!.containers[0]!.cpu >= 0);
  assert.equal(s.pod('default', 'db'), undefined, 'absent from the newest summary');
  s.retain(new Set());
  assert.equal(s.node('n1'), undefined);
  assert.equal(s.pod('default', 'web'), undefined);
});
