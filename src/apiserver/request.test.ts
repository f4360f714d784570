import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request.ts';

const cases: [string, string, string, Partial<ReturnType<typeof parseRequestInfo>>][] = [
  ['list of namespaced pods', 'GET', '/api/v1/namespaces/default/pods', { verb: 'list', namespace: 'default', resource: 'pods', name: '' }],
  ['get of a pod', 'GET', '/api/v1/namespaces/default/pods/web', { verb: 'get', resource: 'pods', name: 'web' }],
  ['watch by query', 'GET', '/api/v1/namespaces/default/pods?watch=true', { verb: 'watch', resource: 'pods' }],
  ['deprecated watch prefix', 'GET', '/api/v1/watch/namespaces/default/pods', { verb: 'watch', namespace: 'default', resource: 'pods' }],
  ['pod log subresource', 'GET', '/api/v1/namespaces/default/pods/web/log', { verb: 'get', name: 'web', subresource: 'log' }],
  ['create deployment', 'POST', '/apis/apps/v1/namespaces/prod/deployments', { verb: 'create', group: 'apps', version: 'v1', namespace: 'prod', resource: 'deployments' }],
  ['scale patch', 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/web/scale', { verb: 'patch', name: 'web', subresource: 'scale' }],
  ['delete collection', 'DELETE', '/api/v1/namespaces/default/pods', { verb: 'deletecollection' }],
  ['all-namespaces list', 'GET', '/api/v1/pods', { verb: 'list', namespace: '', resource: 'pods' }],
  ['cluster-scoped node', 'GET', '/api/v1/nodes/n1', { verb: 'get', resource: 'nodes', name: 'n1' }],
  ['namespace object', 'GET', '/api/v1/namespaces/dev', { verb: 'get', resource: 'namespaces', name: 'dev', namespace: 'dev' }],
  ['namespace status', 'PUT', '/api/v1/namespaces/dev/status', { verb: 'update', resource: 'namespaces', name: 'dev', subresource: 'status' }],
  ['namespace finalize', 'PUT', '/api/v1/namespaces/dev/finalize', { verb: 'update', resource: 'namespaces', name: 'dev', subresource: 'finalize' }],
  ['list of namespaces', 'GET', '/api/v1/namespaces', { verb: 'list', resource: 'namespaces', name: '' }],
];

for (const [name, method, url, want] of cases) {
  test(`request info: ${name}`, () => {
    const u = new URL(url, 'http://x');
    const got = parseRequestInfo(method, u.pathname, u.searchParams);
    assert.equal(got.isResourceRequest, true);
    for (const [k, v] of Object.entries(want)) assert.equal((got as any)[k], v, k);
  });
}

test('request info: discovery paths and others are not resource requests', () => {
  for (const p of ['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3', '/healthz']) {
    assert.equal(parseRequestInfo('GET', p, new URLSearchParams()).isResourceRequest, false, p);
  }
});
