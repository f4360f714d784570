import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor, type FieldPatchMeta, type PatchSchema } from './schema.ts';

/** The metadata at a dotted path ("spec.template.spec.containers"). */
function metaAt(schema: PatchSchema, path: string): FieldPatchMeta | undefined {
  const parts = path.split('.');
  let s: PatchSchema | undefined = schema;
  let meta: FieldPatchMeta | undefined;
  for (const p of parts) {
    meta = s?.[p];
    s = meta?.elem;
  }
  return meta;
}

const podTemplate = 'spec.template.spec';
const byKey = (mergeKey: string, strategy: FieldPatchMeta['strategy'] = 'merge') => ({ mergeKey, strategy });

describe('patchSchemaFor: struct-tag facts per kind', () => {
  const cases: Array<[string, string, string, { mergeKey?: string; strategy?: string } | undefined]> = [
    ['v1', 'Pod', 'metadata.finalizers', { strategy: 'merge' }],
    ['v1', 'Pod', 'metadata.ownerReferences', byKey('uid')],
    ['v1', 'Pod', 'metadata.managedFields', undefined],
    ['v1', 'Pod', 'spec.containers', byKey('name')],
    ['v1', 'Pod', 'spec.initContainers', byKey('name')],
    ['v1', 'Pod', 'spec.ephemeralContainers', byKey('name')],
    ['v1', 'Pod', 'spec.containers.env', byKey('name')],
    ['v1', 'Pod', 'spec.containers.ports', byKey('containerPort')],
    ['v1', 'Pod', 'spec.containers.volumeMounts', byKey('mountPath')],
    ['v1', 'Pod', 'spec.containers.volumeDevices', byKey('devicePath')],
    ['v1', 'Pod', 'spec.containers.envFrom', undefined],
    ['v1', 'Pod', 'spec.volumes', byKey('name', 'merge,retainKeys')],
    ['v1', 'Pod', 'spec.imagePullSecrets', byKey('name')],
    ['v1', 'Pod', 'spec.hostAliases', byKey('ip')],
    ['v1', 'Pod', 'spec.topologySpreadConstraints', byKey('topologyKey')],
    ['v1', 'Pod', 'spec.tolerations', undefined],
    ['v1', 'Pod', 'spec.readinessGates', undefined],
    ['v1', 'Pod', 'status.conditions', byKey('type')],
    ['v1', 'Pod', 'status.podIPs', byKey('ip')],
    ['v1', 'Pod', 'status.containerStatuses', undefined],
    ['v1', 'Service', 'spec.ports', byKey('port')],
    ['v1', 'Node', 'status.addresses', byKey('type')],
    ['v1', 'Node', 'status.conditions', byKey('type')],
    ['v1', 'Node', 'spec.podCIDRs', { strategy: 'merge' }],
    ['v1', 'Node', 'spec.taints', undefined],
    ['v1', 'ServiceAccount', 'secrets', byKey('name')],
    ['v1', 'ReplicationController', `${podTemplate}.containers`, byKey('name')],
    ['v1', 'PodTemplate', 'template.spec.containers', byKey('name')],
    ['apps/v1', 'Deployment', 'spec.strategy', { strategy: 'retainKeys' }],
    ['apps/v1', 'Deployment', `${podTemplate}.containers.env`, byKey('name')],
    ['apps/v1', 'Deployment', 'spec.template.metadata.finalizers', { strategy: 'merge' }],
    ['apps/v1', 'Deployment', 'status.conditions', byKey('type')],
    ['apps/v1', 'ReplicaSet', `${podTemplate}.volumes`, byKey('name', 'merge,retainKeys')],
    ['apps/v1', 'DaemonSet', `${podTemplate}.initContainers`, byKey('name')],
    ['apps/v1', 'DaemonSet', 'spec.updateStrategy', undefined],
    ['apps/v1', 'StatefulSet', `${podTemplate}.containers`, byKey('name')],
    ['apps/v1', 'StatefulSet', 'spec.volumeClaimTemplates', undefined],
    ['batch/v1', 'Job', `${podTemplate}.containers`, byKey('name')],
    ['batch/v1', 'Job', 'status.conditions', byKey('type')],
    ['batch/v1', 'CronJob', 'spec.jobTemplate.spec.template.spec.containers', byKey('name')],
    ['batch/v1', 'CronJob', 'spec.jobTemplate.metadata.ownerReferences', byKey('uid')],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', 'status.conditions', byKey('type')],
    ['v1', 'ConfigMap', 'metadata.finalizers', { strategy: 'merge' }],
    ['example.com/v1', 'Widget', 'metadata.ownerReferences', byKey('uid')],
    ['example.com/v1', 'Widget', 'spec.items', undefined],
  ];
  for (const [apiVersion, kind, path, want] of cases) {
    test(`${apiVersion} ${kind} ${path}: ${want ? `${want.strategy}${want.mergeKey ? ` by ${want.mergeKey}` : ''}` : 'atomic/none'}`, () => {
      const got = metaAt(patchSchemaFor(apiVersion, kind), path);
      if (want === undefined) {
        assert.equal(got?.strategy, undefined);
        assert.equal(got?.mergeKey, undefined);
      } else {
        assert.equal(got?.strategy, want.strategy);
        assert.equal(got?.mergeKey, want.mergeKey);
      }
    });
  }
});
