import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { podCells } from './pod.ts';
import { printTable } from './table.ts';

const now = new Date('2024-06-01T12:00:00Z');
const created = '2024-06-01T11:00:00Z';

function cs(name: string, extra: Partial<ContainerStatus>): ContainerStatus {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, ...extra };
}

function pod(p: { spec?: Partial<Pod['spec']>; status?: Pod['status']; deletion?: string }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: created, ...(p.deletion ? { deletionTimestamp: p.deletion } : {}) },
    spec: { containers: [{ name: 'a', image: 'img' }], ...p.spec },
    status: p.status ?? {},
  };
}

const running = { running: { startedAt: created } };

describe('Pod STATUS', () => {
  const cases: [string, Pod, string][] = [
    ['phase when nothing else applies', pod({ status: { phase: 'Pending' } }), 'Pending'],
    ['status.reason overrides the phase', pod({ status: { phase: 'Failed', reason: 'Evicted' } }), 'Evicted'],
    [
      'SchedulingGated from the PodScheduled condition',
      pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
      'SchedulingGated',
    ],
    [
      'Running with all containers ready',
      pod({ status: { phase: 'Running', containerStatuses: [cs('a', { ready: true, state: running })] } }),
      'Running',
    ],
    [
      'waiting reason ContainerCreating',
      pod({ status: { phase: 'Pending', containerStatuses: [cs('a', { state: { waiting: { reason: 'ContainerCreating' } } })] } }),
      'ContainerCreating',
    ],
    [
      'waiting reason CrashLoopBackOff',
      pod({ status: { phase: 'Running', containerStatuses: [cs('a', { state: { waiting: { reason: 'CrashLoopBackOff' } } })] } }),
      'CrashLoopBackOff',
    ],
    [
      'waiting reason ErrImagePull',
      pod({ status: { phase: 'Pending', containerStatuses: [cs('a', { state: { waiting: { reason: 'ErrImagePull' } } })] } }),
      'ErrImagePull',
    ],
    [
      'waiting reason ImagePullBackOff',
      pod({ status: { phase: 'Pending', containerStatuses: [cs('a', { state: { waiting: { reason: 'ImagePullBackOff' } } })] } }),
      'ImagePullBackOff',
    ],
    [
      'terminated reason Completed',
      pod({ status: { phase: 'Succeeded', containerStatuses: [cs('a', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] } }),
      'Completed',
    ],
    [
      'terminated reason Error',
      pod({ status: { phase: 'Failed', containerStatuses: [cs('a', { state: { terminated: { exitCode: 1, reason: 'Error' } } })] } }),
      'Error',
    ],
    [
      'terminated without reason prints ExitCode:N',
      pod({ status: { phase: 'Failed', containerStatuses: [cs('a', { state: { terminated: { exitCode: 3 } } })] } }),
      'ExitCode:3',
    ],
    [
      'terminated without reason by a signal prints Signal:N',
      pod({ status: { phase: 'Failed', containerStatuses: [cs('a', { state: { terminated: { exitCode: 137, signal: 9 } } })] } }),
      'Signal:9',
    ],
    [
      'the first container in spec order wins (statuses are walked backwards)',
      pod({
        status: {
          phase: 'Running',
          containerStatuses: [
            cs('a', { state: { waiting: { reason: 'CrashLoopBackOff' } } }),
            cs('b', { state: { waiting: { reason: 'ImagePullBackOff' } } }),
          ],
        },
      }),
      'CrashLoopBackOff',
    ],
    [
      'Completed with a ready running container and Ready condition is Running',
      pod({
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [cs('a', { ready: true, state: running }), cs('b', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })],
        },
      }),
      'Running',
    ],
    [
      'Completed with a running container but no Ready condition is NotReady',
      pod({
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [cs('a', { ready: true, state: running }), cs('b', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })],
        },
      }),
      'NotReady',
    ],
    ['deletionTimestamp makes a running pod Terminating', pod({ deletion: created, status: { phase: 'Running' } }), 'Terminating'],
    ['a terminal pod being deleted keeps its status', pod({ deletion: created, status: { phase: 'Succeeded' } }), 'Succeeded'],
    ['NodeLost with deletionTimestamp is Unknown', pod({ deletion: created, status: { phase: 'Running', reason: 'NodeLost' } }), 'Unknown'],
  ];
  for (const [name, p, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(podCells(p, now)[2], want));
  }
});

