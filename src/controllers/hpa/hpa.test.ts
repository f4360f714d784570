import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calcReplicas, groupPods, type CalcOptions, type PodInfo, type PodMetric, type Target } from './replicas.ts';
import { limit, rulesOf, scaleDownLimit, scaleUpLimit, stabilize } from './behavior.ts';
import { parseGoDuration, podMetricsFor } from './podmetrics.ts';
import { podInfo } from './podinfo.ts';

const NOW = Date.parse('2026-11-22T05:00:00Z');
const MIN = 60_000;
const opts: CalcOptions = { now: NOW };

/** A Running pod started 10 min ago, Ready for 9, requesting 100 (millicores). */
const pod = (name: string, o: Partial<PodInfo> = {}): PodInfo => ({ name, phase: 'Running', startTime: NOW - 10 * MIN, ready: { status: 'True', lastTransitionTime: NOW - 9 * MIN }, request: 100, ...o });
const pods = (n: number, o: Partial<PodInfo> = {}) => Array.from({ length: n }, (_, i) => pod(`p${i}`, o));
/** A sample taken 5 s ago over a 15 s window. */
const metric = (value: number, o: Partial<PodMetric> = {}): PodMetric => ({ value, timestamp: NOW - 5000, windowMs: 15_000, ...o });
const use = (...v: (number | PodMetric | undefined)[]) => new Map(v.flatMap((m, i) => (m === undefined ? [] : [[`p${i}`, typeof m === 'number' ? metric(m) : m] as const])));
const util = (u: number): Target => ({ utilization: u });

