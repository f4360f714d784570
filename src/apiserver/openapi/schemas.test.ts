import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../registry/resources.ts';
import { INT_OR_STRING, getSchema, refsIn, schemaClosure, schemaName, type Schema } from './schemas.ts';

const props = (s: Schema | undefined) => (s?.properties ?? {}) as Record<string, Schema>;
const refOf = (p: Schema) => (p.$ref ?? (p.allOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;

test('names definitions as Kubernetes does', () => {
  assert.equal(schemaName('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(schemaName('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(schemaName('rbac.authorization.k8s.io', 'v1', 'Role'), 'io.k8s.api.rbac.v1.Role');
  assert.equal(schemaName('coordination.k8s.io', 'v1', 'Lease'), 'io.k8s.api.coordination.v1.Lease');
});

test('every served kind and its list has a schema tagged with its group-version-kind', () => {
  for (const r of RESOURCES) {
    for (const kind of r.verbs.includes('list') ? [r.kind, `${r.kind}List`] : [r.kind]) {
      const s = getSchema(schemaName(r.group, r.version, kind));
      assert.ok(s, `${r.group}/${r.version} ${kind}`);
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: r.group, kind, version: r.version }]);
    }
  }
});

test('DeploymentSpec: integer replicas, LabelSelector selector, required template', () => {
  const s = getSchema('io.k8s.api.apps.v1.DeploymentSpec')!;
  assert.equal(s.type, 'object');
  assert.equal(props(s).replicas!.type, 'integer');
  assert.match(String(props(s).replicas!.description), /desired pods/);
  assert.equal(refOf(props(s).selector!), '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.equal(refOf(props(s).template!), '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec');
  assert.deepEqual(s.required, ['selector', 'template']);
  assert.equal(props(s).strategy!['x-kubernetes-patch-strategy'], 'retainKeys');
});

test('maps, arrays, int-or-string, quantities and times', () => {
  const meta = props(getSchema('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
  assert.deepEqual(meta.labels!.additionalProperties, { type: 'string' });
  assert.equal(refOf(meta.creationTimestamp!), '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time');
  assert.deepEqual(getSchema('io.k8s.apimachinery.pkg.apis.meta.v1.Time')!.format, 'date-time');
  const rolling = props(getSchema('io.k8s.api.apps.v1.RollingUpdateDeployment'));
  assert.equal(refOf(rolling.maxSurge!), `#/components/schemas/${INT_OR_STRING}`);
  assert.equal(getSchema(INT_OR_STRING)!['x-kubernetes-int-or-string'], true);
  const req = props(getSchema('io.k8s.api.core.v1.ResourceRequirements'));
  assert.equal(refOf(req.limits!.additionalProperties as Schema), '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.equal(getSchema('io.k8s.api.core.v1.NoSuchThing'), undefined);
});

test('strategic merge keys on the lists kubectl merges', () => {
  const pod = props(getSchema('io.k8s.api.core.v1.PodSpec'));
  assert.equal(pod.containers!.type, 'array');
  assert.equal(pod.containers!['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(pod.containers!['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(pod.volumes!['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const c = props(getSchema('io.k8s.api.core.v1.Container'));
  assert.equal(c.ports!['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(c.ports!['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(props(getSchema('io.k8s.api.apps.v1.DeploymentStatus')).conditions!['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(props(getSchema('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')).ownerReferences!['x-kubernetes-patch-merge-key'], 'uid');
});

test('the closure of Deployment holds every schema it references', () => {
  const all = schemaClosure(['io.k8s.api.apps.v1.Deployment']);
  for (const r of refsIn(Object.values(all))) assert.ok(all[r], r);
  assert.ok(all['io.k8s.api.core.v1.Container']);
  assert.throws(() => schemaClosure(['io.k8s.api.apps.v1.Nope']), /no schema/);
});
