import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, groupVersions } from '../registry/resources.ts';
import { refsIn, type Schema } from './schemas.ts';
import { groupVersionPath, openAPIV3Document, openAPIV3DocumentJSON, openAPIV3Index } from './v3.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };
const doc = (p: string) => openAPIV3Document(p) as Doc;

test('the index lists every served group version with a hashed URL', () => {
  const index = openAPIV3Index();
  const want = groupVersions().map(groupVersionPath);
  assert.deepEqual(Object.keys(index.paths).sort(), [...want].sort());
  assert.ok(want.includes('api/v1') && want.includes('apis/apps/v1'));
  for (const [p, { serverRelativeURL }] of Object.entries(index.paths)) {
    assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${p.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
  }
});

test('the hash is stable and matches the served bytes', () => {
  assert.deepEqual(openAPIV3Index(), openAPIV3Index());
  const { json, hash } = openAPIV3DocumentJSON('apis/apps/v1')!;
  assert.equal(JSON.stringify(openAPIV3Document('apis/apps/v1')), json);
  assert.ok(openAPIV3Index().paths['apis/apps/v1']!.serverRelativeURL.endsWith(hash));
  assert.notEqual(openAPIV3DocumentJSON('api/v1')!.hash, hash);
});

test('unknown group versions have no document; leading slashes are tolerated', () => {
  assert.equal(openAPIV3Document('apis/nope/v1'), undefined);
  assert.equal(openAPIV3Document('/apis/apps/v1'), openAPIV3Document('apis/apps/v1'));
});

/** What kubectl's queryParamVerifierV3 does: the PATCH for the GVK must declare the parameter on the operation. */
function supportsFieldValidation(d: Doc, gvk: { group: string; version: string; kind: string }): boolean {
  let found = false;
  for (const item of Object.values(d.paths)) {
    const op = item.patch;
    const tag = op?.['x-kubernetes-group-version-kind'] as Record<string, string> | undefined;
    if (!op || !tag || tag.group !== gvk.group || tag.version !== gvk.version || tag.kind !== gvk.kind) continue;
    // kubectl stops at the first matching PATCH in map order, so every one must declare it.
    if (!((op.parameters ?? []) as Schema[]).some((p) => p.name === 'fieldValidation' && p.in === 'query')) return false;
    found = true;
  }
  return found;
}

test('apps/v1 has the Deployment PATCH with fieldValidation and the patch content types', () => {
  const d = doc('apis/apps/v1');
  assert.equal(d.openapi, '3.0.0');
  const op = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch!;
  assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(op['x-kubernetes-action'], 'patch');
  const names = (op.parameters as Schema[]).map((p) => p.name);
  for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(n), n);
  assert.deepEqual(Object.keys((op.requestBody as { content: object }).content).sort(), [
    'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
  ]);
});

test('every served kind with patch supports fieldValidation, as kubectl checks it', () => {
  for (const r of RESOURCES.filter((x) => x.verbs.includes('patch'))) {
    assert.ok(supportsFieldValidation(doc(groupVersionPath(r)), r), `${r.group}/${r.version} ${r.kind}`);
  }
});

test('paths per scope and verb', () => {
  const core = doc('api/v1');
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods']!.get!['x-kubernetes-action'], 'list');
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods']!.post!.operationId, 'createCoreV1NamespacedPod');
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods']!.delete!['x-kubernetes-action'], 'deletecollection');
  assert.equal(core.paths['/api/v1/pods']!.get!.operationId, 'listCoreV1PodForAllNamespaces');
  assert.equal(core.paths['/api/v1/nodes/{name}']!.put!.operationId, 'replaceCoreV1Node');
  assert.equal(core.paths['/api/v1/namespaces/{name}']!.delete!['x-kubernetes-action'], 'delete');
  assert.equal(core.paths['/api/v1/namespaces']!.delete, undefined, 'namespaces have no deletecollection');
  assert.deepEqual(Object.keys(core.paths['/api/v1/namespaces/{namespace}/bindings']!).sort(), ['parameters', 'post']);
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log']!.get!['x-kubernetes-action'], 'get');
  assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']!.post!['x-kubernetes-action'], 'connect');
  const scale = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch!;
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(doc('apis/rbac.authorization.k8s.io/v1').paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}']!.get!.operationId, 'readRbacAuthorizationV1ClusterRole');
});

test('every $ref in each document resolves inside that document', () => {
  for (const p of Object.keys(openAPIV3Index().paths)) {
    const d = doc(p);
    for (const r of refsIn(d)) assert.ok(d.components.schemas[r], `${p}: ${r}`);
  }
});

test('each document carries the schemas explain needs', () => {
  const s = doc('apis/apps/v1').components.schemas;
  assert.deepEqual(s['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.ok(s['io.k8s.api.apps.v1.DeploymentSpec']);
  assert.ok(s['io.k8s.api.core.v1.Container']);
  assert.ok(s['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(s['io.k8s.api.batch.v1.Job'], undefined, 'only what the document references');
});
