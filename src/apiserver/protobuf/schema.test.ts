import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, apiVersionOf } from '../registry/resources.ts';
import { knownMessages, messageForKind, messageSchema, unresolvedReferences } from './schema.ts';

test('every message type a field refers to has a table', () => {
  assert.deepEqual(unresolvedReferences(), []);
});

test('every kind the API server serves has a message type', () => {
  const missing = RESOURCES.filter((r) => !messageForKind(apiVersionOf(r), r.kind)).map((r) => `${apiVersionOf(r)} ${r.kind}`);
  assert.deepEqual(missing, []);
});

test('the kinds named in the brief are covered, with their lists', () => {
  const kinds: [string, string][] = [
    ['apps/v1', 'Deployment'], ['apps/v1', 'ReplicaSet'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'],
    ['v1', 'Namespace'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'ServiceAccount'], ['v1', 'Pod'],
    ['v1', 'ResourceQuota'], ['v1', 'Event'], ['batch/v1', 'Job'], ['batch/v1', 'CronJob'],
    ['autoscaling/v1', 'HorizontalPodAutoscaler'], ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    ['rbac.authorization.k8s.io/v1', 'Role'], ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole'], ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
    ['policy/v1', 'PodDisruptionBudget'], ['coordination.k8s.io/v1', 'Lease'], ['events.k8s.io/v1', 'Event'],
    ['discovery.k8s.io/v1', 'EndpointSlice'],
  ];
  for (const [v, k] of kinds) {
    assert.ok(messageForKind(v, k), `${v} ${k}`);
    assert.ok(messageForKind(v, `${k}List`), `${v} ${k}List`);
  }
  assert.equal(messageForKind('apps/v1', 'Nope'), undefined);
  assert.equal(messageForKind('v2', 'Pod'), undefined);
});

test('field tables agree with generated.proto on a few well-known numbers', () => {
  const num = (msg: string, json: string) => messageSchema(msg)?.fields.find((f) => f.json === json)?.number;
  assert.equal(num('meta.v1.ObjectMeta', 'managedFields'), 17);
  assert.equal(num('meta.v1.ObjectMeta', 'creationTimestamp'), 8);
  assert.equal(num('apps.v1.DeploymentSpec', 'progressDeadlineSeconds'), 9);
  assert.equal(num('core.v1.PodSpec', 'containers'), 2);
  assert.equal(num('core.v1.PodSpec', 'initContainers'), 20);
  assert.equal(num('core.v1.Container', 'envFrom'), 19);
  assert.equal(num('batch.v1.JobSpec', 'ttlSecondsAfterFinished'), 8);
  assert.equal(num('autoscaling.v1.HorizontalPodAutoscalerSpec', 'targetCPUUtilizationPercentage'), 4);
  assert.equal(num('core.v1.Secret', 'stringData'), 4);
  const volume = messageSchema('core.v1.Volume')!.fields.find((f) => f.number === 2)!;
  assert.equal(volume.inline, true);
  assert.ok(knownMessages().length > 400);
});
