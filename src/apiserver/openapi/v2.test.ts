import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../registry/resources.ts';
import { schemaName, type Schema } from './schemas.ts';
import { openAPIV2Document, openAPIV2Protobuf } from './v2.ts';

type Swagger = { swagger: string; paths: Record<string, Record<string, Schema>>; definitions: Record<string, Schema> };
const v2 = () => openAPIV2Document() as Swagger;

test('a swagger 2.0 document covering every served kind', () => {
  const d = v2();
  assert.equal(d.swagger, '2.0');
  for (const r of RESOURCES) assert.ok(d.definitions[schemaName(r.group, r.version, r.kind)], r.kind);
  assert.equal(openAPIV2Document(), openAPIV2Document(), 'built once');
});

test('refs point into definitions and all resolve; no oneOf', () => {
  const text = JSON.stringify(v2());
  assert.ok(!text.includes('#/components/'));
  assert.ok(!text.includes('"oneOf"'));
  for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) assert.ok(v2().definitions[m[1]!], m[1]);
  assert.deepEqual(v2().definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
});

test('the Deployment PATCH: body parameter, fieldValidation, patch consumes', () => {
  const op = v2().paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch!;
  const params = op.parameters as Schema[];
  assert.deepEqual(params[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.deepEqual(params.find((p) => p.name === 'fieldValidation')!.type, 'string');
  assert.ok((op.consumes as string[]).includes('application/strategic-merge-patch+json'));
  assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  const spec = v2().definitions['io.k8s.api.apps.v1.DeploymentSpec']!.properties as Record<string, Schema>;
  assert.equal(spec.selector!.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.ok(spec.selector!.description);
});

test('the protobuf stub is a gnostic Document with swagger and info only', () => {
  const b = Buffer.from(openAPIV2Protobuf());
  // field 1 (swagger) = "2.0", then field 2 (info) = {title, version}
  assert.deepEqual([...b.subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30]);
  assert.equal(b[5], 0x12);
  assert.equal(b[6], b.length - 7);
  assert.ok(b.includes('Kubernetes') && b.includes('v1.32.0'));
});
