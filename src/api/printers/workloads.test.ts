import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { jobCompletions, jobStatus } from './batch.ts';
import { printTable } from './table.ts';

const now = new Date('2024-06-01T12:00:00Z');
const meta = { name: 'w', creationTimestamp: '2024-06-01T11:00:00Z' };
const template = {
  metadata: { labels: { app: 'w' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] },
};
const selector = { matchLabels: { app: 'w' } };

function cells(apiVersion: string, kind: string, obj: object): unknown[] {
  return printTable(apiVersion, kind, [obj], { now }).rows[0]?.cells ?? [];
}

describe('Deployment READY and counts', () => {
  const cases: [string, object, object, string][] = [
    ['ready over desired', { replicas: 3 }, { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 }, '2/3'],
    ['no status yet', { replicas: 3 }, {}, '0/3'],
    ['replicas defaults to 1', {}, { readyReplicas: 1 }, '1/1'],
    ['scaled to zero', { replicas: 0 }, {}, '0/0'],
  ];
  for (const [name, spec, status, want] of cases) {
    test(`${name}: ${want}`, () => {
      assert.equal(cells('apps/v1', 'Deployment', { metadata: meta, spec: { selector, template, ...spec }, status })[1], want);
    });
  }
  test('full row: UP-TO-DATE and AVAILABLE are numbers, wide cells joined', () => {
    const d = { metadata: meta, spec: { replicas: 3, selector, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    assert.deepEqual(cells('apps/v1', 'Deployment', d), ['w', '2/3', 3, 2, '60m', 'app,side', 'nginx:1.27,busybox', 'app=w']);
  });
  test('an empty selector prints "" for Deployment but <none> for ReplicaSet', () => {
    assert.equal(cells('apps/v1', 'Deployment', { metadata: meta, spec: { selector: {}, template } })[7], '');
    assert.equal(cells('apps/v1', 'ReplicaSet', { metadata: meta, spec: { selector: {}, template } })[7], '<none>');
  });
  test('match expressions render in canonical selector form', () => {
    const sel = { matchLabels: { app: 'w' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] };
    assert.equal(cells('apps/v1', 'Deployment', { metadata: meta, spec: { selector: sel, template } })[7], 'app=w,tier in (a,b)');
  });
});

describe('ReplicaSet, ReplicationController, DaemonSet, StatefulSet rows', () => {
  test('ReplicaSet DESIRED CURRENT READY are numbers', () => {
    const rs = { metadata: meta, spec: { replicas: 3, selector, template }, status: { replicas: 3, readyReplicas: 1 } };
    assert.deepEqual(cells('apps/v1', 'ReplicaSet', rs), ['w', 3, 3, 1, '60m', 'app,side', 'nginx:1.27,busybox', 'app=w']);
  });
  test('ReplicationController selector is a label set', () => {
    const rc = { metadata: meta, spec: { replicas: 2, selector: { b: '2', a: '1' }, template }, status: { replicas: 2 } };
    assert.deepEqual(cells('v1', 'ReplicationController', rc), ['w', 2, 2, 0, '60m', 'app,side', 'nginx:1.27,busybox', 'a=1,b=2']);
  });
  test('DaemonSet counts and NODE SELECTOR', () => {
    const ds = {
      metadata: meta,
      spec: { selector, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.deepEqual(cells('apps/v1', 'DaemonSet', ds), [
      'w', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60m', 'app,side', 'nginx:1.27,busybox', 'app=w',
    ]);
    assert.equal(cells('apps/v1', 'DaemonSet', { metadata: meta, spec: { selector, template } })[6], '<none>');
  });
  test('StatefulSet READY is ready/desired', () => {
    const sts = { metadata: meta, spec: { replicas: 3, selector, template, serviceName: 's' }, status: { readyReplicas: 1, replicas: 3 } };
    assert.deepEqual(cells('apps/v1', 'StatefulSet', sts), ['w', '1/3', '60m', 'app,side', 'nginx:1.27,busybox']);
  });
});

describe('Job STATUS, COMPLETIONS and DURATION', () => {
  const job = (spec: Partial<NonNullable<Job['spec']>>, status: Job['status'] = {}, deletion = false): Job => ({
    metadata: { ...meta, ...(deletion ? { deletionTimestamp: '2024-06-01T11:59:00Z' } : {}) },
    spec: { template: template as NonNullable<Job['spec']>['template'], ...spec },
    status,
  });
  const T = 'True';
  const statusCases: [string, Job, string][] = [
    ['no conditions is Running', job({}), 'Running'],
    ['Complete', job({}, { conditions: [{ type: 'Complete', status: T }] }), 'Complete'],
    ['Failed', job({}, { conditions: [{ type: 'Failed', status: T }] }), 'Failed'],
    ['Complete wins over Failed', job({}, { conditions: [{ type: 'Failed', status: T }, { type: 'Complete', status: T }] }), 'Complete'],
    ['Terminating before Suspended', job({}, { conditions: [{ type: 'Suspended', status: T }] }, true), 'Terminating'],
    ['Suspended', job({}, { conditions: [{ type: 'Suspended', status: T }] }), 'Suspended'],
    ['FailureTarget', job({}, { conditions: [{ type: 'FailureTarget', status: T }] }), 'FailureTarget'],
    ['a False condition does not count', job({}, { conditions: [{ type: 'Complete', status: 'False' }] }), 'Running'],
  ];
  for (const [name, j, want] of statusCases) {
    test(`STATUS ${name}: ${want}`, () => assert.equal(jobStatus(j), want));
  }
  const completionCases: [string, Job, string][] = [
    ['completions set', job({ completions: 3 }, { succeeded: 1 }), '1/3'],
    ['work queue', job({ parallelism: 1 }, { succeeded: 0 }), '0/1'],
    ['work queue with parallelism', job({ parallelism: 4 }, { succeeded: 2 }), '2/1 of 4'],
  ];
  for (const [name, j, want] of completionCases) {
    test(`COMPLETIONS ${name}: ${want}`, () => assert.equal(jobCompletions(j), want));
  }
  test('DURATION: empty before start, running time, then start-to-completion', () => {
    assert.equal(cells('batch/v1', 'Job', job({}))[3], '');
    assert.equal(cells('batch/v1', 'Job', job({}, { startTime: '2024-06-01T11:58:30Z' }))[3], '90s');
    assert.equal(cells('batch/v1', 'Job', job({}, { startTime: '2024-06-01T11:00:00Z', completionTime: '2024-06-01T11:03:20Z' }))[3], '3m20s');
  });
  test('full Job row', () => {
    const j = job({ completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } }, { succeeded: 1, conditions: [{ type: 'Complete', status: T }], startTime: '2024-06-01T11:00:00Z', completionTime: '2024-06-01T11:00:05Z' });
    assert.deepEqual(cells('batch/v1', 'Job', j), ['w', 'Complete', '1/1', '5s', '60m', 'app,side', 'nginx:1.27,busybox', 'batch.kubernetes.io/controller-uid=u']);
  });
});

describe('CronJob row', () => {
  test('defaults: no timezone, suspend False, no last schedule', () => {
    const cj = { metadata: meta, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } };
    assert.deepEqual(cells('batch/v1', 'CronJob', cj), ['w', '*/5 * * * *', '<none>', 'False', 0, '<none>', '60m', 'app,side', 'nginx:1.27,busybox', '<none>']);
  });
  test('timezone, suspended, active jobs and last schedule age', () => {
    const cj = {
      metadata: meta,
      spec: { schedule: '@hourly', timeZone: 'Etc/UTC', suspend: true, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'a' }, { name: 'b' }], lastScheduleTime: '2024-06-01T11:55:00Z' },
    };
    assert.deepEqual(cells('batch/v1', 'CronJob', cj).slice(0, 6), ['w', '@hourly', 'Etc/UTC', 'True', 2, '5m']);
  });
});
