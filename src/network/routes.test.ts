import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { peerRoutes, RouteSync, type RouteTable } from './routes.ts';
import { startTestCluster } from '../../test/support/cluster.ts';
import { waitFor } from '../../test/support/wait.ts';

const node = (name: string, cidr?: string, ip?: string): Node => ({
  metadata: { name },
  spec: cidr ? { podCIDR: cidr } : {},
  status: ip ? { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } : {},
});

test('peerRoutes: every other node with a pod CIDR and an InternalIP, and nothing else', () => {
  const nodes = [node('a', '10.42.0.0/24', '10.44.0.2'), node('b', '10.42.1.0/24', '10.44.0.3'), node('c', '10.42.2.0/24'), node('d', undefined, '10.44.0.5'), node('e', 'junk', '10.44.0.6')];
  assert.deepEqual(peerRoutes(nodes, 'a'), [{ cidr: '10.42.1.0/24', nodeIP: '10.44.0.3' }]);
  assert.deepEqual(peerRoutes(nodes, 'x').map((r) => r.cidr), ['10.42.0.0/24', '10.42.1.0/24']);
});

test('RouteSync follows Nodes: adds, moves and removes routes through the table', async () => {
  const cluster = await startTestCluster();
  const calls: string[] = [];
  const table: RouteTable = {
    // 10.44.0.0/24 is directly connected; anything else is behind a gateway; our own address is local.
    nextHop: async (ip) => (ip !== '10.44.0.2' && ip.startsWith('10.44.0.') ? ip : undefined),
    replace: async (cidr, via) => void calls.push(`replace ${cidr} via ${via}`),
    remove: async (cidr) => void calls.push(`del ${cidr}`),
  };
  const nodes = cluster.client.resource<Node & { metadata: { name: string } }>('v1', 'nodes');
  const mk = async (name: string, cidr: string, ip: string) => {
    const n = await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: cidr } });
    await nodes.updateStatus(undefined, { ...n, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  };
  const sync = new RouteSync(cluster.client, { nodeName: 'self', table });
  try {
    await mk('self', '10.42.0.0/24', '10.44.0.2');
    await mk('peer', '10.42.1.0/24', '10.44.0.3');
    await mk('host', '10.42.2.0/24', '192.0.2.9');
    await sync.start();
    await waitFor(() => sync.routes().size === 1, 'the peer route', 10_000);
    await sync.settled();
    // The node behind a gateway gets no route: the default route reaches it, and pod traffic never goes to an outside router.
    assert.deepEqual(Object.fromEntries(sync.routes()), { '10.42.1.0/24': '10.44.0.3' });
    // The peer moves to another address; then it goes away.
    const peer = await nodes.get(undefined, 'peer');
    await nodes.updateStatus(undefined, { ...peer, status: { addresses: [{ type: 'InternalIP', address: '10.44.0.7' }] } });
    await waitFor(() => sync.routes().get('10.42.1.0/24') === '10.44.0.7', 'the moved route', 10_000);
    await nodes.delete(undefined, 'peer');
    await waitFor(() => !sync.routes().has('10.42.1.0/24'), 'the route removed', 10_000);
    // A peer that moves behind a gateway loses its route too.
    await mk('peer2', '10.42.3.0/24', '10.44.0.9');
    await waitFor(() => sync.routes().has('10.42.3.0/24'), 'the peer2 route', 10_000);
    const p2 = await nodes.get(undefined, 'peer2');
    await nodes.updateStatus(undefined, { ...p2, status: { addresses: [{ type: 'InternalIP', address: '198.51.100.7' }] } });
    await waitFor(() => !sync.routes().has('10.42.3.0/24'), 'the peer2 route removed', 10_000);
    await sync.settled();
    assert.ok(calls.includes('del 10.42.1.0/24'), calls.join('\n'));
    assert.ok(!calls.some((c) => c.includes('10.42.0.0/24')), 'no route to our own pod CIDR');
  } finally {
    await sync.stop();
    await cluster.stop();
  }
});
