import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerStats, ContainerStatus, PodSandboxStatus, Runtime } from '../../engine/runtime.ts';
import { StatsProvider } from './stats.ts';
import { CPURates } from './stats-rate.ts';

const T0 = Date.parse('2026-11-22T05:00:00Z');

describe('CPU rates from two samples', () => {
  test('the first sample of a series has no rate; the second gives the rate over the interval', () => {
    const r = new CPURates();
    // 3 s of CPU already used (start-up): must not show as a rate.
    assert.equal(r.rate('c', 3e9, T0), undefined);
    // 0.5 s of CPU in the next 10 s: 50m, whatever was used before.
    assert.equal(r.rate('c', 3.5e9, T0 + 10_000), 5e7);
    assert.equal(r.rate('c', 3.5e9, T0 + 20_000), 0, 'idle: zero, a real rate');
  });

  const rows: [string, [number, number][], (number | undefined)[]][] = [
    ['one core busy for 15 s', [[0, T0], [15e9, T0 + 15_000]], [undefined, 1e9]],
    ['a counter that goes back is a new instance: no rate until its second sample', [[9e9, T0], [1e9, T0 + 10_000], [2e9, T0 + 20_000]], [undefined, undefined, 1e8]],
    ['a sample no newer than the cached one repeats the last rate and keeps the cache', [[0, T0], [1e9, T0 + 10_000], [1e9, T0 + 10_000], [3e9, T0 + 20_000]], [undefined, 1e8, 1e8, 2e8]],
    ['a repeated first sample still has no rate', [[5e9, T0], [5e9, T0]], [undefined, undefined]],
  ];
  for (const [name, samples, want] of rows) {
    test(name, () => {
      const r = new CPURates();
      assert.deepEqual(samples.map(([ns, at]) => r.rate('c', ns, at)), want);
    });
  }

  test('retain forgets the series of containers gone', () => {
    const r = new CPURates();
    r.rate('a', 1, T0);
    r.rate('b', 1, T0);
    r.retain(new Set(['a']));
    assert.equal(r.size, 1);
    assert.equal(r.rate('b', 2e9, T0 + 1000), undefined, 'b starts over');
  });
});

describe('the Summary API', () => {
  /** A runtime with one pod of two containers whose counters and clock the test sets. */
  function stubRuntime() {
    const state = { at: T0, cpu: { app: 0, side: 0 } as Record<string, number> };
    const sb: PodSandboxStatus = { id: 'sb1', metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 }, state: 'ready', createdAt: T0 - 60_000, labels: {}, annotations: {} };
    const container = (name: string): ContainerStatus => ({ id: `c-${name}`, podSandboxId: 'sb1', metadata: { name, attempt: 0 }, state: 'running', createdAt: T0 - 5000, startedAt: T0 - 4000, finishedAt: 0, exitCode: 0, image: 'busybox', imageRef: 'sha256:x', logPath: '/dev/null', labels: {}, annotations: {} });
    const runtime = {
      listPodSandboxes: async () => [sb],
      listContainers: async () => [container('app'), container('side')],
      listContainerStats: async (): Promise<ContainerStats[]> =>
        Object.entries(state.cpu).map(([name, ns]) => ({ id: `c-${name}`, timestamp: state.at, cpuUsageCoreNanoSeconds: ns, memoryUsageBytes: 1 << 20, memoryWorkingSetBytes: 1 << 20 })),
    } as unknown as Runtime;
    return { runtime, state };
  }

  test('the first summary has no usageNanoCores for containers, pods or the node; the second has the rates', async () => {
    const { runtime, state } = stubRuntime();
    const stats = new StatsProvider(runtime, 'n1', () => state.at);
    // Start-up CPU in the counters already: 120 ms and 40 ms.
    state.cpu = { app: 120e6, side: 40e6 };
    const first = await stats.summary();
    const pod = first.pods[0]!;
    assert.deepEqual(pod.containers.map((c) => c.cpu.usageNanoCores), [undefined, undefined]);
    assert.ok(!('usageNanoCores' in pod.cpu), 'no pod rate from one sample');
    assert.equal(pod.cpu.usageCoreNanoSeconds, 160e6, 'the cumulative counter is there');
    assert.ok(!('usageNanoCores' in first.node.cpu), 'no node rate from one sample');

    // 10 s later: app used 20 ms more (2m), side nothing.
    state.at = T0 + 10_000;
    state.cpu = { app: 140e6, side: 40e6 };
    const second = await stats.summary();
    const p2 = second.pods[0]!;
    assert.deepEqual(p2.containers.map((c) => [c.name, c.cpu.usageNanoCores]), [['app', 2e6], ['side', 0]]);
    assert.equal(p2.cpu.usageNanoCores, 2e6);
    assert.equal(typeof second.node.cpu.usageNanoCores, 'number');
  });

  test('a pod whose containers do not all have a rate has none', async () => {
    const { runtime, state } = stubRuntime();
    const stats = new StatsProvider(runtime, 'n1', () => state.at);
    state.cpu = { app: 1e9 };
    await stats.summary();
    state.at = T0 + 10_000;
    state.cpu = { app: 2e9, side: 5e6 }; // side's first sample
    const s = await stats.summary();
    assert.deepEqual(s.pods[0]!.containers.map((c) => c.cpu.usageNanoCores), [1e8, undefined]);
    assert.ok(!('usageNanoCores' in s.pods[0]!.cpu));
  });
});
