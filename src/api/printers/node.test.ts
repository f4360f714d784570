import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeRoles, nodeStatus } from './node.ts';
import { printTable } from './table.ts';

const now = new Date('2024-06-01T12:00:00Z');

describe('Node STATUS', () => {
  const cases: [string, Node, string][] = [
    ['Ready condition True', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Ready'],
    ['Ready condition False', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'NotReady'],
    ['Ready condition Unknown is NotReady', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 'NotReady'],
    ['no Ready condition', { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } }, 'Unknown'],
    ['cordoned and ready', { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Ready,SchedulingDisabled'],
    ['cordoned without conditions', { spec: { unschedulable: true } }, 'Unknown,SchedulingDisabled'],
  ];
  for (const [name, node, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(nodeStatus(node), want));
  }
});

describe('Node ROLES', () => {
  const cases: [string, Record<string, string> | undefined, string][] = [
    ['no labels', undefined, '<none>'],
    ['unrelated labels', { 'kubernetes.io/hostname': 'n1' }, '<none>'],
    ['control-plane', { 'node-role.kubernetes.io/control-plane': '' }, 'control-plane'],
    ['several, sorted', { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' }, 'control-plane,worker'],
    ['kubernetes.io/role value, deduplicated', { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/worker': 'x' }, 'worker'],
    ['empty suffix and empty kubernetes.io/role are ignored', { 'node-role.kubernetes.io/': '', 'kubernetes.io/role': '' }, '<none>'],
  ];
  for (const [name, labels, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(nodeRoles({ metadata: { name: 'n', ...(labels ? { labels } : {}) } }), want));
  }
});

describe('Node row', () => {
  test('all cells including wide ones', () => {
    const node: Node = {
      metadata: { name: 'n1', creationTimestamp: '2024-05-29T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
        nodeInfo: {
          kubeletVersion: 'v1.32.0',
          osImage: 'Debian GNU/Linux 12',
          kernelVersion: '6.1.0',
          containerRuntimeVersion: 'runc://1.1.12',
          architecture: 'amd64',
          bootID: '',
          kubeProxyVersion: '',
          machineID: '',
          operatingSystem: 'linux',
          systemUUID: '',
        },
      },
    };
    assert.deepEqual(printTable('v1', 'Node', [node], { now }).rows[0]?.cells, [
      'n1',
      'Ready',
      'control-plane',
      '3d',
      'v1.32.0',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'runc://1.1.12',
    ]);
  });
  test('missing node info prints "" for VERSION and <unknown> for the wide ones', () => {
    const cells = printTable('v1', 'Node', [{ metadata: { name: 'n' } }], { now }).rows[0]?.cells;
    assert.deepEqual(cells?.slice(4), ['', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });
});