describe('replica calculation', () => {
  const rows: [string, number, PodInfo[], Map<string, PodMetric>, Target, number][] = [
    // docs: desiredReplicas = ceil[currentReplicas * ( currentMetricValue / desiredMetricValue )]
    ['docs: 200m used of a 100m target doubles the replicas', 2, pods(2), use(200, 200), util(100), 4],
    ['docs: 50m used of a 100m target halves them', 2, pods(2), use(50, 50), util(100), 1],
    ['within the 10% tolerance nothing changes', 4, pods(4), use(105, 108, 95, 100), util(100), 4],
    ['just past the tolerance scales', 4, pods(4), use(115, 115, 115, 115), util(100), 5],
    ['utilization is a whole percent: 133.9% is 133%, ceil(1.33 × 3) = 4 (not 5)', 3, pods(3, { request: 1000 }), use(1339, 1339, 1339), util(100), 4],
    // Unready pods: left out of the ratio; on a scale up they count as using nothing.
    ['scaling up, an unready pod counts as using nothing', 3, [...pods(2), pod('p2', { startTime: NOW - 2 * MIN, ready: { status: 'False', lastTransitionTime: NOW - MIN } })], use(200, 200, 900), util(100), 4],
    ['scaling up, an unready pod that turns the direction around keeps the count', 4, [pod('p0'), ...['p1', 'p2', 'p3'].map((n) => pod(n, { phase: 'Pending' }))], use(120), util(100), 4],
    ['scaling down, unready pods are left out', 3, [...pods(2), pod('p2', { startTime: NOW - 2 * MIN, ready: { status: 'False', lastTransitionTime: NOW - MIN } })], use(20, 20, 900), util(50), 1],
    // Missing metrics: 0 on a scale up, the whole request on a scale down.
    ['scaling up, a pod without metrics counts as using nothing', 3, pods(3), use(200, 200), util(100), 4],
    ['scaling down, a pod without metrics counts as using its whole request', 3, pods(3), use(20, 20), util(50), 3],
    ['scaling down with a target above 100%, a pod without metrics counts as using the target: (30+3×150)/400 = 120% → 4, not 3', 4, pods(4), use(30), util(150), 4],
    ['scaling down with a target of 100% or less, it counts as 100%: (10+10+100+100)/400 = 55% → 3, not 1', 4, pods(4), use(10, 10), util(100), 3],
    ['deleted and failed pods are ignored', 2, [...pods(2), pod('p2', { deleting: true }), pod('p3', { phase: 'Failed' })], use(200, 200, 0, 0), util(100), 4],
    ['average value: 300 per pod of a 100 target triples them, requests or not', 2, pods(2, { request: 0, missingRequest: 'app' }), use(300, 300), { averageValue: 100 }, 6],
    ['average value: scaling down, a pod without metrics counts as the target: (20+20+50)/3 = 30 → 2, not 1', 3, pods(3), use(20, 20), { averageValue: 50 }, 2],
  ];
  for (const [name, current, ps, u, target, want] of rows) {
    test(name, () => {
      const r = calcReplicas(current, ps, u, 'cpu', target, opts);
      assert.equal(r.error, undefined);
      assert.equal(r.replicas, want);
    });
  }

  test('utilization and the average value are those of the ready pods', () => {
    const r = calcReplicas(3, [...pods(2), pod('p2', { phase: 'Pending' })], use(40, 61), 'cpu', util(80), opts);
    assert.deepEqual([r.utilization, r.averageValue], [50, 50]);
  });

  // The reported case: idle pods and one just started, whose first sample carries its start-up CPU.
  test('a start-up sample does not make idle pods look busy: no scale up', () => {
    const fresh = pod('p2', { startTime: NOW - 20_000, ready: { status: 'True', lastTransitionTime: NOW - 18_000 } });
    // metrics-server measured it from its start (19 s ago) to 6 s ago: 172m.
    const startup = metric(172, { timestamp: NOW - 6000, windowMs: 13_000 });
    const r = calcReplicas(3, [...pods(2), fresh], use(1, 1, startup), 'cpu', util(50), opts);
    assert.equal(r.utilization, 1);
    assert.ok(r.replicas <= 3, `not a scale up: ${r.replicas}`);
    // Without the initialization rule it would have read (1+1+172)/300 = 58% of 50%, a scale up.
  });

  describe('which pods are unready (cpu)', () => {
    const m = metric(10);
    const rows: [string, Partial<PodInfo>, PodMetric, boolean][] = [
      ['Ready long ago', {}, m, false],
      ['no Ready condition', { ready: undefined }, m, true],
      ['no start time', { startTime: undefined }, m, true],
      ['initializing (started 1 min ago) and not Ready', { startTime: NOW - MIN, ready: { status: 'False', lastTransitionTime: NOW - 50_000 } }, m, true],
      ['initializing, Ready, the sample window began before it became Ready', { startTime: NOW - MIN, ready: { status: 'True', lastTransitionTime: NOW - 15_000 } }, m, true],
      ['initializing, Ready, the sample taken a whole window after it became Ready', { startTime: NOW - MIN, ready: { status: 'True', lastTransitionTime: NOW - 20_000 } }, m, false],
      ['initialization period over (5 min), not Ready and never has been', { startTime: NOW - 6 * MIN, ready: { status: 'False', lastTransitionTime: NOW - 6 * MIN + 10_000 } }, m, true],
      ['initialization period over, not Ready now but was Ready before', { startTime: NOW - 6 * MIN, ready: { status: 'False', lastTransitionTime: NOW - MIN } }, m, false],
      ['initialization period over, Ready', { startTime: NOW - 6 * MIN, ready: { status: 'True', lastTransitionTime: NOW - 10_000 } }, m, false],
    ];
    for (const [name, o, sample, unready] of rows) {
      test(name, () => {
        const g = groupPods([pod('p', o)], new Map([['p', sample]]), 'cpu', opts);
        assert.equal(g.unready.has('p'), unready);
        assert.equal(g.readyCount, unready ? 0 : 1);
      });
    }
    test('a shorter initialization period ends the rule sooner', () => {
      const o = { startTime: NOW - 2 * MIN, ready: { status: 'True', lastTransitionTime: NOW - 10_000 } };
      assert.equal(groupPods([pod('p', o)], new Map([['p', m]]), 'cpu', opts).unready.size, 1);
      assert.equal(groupPods([pod('p', o)], new Map([['p', m]]), 'cpu', { ...opts, cpuInitializationPeriodMs: MIN }).unready.size, 0);
    });
    test('other resources than cpu do not look at readiness', () => {
      const g = groupPods([pod('p', { ready: undefined })], new Map([['p', m]]), 'memory', opts);
      assert.deepEqual([g.readyCount, g.unready.size], [1, 0]);
    });
    test('Pending pods are unready, metrics or not; pods without metrics are missing', () => {
      const g = groupPods([pod('a', { phase: 'Pending' }), pod('b')], new Map(), 'memory', opts);
      assert.deepEqual([[...g.unready], [...g.missing]], [['a'], ['b']]);
    });
  });

  test('errors, with Kubernetes\' messages, change nothing', () => {
    const err = (current: number, ps: PodInfo[], u: Map<string, PodMetric>, t: Target = util(50)) => {
      const r = calcReplicas(current, ps, u, 'cpu', t, opts);
      assert.equal(r.replicas, current);
      return r.error;
    };
    assert.equal(err(3, [], new Map()), 'no pods returned by selector while calculating replica count');
    assert.equal(err(3, pods(3), new Map()), 'did not receive metrics for targeted pods (pods might be unready)');
    assert.equal(err(2, pods(2, { ready: undefined }), use(90, 90)), 'did not receive metrics for targeted pods (pods might be unready)');
    assert.equal(err(2, [pod('p0'), pod('p1', { missingRequest: 'sidecar' })], use(10, 10)), 'missing request for cpu in container sidecar of Pod p1');
  });
});

