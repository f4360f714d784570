import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { formatHPAMetrics } from './autoscaling.ts';
import { printTable } from './table.ts';

const now = new Date('2024-06-01T12:00:00Z');
const meta = { name: 'x', creationTimestamp: '2024-06-01T11:00:00Z' };

function cells(apiVersion: string, kind: string, obj: object): unknown[] {
  return printTable(apiVersion, kind, [obj], { now }).rows[0]?.cells ?? [];
}

const cpu = (target: number): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
});
const cpuNow = (util: number): MetricStatus => ({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: util } } });

describe('HPA TARGETS', () => {
  const cases: [string, MetricSpec[], MetricStatus[], string][] = [
    ['no metrics', [], [], '<none>'],
    ['utilization with current', [cpu(80)], [cpuNow(30)], 'cpu: 30%/80%'],
    ['utilization before metrics arrive', [cpu(80)], [], 'cpu: <unknown>/80%'],
    [
      'average value',
      [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } }],
      [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '200Mi' } } }],
      'memory: 200Mi/500Mi',
    ],
    [
      'pods metric',
      [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }],
      [],
      '<unknown>/10',
    ],
    [
      'object metric value and average',
      [
        { type: 'Object', object: { metric: { name: 'r' }, describedObject: { kind: 'Service', name: 's' }, target: { type: 'Value', value: '2k' } } },
        { type: 'Object', object: { metric: { name: 'r' }, describedObject: { kind: 'Service', name: 's' }, target: { type: 'AverageValue', averageValue: '3' } } },
      ],
      [{ type: 'Object', object: { metric: { name: 'r' }, describedObject: { kind: 'Service', name: 's' }, current: { value: '1500' } } }],
      '1500/2k, <unknown>/3 (avg)',
    ],
    [
      'external average value',
      [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: '30' } } }],
      [{ type: 'External', external: { metric: { name: 'q' }, current: { averageValue: '12' } } }],
      '12/30 (avg)',
    ],
    [
      'container resource',
      [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } }],
      [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', current: { averageUtilization: 45 } } }],
      'cpu: 45%/60%',
    ],
    ['more than two are cut', [cpu(10), cpu(20), cpu(30), cpu(40)], [], 'cpu: <unknown>/10%, cpu: <unknown>/20% + 2 more...'],
  ];
  for (const [name, specs, statuses, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(formatHPAMetrics(specs, statuses), want));
  }

  test('autoscaling/v2 row; MaxPods and Replicas are numbers, MinPods a string', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      metadata: meta,
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10, metrics: [cpu(80)] },
      status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [cpuNow(30)] },
    };
    assert.deepEqual(cells('autoscaling/v2', 'HorizontalPodAutoscaler', hpa), ['x', 'Deployment/web', 'cpu: 30%/80%', '2', 10, 3, '60m']);
  });
  test('autoscaling/v1 CPU target and current utilization', () => {
    const hpa = {
      apiVersion: 'autoscaling/v1',
      metadata: meta,
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 },
    };
    assert.deepEqual(cells('autoscaling/v1', 'HorizontalPodAutoscaler', hpa), ['x', 'Deployment/web', 'cpu: 12%/50%', '1', 5, 1, '60m']);
  });
  test('an HPA without metrics shows the 80% CPU default', () => {
    const v1 = { apiVersion: 'autoscaling/v1', metadata: meta, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };
    assert.equal(cells('autoscaling/v1', 'HorizontalPodAutoscaler', v1)[2], 'cpu: <unknown>/80%');
    const v2 = { apiVersion: 'autoscaling/v2', metadata: meta, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };
    assert.equal(cells('autoscaling/v2', 'HorizontalPodAutoscaler', v2)[2], 'cpu: <unknown>/80%');
  });
});

