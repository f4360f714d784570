import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { formatEndpoints, serviceExternalIP, servicePorts } from './service.ts';
import { printTable } from './table.ts';

const now = new Date('2024-06-01T12:00:00Z');

describe('Service PORT(S)', () => {
  const cases: [string, Service['spec'], string][] = [
    ['a plain port', { ports: [{ port: 80, protocol: 'TCP' }] }, '80/TCP'],
    ['node port and plain port', { ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }, '80:30080/TCP,443/TCP'],
    ['UDP', { ports: [{ port: 53, protocol: 'UDP' }] }, '53/UDP'],
    ['protocol defaults to TCP', { ports: [{ port: 8080 }] }, '8080/TCP'],
  ];
  for (const [name, spec, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(servicePorts(spec?.ports), want));
  }
  test('no ports prints <none>', () => {
    const { rows } = printTable('v1', 'Service', [{ metadata: { name: 's' }, spec: { type: 'ClusterIP', clusterIP: 'None' } }], { now });
    assert.equal(rows[0]?.cells[4], '<none>');
  });
});

describe('Service EXTERNAL-IP', () => {
  const cases: [string, Service, string][] = [
    ['ClusterIP without external IPs', { spec: { type: 'ClusterIP' } }, '<none>'],
    ['ClusterIP with external IPs', { spec: { type: 'ClusterIP', externalIPs: ['1.2.3.4', '5.6.7.8'] } }, '1.2.3.4,5.6.7.8'],
    ['NodePort without external IPs', { spec: { type: 'NodePort' } }, '<none>'],
    ['LoadBalancer without ingress', { spec: { type: 'LoadBalancer' } }, '<pending>'],
    [
      'LoadBalancer ingress IPs sorted and deduplicated, hostname when no IP',
      { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }] } } },
      '10.0.0.1,10.0.0.2,lb.example.com',
    ],
    [
      'LoadBalancer ingress then external IPs',
      { spec: { type: 'LoadBalancer', externalIPs: ['9.9.9.9'] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } },
      '10.0.0.1,9.9.9.9',
    ],
    [
      'a long ingress list is not clipped (the server renders wide)',
      { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ hostname: 'a-very-long-load-balancer.example.com' }] } } },
      'a-very-long-load-balancer.example.com',
    ],
    ['ExternalName prints the external name', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }, 'db.example.com'],
  ];
  for (const [name, svc, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(serviceExternalIP(svc), want));
  }
});

describe('Service row', () => {
  test('all cells, cluster IP from clusterIPs, selector sorted', () => {
    const svc: Service = {
      metadata: { name: 'web', creationTimestamp: '2024-06-01T11:00:00Z' },
      spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { tier: 'web', app: 'x' } },
    };
    assert.deepEqual(printTable('v1', 'Service', [svc], { now }).rows[0]?.cells, [
      'web',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP',
      '60m',
      'app=x,tier=web',
    ]);
  });
  test('no cluster IP and no selector print <none>', () => {
    const cells = printTable('v1', 'Service', [{ metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'e' } }], { now }).rows[0]?.cells;
    assert.equal(cells?.[2], '<none>');
    assert.equal(cells?.[6], '<none>');
  });
});

describe('Endpoints ENDPOINTS', () => {
  const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: { name: 'e' }, subsets });
  test('no subsets is <none>', () => assert.equal(formatEndpoints(ep(undefined)), '<none>'));
  test('addresses with a port', () => {
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }])), '10.0.0.1:80,10.0.0.2:80');
  });
  test('more than three are cut with "+ N more..."', () => {
    const addresses = ['1', '2', '3', '4', '5', '6'].map((n) => ({ ip: `10.0.0.${n}` }));
    assert.equal(formatEndpoints(ep([{ addresses, ports: [{ port: 80 }] }])), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...');
  });
  test('every port multiplies the count', () => {
    const subsets = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }];
    assert.equal(formatEndpoints(ep(subsets)), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  });
  test('headless without ports lists bare IPs; IPv6 gets brackets with a port', () => {
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }] }])), '10.0.0.1');
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])), '[fd00::1]:80');
  });
  test('subsets with only not-ready addresses print empty', () => {
    assert.equal(formatEndpoints(ep([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])), '');
  });
});

describe('EndpointSlice row', () => {
  test('ports and endpoints, "<unset>" when empty', () => {
    const slice = {
      metadata: { name: 's-abc', creationTimestamp: '2024-06-01T11:59:30Z' },
      addressType: 'IPv4',
      ports: [{ port: 80, name: 'http' }, { name: 'named' }, {}],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }],
    };
    assert.deepEqual(printTable('discovery.k8s.io/v1', 'EndpointSlice', [slice], { now }).rows[0]?.cells, [
      's-abc',
      'IPv4',
      '80,named,*',
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
      '30s',
    ]);
    const empty = printTable('discovery.k8s.io/v1', 'EndpointSlice', [{ metadata: { name: 'x' }, addressType: 'IPv4' }], { now });
    assert.deepEqual(empty.rows[0]?.cells.slice(2, 4), ['<unset>', '<unset>']);
  });
});
