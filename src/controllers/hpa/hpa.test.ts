import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calcReplicas, type PodSample } from './replicas.ts';
import { limit, rulesOf, scaleDownLimit, scaleUpLimit, stabilize } from './behavior.ts';

const pods = (n: number, o: Partial<PodSample> = {}): PodSample[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, ready: true, request: 100, allRequested: true, ...o }));
const use = (...m: number[]) => new Map(m.map((v, i) => [`p${i}`, v]));

describe('replica calculation', () => {
  const rows: [string, number, PodSample[], Map<string, number>, number][] = [
    // docs: desiredReplicas = ceil[currentReplicas * ( currentMetricValue / desiredMetricValue )]
    ['docs: 200m used of a 100m target doubles the replicas', 2, pods(2), use(200, 200), 4],
    ['docs: 50m used of a 100m target halves them', 2, pods(2), use(50, 50), 1],
    ['within the 10% tolerance nothing changes', 4, pods(4), use(105, 108, 95, 100), 4],
    ['just past the tolerance scales', 4, pods(4), use(115, 115, 115, 115), 5],
  ];
  for (const [name, current, ps, u, want] of rows) {
    test(name, () => assert.equal(calcReplicas(current, ps, u, { utilization: 100 }).replicas, want));
  }
  test('utilization is reported in percent of the requests', () => {
    assert.equal(calcReplicas(2, pods(2), use(40, 60), { utilization: 80 }).utilization, 50);
  });
  test('when scaling up, an unready pod counts as using nothing', () => {
    const ps = [...pods(2), { name: 'p2', ready: false, request: 100, allRequested: true }];
    // ready pods at 200% → up; with the unready at 0: (400)/300 = 133% of a 100% target → ceil(1.33*3)=4
    assert.equal(calcReplicas(3, ps, use(200, 200, 0), { utilization: 100 }).replicas, 4);
  });
  test('when scaling down, a pod without metrics counts as using its whole request', () => {
    const ps = pods(3);
    // measured 2 pods at 20%; missing third at 100%: 140/300 = 46.7% of a 50% target → inside tolerance: keep 3
    assert.equal(calcReplicas(3, ps, use(20, 20), { utilization: 50 }).replicas, 3);
  });
  test('a container without a request makes utilization impossible', () => {
    assert.match(calcReplicas(2, pods(2, { allRequested: false }), use(10, 10), { utilization: 50 }).error!, /missing request/);
  });
  test('an average value target works without requests', () => {
    assert.equal(calcReplicas(2, pods(2, { request: 0, allRequested: false }), use(300, 300), { averageValue: 100 }).replicas, 6);
  });
  test('no metrics at all is an error, not a change', () => {
    const r = calcReplicas(3, pods(3), new Map(), { utilization: 50 });
    assert.equal(r.replicas, 3);
    assert.match(r.error!, /did not receive metrics/);
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