describe('Event rows', () => {
  test('core/v1: last seen, lowercased object, trimmed message, wide cells', () => {
    const ev = {
      metadata: { name: 'web.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: ' Back-off restarting failed container\n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-06-01T11:50:00Z',
      lastTimestamp: '2024-06-01T11:57:00Z',
      count: 5,
    };
    assert.deepEqual(cells('v1', 'Event', ev), [
      '3m', 'Warning', 'BackOff', 'pod/web', 'spec.containers{app}', 'kubelet, n1', 'Back-off restarting failed container', '10m', 5, 'web.17a',
    ]);
  });
  test('no timestamps fall back to eventTime; count 0 reads 1; object without name is its kind', () => {
    const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Node' }, eventTime: '2024-06-01T11:59:00.000000Z', reportingComponent: 'ctrl', reportingInstance: 'ctrl-1' };
    const c = cells('v1', 'Event', ev);
    assert.deepEqual([c[0], c[3], c[5], c[7], c[8]], ['60s', 'node', 'ctrl, ctrl-1', '60s', 1]);
  });
  test('a series sets LAST SEEN and COUNT', () => {
    const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, eventTime: '2024-06-01T11:00:00.000000Z', series: { count: 7, lastObservedTime: '2024-06-01T11:58:00.000000Z' } };
    const c = cells('v1', 'Event', ev);
    assert.deepEqual([c[0], c[7], c[8]], ['2m', '60m', 7]);
  });
  test('events.k8s.io/v1 maps regarding, note and reportingController', () => {
    const ev = {
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'e2' },
      regarding: { kind: 'Deployment', name: 'web' },
      note: 'Scaled up replica set web-1 to 3',
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      eventTime: '2024-06-01T11:59:30.000000Z',
      reportingController: 'deployment-controller',
      reportingInstance: '',
    };
    assert.deepEqual(cells('events.k8s.io/v1', 'Event', ev), [
      '30s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-1 to 3', '30s', 1, 'e2',
    ]);
  });
});

describe('core kinds', () => {
  test('Namespace STATUS is the phase', () => {
    assert.deepEqual(cells('v1', 'Namespace', { metadata: meta, status: { phase: 'Terminating' } }), ['x', 'Terminating', '60m']);
  });
  test('ConfigMap DATA counts data and binaryData', () => {
    assert.deepEqual(cells('v1', 'ConfigMap', { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['x', 3, '60m']);
  });
  test('Secret TYPE and DATA', () => {
    assert.deepEqual(cells('v1', 'Secret', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), ['x', 'kubernetes.io/tls', 2, '60m']);
    assert.deepEqual(cells('v1', 'Secret', { metadata: meta }), ['x', 'Opaque', 0, '60m']);
  });
  test('ServiceAccount SECRETS counts secrets', () => {
    assert.deepEqual(cells('v1', 'ServiceAccount', { metadata: meta }), ['x', 0, '60m']);
  });
  test('PVC bound and pending', () => {
    const bound = {
      metadata: meta,
      spec: { volumeName: 'pv-1', storageClassName: 'standard', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] },
    };
    assert.deepEqual(cells('v1', 'PersistentVolumeClaim', bound), ['x', 'Bound', 'pv-1', '1Gi', 'RWO,RWX', 'standard', '<unset>', '60m', 'Filesystem']);
    const pending = { metadata: { ...meta, annotations: { 'volume.beta.kubernetes.io/storage-class': 'beta' } }, spec: { storageClassName: 'standard' }, status: { phase: 'Pending' } };
    assert.deepEqual(cells('v1', 'PersistentVolumeClaim', pending).slice(1, 7), ['Pending', '', '', '', 'beta', '<unset>']);
  });
  test('ResourceQuota splits requests and limits, sorted by resource', () => {
    const rq = {
      metadata: meta,
      status: { hard: { 'requests.cpu': '1', pods: '10', 'limits.memory': '2Gi', 'limits.cpu': '2' }, used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1' } },
    };
    assert.deepEqual(cells('v1', 'ResourceQuota', rq), ['x', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 1/2, limits.memory: 0/2Gi', '60m']);
  });
  test('Lease HOLDER', () => {
    assert.deepEqual(cells('coordination.k8s.io/v1', 'Lease', { metadata: meta, spec: { holderIdentity: 'n1' } }), ['x', 'n1', '60m']);
    assert.deepEqual(cells('coordination.k8s.io/v1', 'Lease', { metadata: meta, spec: {} }), ['x', '', '60m']);
  });
  test('PodDisruptionBudget N/A for the unset bound', () => {
    const pdb = { metadata: meta, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } };
    assert.deepEqual(cells('policy/v1', 'PodDisruptionBudget', pdb), ['x', '50%', 'N/A', 1, '60m']);
    assert.deepEqual(cells('policy/v1', 'PodDisruptionBudget', { metadata: meta, spec: { maxUnavailable: 1 } }).slice(1, 4), ['N/A', '1', 0]);
  });
  test('RoleBinding ROLE and subjects', () => {
    const rb = {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
      ],
    };
    assert.deepEqual(cells('rbac.authorization.k8s.io/v1', 'RoleBinding', rb), ['x', 'ClusterRole/view', '60m', 'alice, bob', 'devs', 'build/ci']);
  });
});