describe('Pod STATUS with init containers', () => {
  const init2 = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
  const cases: [string, Pod['status'], string][] = [
    ['none started yet', { phase: 'Pending', initContainerStatuses: [cs('i1', { state: { waiting: { reason: 'PodInitializing' } } })] }, 'Init:0/2'],
    [
      'first done, second running',
      {
        phase: 'Pending',
        initContainerStatuses: [cs('i1', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('i2', { state: running })],
      },
      'Init:1/2',
    ],
    ['waiting reason', { phase: 'Pending', initContainerStatuses: [cs('i1', { state: { waiting: { reason: 'CrashLoopBackOff' } } })] }, 'Init:CrashLoopBackOff'],
    ['terminated reason', { phase: 'Pending', initContainerStatuses: [cs('i1', { state: { terminated: { exitCode: 1, reason: 'Error' } } })] }, 'Init:Error'],
    ['exit code without reason', { phase: 'Pending', initContainerStatuses: [cs('i1', { state: { terminated: { exitCode: 2 } } })] }, 'Init:ExitCode:2'],
    ['signal without reason', { phase: 'Pending', initContainerStatuses: [cs('i1', { state: { terminated: { exitCode: 2, signal: 15 } } })] }, 'Init:Signal:15'],
  ];
  for (const [name, status, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(podCells(pod({ spec: init2, status }), now)[2], want));
  }

  test('a started sidecar (restartPolicy Always) counts toward READY and total', () => {
    const p = pod({
      spec: { initContainers: [{ name: 's', restartPolicy: 'Always' }] },
      status: {
        phase: 'Running',
        initContainerStatuses: [cs('s', { started: true, ready: true, state: running })],
        containerStatuses: [cs('a', { ready: true, state: running })],
      },
    });
    const cells = podCells(p, now);
    assert.equal(cells[1], '2/2');
    assert.equal(cells[2], 'Running');
  });
});

describe('Pod READY, RESTARTS and wide cells', () => {
  test('READY counts ready running containers over all containers', () => {
    const p = pod({
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Running', containerStatuses: [cs('a', { ready: true, state: running }), cs('b', { state: running })] },
    });
    assert.equal(podCells(p, now)[1], '1/2');
  });

  test('RESTARTS carries "(age ago)" of the latest termination', () => {
    const p = pod({
      status: {
        phase: 'Running',
        containerStatuses: [
          cs('a', { ready: true, restartCount: 5, state: running, lastState: { terminated: { exitCode: 1, finishedAt: '2024-06-01T11:55:00Z' } } }),
        ],
      },
    });
    assert.equal(podCells(p, now)[3], '5 (5m ago)');
  });

  test('RESTARTS is a bare count without a termination time, and "0" without restarts', () => {
    const p = pod({ status: { phase: 'Running', containerStatuses: [cs('a', { restartCount: 2, state: running })] } });
    assert.equal(podCells(p, now)[3], '2');
    assert.equal(podCells(pod({ status: { phase: 'Running' } }), now)[3], '0');
  });

  test('wide cells default to <none>; IP prefers podIPs[0]', () => {
    assert.deepEqual(podCells(pod({ status: { phase: 'Pending' } }), now).slice(4), ['60m', '<none>', '<none>', '<none>', '<none>']);
    const p = pod({
      spec: { nodeName: 'n1', readinessGates: [{ conditionType: 'x' }, { conditionType: 'y' }] },
      status: { podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.5' }], nominatedNodeName: 'n2', conditions: [{ type: 'x', status: 'True' }] },
    });
    assert.deepEqual(podCells(p, now).slice(5), ['10.0.0.5', 'n1', 'n2', '1/2']);
  });

  test('finished pods carry the Completed row condition; others none', () => {
    const rows = printTable('v1', 'Pod', [pod({ status: { phase: 'Succeeded' } }), pod({ status: { phase: 'Failed' } }), pod({ status: { phase: 'Running' } })], { now }).rows;
    assert.deepEqual(rows[0]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    assert.deepEqual(rows[1]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    assert.equal('conditions' in (rows[2] ?? {}), false);
  });

  test('columns, types and priorities match Kubernetes', () => {
    const { columnDefinitions } = printTable('v1', 'Pod', [], { now });
    assert.deepEqual(
      columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });
});
