import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleAllows, subjectKey, type Attributes } from './rules.ts';
import { forbiddenMessage } from './authorizer.ts';

const user = { name: 'jane', groups: ['dev', 'system:authenticated'] };
const attrs = (o: Partial<Attributes>): Attributes => ({ user, verb: 'get', isResourceRequest: true, path: '', namespace: 'default', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', name: '', ...o });

test('rules match verbs, groups, resources, subresources and names with Kubernetes\' wildcards', () => {
  const rows: [string, Parameters<typeof ruleAllows>[0], Partial<Attributes>, boolean][] = [
    ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, {}, true],
    ['other verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, {}, false],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, {}, false],
    ['star everything', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }, true],
    ['resource does not cover its subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { subresource: 'log' }, false],
    ['resource/subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { subresource: 'log' }, true],
    ['*/subresource', { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, { subresource: 'log' }, true],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'a' }, true],
    ['resourceNames refuse others', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { name: 'b' }, false],
    ['nonResourceURL exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { isResourceRequest: false, path: '/healthz' }, true],
    ['nonResourceURL prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { isResourceRequest: false, path: '/apis/apps/v1' }, true],
    ['nonResourceURL rule does not cover resources', { verbs: ['get'], nonResourceURLs: ['*'] }, {}, false],
  ];
  for (const [name, rule, a, want] of rows) assert.equal(ruleAllows(rule, attrs(a)), want, name);
});

test('ServiceAccount subjects take the binding\'s namespace when they name none', () => {
  assert.equal(subjectKey({ kind: 'ServiceAccount', name: 'robot', namespace: 'apps' }, 'other'), 'user:system:serviceaccount:apps:robot');
  assert.equal(subjectKey({ kind: 'ServiceAccount', name: 'robot' }, 'other'), 'user:system:serviceaccount:other:robot');
  assert.equal(subjectKey({ kind: 'Group', name: 'dev' }, ''), 'group:dev');
});

test('Forbidden messages are worded as Kubernetes words them', () => {
  assert.equal(forbiddenMessage(attrs({ verb: 'list' })), 'User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(forbiddenMessage(attrs({ verb: 'get', subresource: 'log' })), 'User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"');
  assert.equal(forbiddenMessage(attrs({ verb: 'list', namespace: '', resource: 'nodes' })), 'User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.equal(forbiddenMessage(attrs({ isResourceRequest: false, path: '/metrics' })), 'User "jane" cannot get path "/metrics"');
});
