import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildModel } from './model.ts';
import { fullRuleset, incrementalRuleset } from './rules.ts';

const svc = (spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80 }], ...spec }, status });
const slice = (eps: [string, { ready?: boolean; serving?: boolean; terminating?: boolean }][], port = 8080): EndpointSlice => ({
  metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port, protocol: 'TCP' }],
  endpoints: eps.map(([ip, conditions]) => ({ addresses: [ip], conditions })),
});
const cfg = { clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.0.0/16' };

describe('proxy model', () => {
  test('ready endpoints only, sorted', () => {
    const [m] = buildModel([svc({})], [slice([['10.42.0.6', { ready: true }], ['10.42.0.5', { ready: true }], ['10.42.0.7', { ready: false }]])]);
    assert.deepEqual(m!.endpoints, [{ ip: '10.42.0.5', port: 8080 }, { ip: '10.42.0.6', port: 8080 }]);
    assert.equal(m!.id, 'default/web:http/tcp');
  });
  test('with no ready endpoint, serving terminating ones carry the traffic', () => {
    const [m] = buildModel([svc({})], [slice([['10.42.0.6', { ready: false, serving: true, terminating: true }], ['10.42.0.7', { ready: false, serving: false }]])]);
    assert.deepEqual(m!.endpoints, [{ ip: '10.42.0.6', port: 8080 }]);
  });
  test('headless and ExternalName services are not proxied', () => {
    assert.deepEqual(buildModel([svc({ clusterIP: 'None' }), svc({ type: 'ExternalName', externalName: 'x.example' })], []), []);
  });
  test('LoadBalancer ingress IPs and node ports are entry points', () => {
    const [m] = buildModel([svc({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 31000 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } })], []);
    assert.deepEqual(m!.externalIPs, ['192.0.2.10']);
    assert.equal(m!.nodePort, 31000);
  });
  test('ClusterIP affinity defaults to 3 hours', () => {
    assert.equal(buildModel([svc({ sessionAffinity: 'ClientIP' })], [])[0]!.affinitySeconds, 10800);
  });
});

describe('proxy rules', () => {
  const [m] = buildModel([svc({})], [slice([['10.42.0.5', { ready: true }], ['10.42.0.6', { ready: true }]])]);
  test('the full table maps the ClusterIP to a service chain that picks an endpoint at random', () => {
    const { text } = fullRuleset([m!], cfg);
    assert.match(text, /^add table ip skiff-proxy\ndelete table ip skiff-proxy\n/);
    assert.match(text, /add element ip skiff-proxy service-ips \{ 10\.43\.0\.10 \. tcp \. 80 : goto svc-\w+ \}/);
    assert.match(text, /numgen random mod 2 vmap \{ 0 : goto ep-\w+, 1 : goto ep-\w+ \}/);
    assert.match(text, /meta l4proto tcp dnat to 10\.42\.0\.5:8080/);
  });
  test('an unchanged model needs no transaction; a change touches only that service', () => {
    const { state } = fullRuleset([m!], cfg);
    assert.equal(incrementalRuleset(state, [m!], cfg).text, '');
    const other = { ...m!, id: 'default/other:/tcp', clusterIPs: ['10.43.0.20'] };
    const inc = incrementalRuleset(state, [m!, other], cfg).text;
    assert.match(inc, /10\.43\.0\.20/);
    assert.doesNotMatch(inc, /10\.43\.0\.10/);
  });
  test('a removed service loses its elements and chains', () => {
    const { state } = fullRuleset([m!], cfg);
    const inc = incrementalRuleset(state, [], cfg).text;
    assert.match(inc, /delete element ip skiff-proxy service-ips \{ 10\.43\.0\.10 \. tcp \. 80 \}/);
    assert.match(inc, /delete chain ip skiff-proxy svc-/);
  });
});
