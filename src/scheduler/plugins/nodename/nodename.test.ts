import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework/types.ts';
import { info, makeNode, makePod, nodeInfo } from '../../testing.ts';
import { NodeName, REASON } from './nodename.ts';
import { NodeUnschedulable, REASON as CORDONED } from '../nodeunschedulable/nodeunschedulable.ts';
import { NodePorts, REASON as PORTS } from '../nodeports/nodeports.ts';

test('NodeName, NodeUnschedulable and NodePorts filters', async (t) => {
  const s = new CycleState();
  const rows = [
    { name: 'NodeName: no name fits anywhere', got: () => new NodeName().filter(s, info(makePod('p')), nodeInfo(makeNode('a'))), want: null },
    { name: 'NodeName: another node does not fit', got: () => new NodeName().filter(s, info(makePod('p', { nodeName: 'b' })), nodeInfo(makeNode('a'))), want: REASON },
    { name: 'NodeUnschedulable: cordoned node', got: () => new NodeUnschedulable().filter(s, info(makePod('p')), nodeInfo(makeNode('a', { unschedulable: true }))), want: CORDONED },
    {
      name: 'NodeUnschedulable: tolerated cordon',
      got: () => new NodeUnschedulable().filter(s, info(makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] })), nodeInfo(makeNode('a', { unschedulable: true }))),
      want: null,
    },
    {
      name: 'NodePorts: the same host port is taken',
      got: () => new NodePorts().filter(s, info(makePod('p', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] })), nodeInfo(makeNode('a'), [makePod('q', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] })])),
      want: PORTS,
    },
    {
      name: 'NodePorts: another protocol is free',
      got: () => new NodePorts().filter(s, info(makePod('p', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }] })), nodeInfo(makeNode('a'), [makePod('q', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] })])),
      want: null,
    },
    {
      name: 'NodePorts: 0.0.0.0 conflicts with a specific address',
      got: () => new NodePorts().filter(s, info(makePod('p', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] })), nodeInfo(makeNode('a'), [makePod('q', { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] })])),
      want: PORTS,
    },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(r.got()?.message ?? null, r.want));
});
