import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hpaV1ToV2, hpaV2ToV1 } from './autoscaling.ts';

const v1 = {
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'api', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
};

test('v1 CPU target becomes a v2 Resource cpu Utilization metric and back', () => {
  const v2 = hpaV1ToV2(v1);
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal('targetCPUUtilizationPercentage' in v2.spec, false);
  assert.deepEqual(hpaV2ToV1(v2), v1);
});

test('v2 status current CPU shows as v1 currentCPUUtilizationPercentage; conditions are not v1 fields', () => {
  const v2 = { ...hpaV1ToV2(v1), status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '120m' } } }], conditions: [{ type: 'AbleToScale', status: 'True' }] } };
  assert.deepEqual(hpaV2ToV1(v2).status, { currentReplicas: 3, desiredReplicas: 3, currentCPUUtilizationPercentage: 42 });
});

test('a v1 update keeps the v2-only metrics, behavior and conditions of the stored object', () => {
  const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } };
  const stored = { ...hpaV1ToV2(v1), spec: { ...hpaV1ToV2(v1).spec, metrics: [...hpaV1ToV2(v1).spec.metrics, memory], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
  const updated = hpaV1ToV2({ ...v1, spec: { ...v1.spec, targetCPUUtilizationPercentage: 50 } }, stored);
  assert.deepEqual(updated.spec.metrics.map((m: any) => m.resource.name), ['cpu', 'memory']);
  assert.equal(updated.spec.metrics[0].resource.target.averageUtilization, 50);
  assert.deepEqual(updated.spec.behavior, { scaleDown: { stabilizationWindowSeconds: 60 } });
});