describe('reading pods and PodMetrics', () => {
  test('Go durations', () => {
    const rows: [string, number | undefined][] = [['15s', 15_000], ['1m0.5s', 60_500], ['250ms', 250], ['1h2m3s', 3_723_000], ['1.5µs', 0.0015], ['0', 0], ['', undefined], ['15', undefined], ['s', undefined], ['3x', undefined]];
    for (const [s, want] of rows) assert.equal(parseGoDuration(s), want, s);
  });
  test('a pod\'s metric is the sum over its containers; a container without the resource drops the pod', () => {
    const m = podMetricsFor(
      [
        { metadata: { name: 'a' }, timestamp: '2026-11-22T05:00:00Z', window: '15.2s', containers: [{ name: 'x', usage: { cpu: '150m', memory: '1Mi' } }, { name: 'y', usage: { cpu: '2500000n', memory: '1Mi' } }] },
        { metadata: { name: 'b' }, timestamp: '2026-11-22T05:00:00Z', window: '15s', containers: [{ name: 'x', usage: { memory: '1Mi' } }] },
        { metadata: { name: 'c' }, timestamp: '2026-11-22T05:00:00Z', window: '15s', containers: [] },
      ],
      'cpu',
    );
    assert.deepEqual([...m.keys()], ['a']);
    assert.deepEqual(m.get('a'), { value: 153, timestamp: NOW, windowMs: 15_200 });
  });
  test('a pod\'s request counts sidecar init containers and names the first container without one', () => {
    const p = podInfo(
      {
        metadata: { name: 'w', deletionTimestamp: '2026-11-22T05:00:00Z' },
        spec: {
          initContainers: [{ name: 'init', resources: {} }, { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }],
          containers: [{ name: 'app', resources: { requests: { cpu: '0.1' } } }, { name: 'log' }],
        },
        status: { phase: 'Running', startTime: '2026-11-22T04:50:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-22T04:51:00Z' }] },
      },
      'cpu',
    );
    assert.deepEqual(p, { name: 'w', phase: 'Running', deleting: true, startTime: NOW - 10 * MIN, ready: { status: 'True', lastTransitionTime: NOW - 9 * MIN }, request: 150, missingRequest: 'log' });
  });
});

describe('scaling behavior', () => {
  const rules = rulesOf(undefined);
  const now = 1_000_000;
  test('scale down follows the highest recommendation of the last 5 minutes', () => {
    const history = [{ at: now - 200_000, replicas: 8 }, { at: now - 100_000, replicas: 6 }];
    assert.deepEqual(stabilize(10, 3, history, now, rules).replicas, 8);
    assert.equal(stabilize(10, 3, history, now, rules).reason, 'ScaleDownStabilized');
    assert.equal(stabilize(10, 3, [{ at: now - 400_000, replicas: 8 }], now, rules).replicas, 3);
  });
  test('scale up is not stabilized by default', () => {
    assert.equal(stabilize(2, 5, [{ at: now - 1000, replicas: 2 }], now, rules).replicas, 5);
  });
  test('scale up: double or +4 pods per 15 s, whichever is more', () => {
    assert.equal(scaleUpLimit(1, [], now, rules.up), 5);
    assert.equal(scaleUpLimit(10, [], now, rules.up), 20);
    // 6 pods were added 5 s ago: the period started at 4 → max(8, 8)
    assert.equal(scaleUpLimit(10, [{ at: now - 5000, change: 6 }], now, rules.up), 8);
  });
  test('scale down to anything per 15 s by default; Pods policy limits it', () => {
    assert.equal(scaleDownLimit(10, [], now, rules.down), 0);
    const r = rulesOf({ scaleDown: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } });
    assert.equal(scaleDownLimit(10, [], now, r.down), 8);
  });
  test('limits give the condition reasons Kubernetes gives', () => {
    assert.deepEqual(limit(2, 30, 1, 10, [], now, rules).reason, 'ScaleUpLimit');
    assert.deepEqual(limit(8, 30, 1, 10, [], now, rules), { replicas: 10, limited: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
    assert.deepEqual(limit(5, 1, 2, 10, [], now, rules).replicas, 2);
    assert.deepEqual(limit(5, 1, 2, 10, [], now, rules).reason, 'TooFewReplicas');
    assert.deepEqual(limit(5, 6, 1, 10, [], now, rules).reason, 'DesiredWithinRange');
  });
  test('a Disabled policy never scales that way', () => {
    const r = rulesOf({ scaleDown: { selectPolicy: 'Disabled' } });
    assert.equal(limit(5, 1, 1, 10, [], now, r).replicas, 5);
  });
});
