// Hand-encoded bodies (test-encoder.ts) for what the captured kubectl bodies do not reach.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufError, decodeKubernetesProtobuf, decodeMessage } from './decode.ts';
import { formatDuration } from './builtins.ts';
import { bytes, concat, double, envelope, int, key, mapStr, msg, objectMeta, str } from './test-encoder.ts';

const decode = (apiVersion: string, kind: string, ...fields: Uint8Array[]) =>
  decodeKubernetesProtobuf(envelope(apiVersion, kind, concat(...fields))).object;

const quantity = (field: number, k: string, v: string) => msg(field, str(1, k), msg(2, str(1, v)));
const intOrString = (field: number, v: number | string) =>
  typeof v === 'number' ? msg(field, int(1, 0), int(2, v), str(3, '')) : msg(field, int(1, 1), int(2, 0), str(3, v));

test('Deployment: pointer zeros kept, omitempty zeros dropped, structs always written', () => {
  const obj = decode('apps/v1', 'Deployment',
    objectMeta('web', [mapStr(11, 'app', 'web')]),
    msg(2, int(1, 0), int(5, 0), int(6, 0), int(7, false), msg(3, msg(2, msg(2, str(1, 'c'), str(2, 'nginx'))))),
    msg(3),
  );
  assert.deepEqual(obj, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: null, // a pointer without omitempty
      template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'nginx', resources: {} }] } },
      strategy: {},
      revisionHistoryLimit: 0,
    },
    status: {},
  });
  assert.deepEqual(Object.keys(obj), ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
});

test('Pod: probes, env, resources, volumes, security context, affinity, tolerations', () => {
  const container = concat(
    str(1, 'app'), str(2, 'img'),
    str(3, 'sh'), str(3, '-c'),
    msg(6, str(1, 'http'), int(3, 8080), str(4, 'TCP')),
    msg(7, str(1, 'A'), str(2, '1')),
    msg(7, str(1, 'B'), msg(3, msg(3, msg(1, str(1, 'cm')), str(2, 'k'), int(3, true)))),
    msg(8, quantity(1, 'cpu', '500m'), quantity(2, 'memory', '64Mi')),
    msg(9, str(1, 'data'), str(3, '/data'), int(2, true)),
    msg(10, msg(1, msg(2, str(1, '/healthz'), intOrString(2, 'http'))), int(2, 5), int(4, 10)),
    msg(11, msg(1, msg(3, intOrString(1, 8080))), int(2, 0)),
    msg(15, int(4, 0), int(6, false), msg(1, str(2, 'ALL'))),
    int(999, 12345), // unknown field: skipped
  );
  const obj = decode('v1', 'Pod', objectMeta('p'), msg(2,
    msg(1, str(1, 'data'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '1Gi'))))),
    msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'settings')), int(3, 420)))),
    msg(2, container),
    str(3, 'Always'), int(4, 30), mapStr(7, 'disk', 'ssd'),
    msg(14, int(2, 1000), int(4, 1), int(4, 2), int(5, 2000)),
    msg(18, msg(1, msg(1, msg(1, msg(1, str(1, 'zone'), str(2, 'In'), str(3, 'a')))))),
    msg(22, str(1, 'k'), str(2, 'Exists'), str(4, 'NoExecute'), int(5, 60)),
  ));
  assert.deepEqual(obj.spec, {
    volumes: [
      { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
      { name: 'cfg', configMap: { name: 'settings', defaultMode: 420 } },
    ],
    containers: [{
      name: 'app',
      image: 'img',
      command: ['sh', '-c'],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } }],
      resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
      volumeMounts: [{ name: 'data', readOnly: true, mountPath: '/data' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
      readinessProbe: { tcpSocket: { port: 8080 } },
      securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 0, readOnlyRootFilesystem: false },
    }],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    nodeSelector: { disk: 'ssd' },
    securityContext: { runAsUser: 1000, supplementalGroups: [1, 2], fsGroup: 2000 },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }],
  });
});

test('packed repeated varints decode like unpacked ones', () => {
  const packed = concat(key(4, 2), Uint8Array.of(3, 5, 6, 7));
  assert.deepEqual(decodeMessage('core.v1.PodSecurityContext', packed), { supplementalGroups: [5, 6, 7] });
});

test('a singular message that occurs twice is merged', () => {
  const spec = decodeMessage('core.v1.ServiceSpec', concat(msg(7, str(1, 'a')), str(4, 'ClusterIP')));
  assert.equal(spec.type, 'ClusterIP');
  const merged = decodeMessage('meta.v1.LabelSelector', concat(mapStr(1, 'a', '1'), mapStr(1, 'b', '2')));
  assert.deepEqual(merged, { matchLabels: { a: '1', b: '2' } });
  const twice = decodeMessage('core.v1.Container', concat(msg(8, quantity(1, 'cpu', '1')), msg(8, quantity(2, 'cpu', '2'))));
  assert.deepEqual(twice.resources, { limits: { cpu: '1' }, requests: { cpu: '2' } });
});

test('Secret and ConfigMap: map<string, bytes> as base64, immutable pointer', () => {
  const secret = decode('v1', 'Secret', objectMeta('s'), int(5, false), msg(2, str(1, 'bin'), bytes(2, Uint8Array.of(0, 1, 255))), str(3, 'Opaque'));
  assert.deepEqual(secret, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, immutable: false, data: { bin: 'AAH/' }, type: 'Opaque' });
  const cm = decode('v1', 'ConfigMap', objectMeta('c'), mapStr(2, 'k', ''), msg(3, str(1, 'empty')));
  assert.deepEqual(cm.data, { k: '' });
  assert.deepEqual(cm.binaryData, { empty: null });
});

test('times: Time in seconds, MicroTime with microseconds, owner references and managed fields', () => {
  const obj = decode('coordination.k8s.io/v1', 'Lease',
    objectMeta('l', [
      msg(13, str(5, 'apps/v1'), str(1, 'ReplicaSet'), str(3, 'rs'), str(4, 'u-1'), int(6, true)),
      msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'v1'), msg(4, int(1, 1700000000)), str(6, 'FieldsV1'), msg(7, str(1, '{"f:spec":{}}'))),
    ]),
    msg(2, str(1, 'node-a'), int(2, 40), msg(4, int(1, 1700000000), int(2, 123456789)), int(5, 0)),
  );
  const meta = obj.metadata as Record<string, unknown>;
  assert.deepEqual(meta.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-1', controller: true }]);
  assert.deepEqual(meta.managedFields, [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:20Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }]);
  assert.deepEqual(obj.spec, { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2023-11-14T22:13:20.123456Z', leaseTransitions: 0 });
});

test('autoscaling/v2 HPA with metrics and behavior', () => {
  const obj = decode('autoscaling/v2', 'HorizontalPodAutoscaler', objectMeta('h'), msg(2,
    msg(1, str(1, 'Deployment'), str(2, 'web'), str(3, 'apps/v1')),
    int(2, 1), int(3, 10),
    msg(4, str(1, 'Resource'), msg(4, str(1, 'cpu'), msg(2, str(1, 'Utilization'), int(4, 80)))),
    msg(4, str(1, 'Resource'), msg(4, str(1, 'memory'), msg(2, str(1, 'AverageValue'), msg(3, str(1, '500Mi'))))),
    msg(5, msg(2, int(3, 300), msg(2, str(1, 'Pods'), int(2, 1), int(3, 60)))),
  ));
  assert.deepEqual(obj.spec, {
    scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  });
});

test('negative int32 and int64 values, doubles', () => {
  assert.deepEqual(decodeMessage('core.v1.Toleration', int(5, -1)), { tolerationSeconds: -1 });
  assert.deepEqual(decodeMessage('core.v1.PodSpec', int(25, -2147483648)).priority, -2147483648);
  assert.throws(() => decodeMessage('core.v1.Toleration', double(5, 1.5)), /tolerationSeconds .*64-bit wire type, expected varint/);
});

test('a body wrapping JSON is passed through', () => {
  const body = envelope('v1', 'ConfigMap', new TextEncoder().encode('{"metadata":{"name":"j"}}'), 'application/json');
  assert.deepEqual(decodeKubernetesProtobuf(body).object, { metadata: { name: 'j' }, kind: 'ConfigMap', apiVersion: 'v1' });
});

test('errors: magic, envelope, unknown kinds and message types, wire types, truncation', () => {
  const isPb = (re: RegExp) => (e: unknown) => e instanceof ProtobufError && re.test(e.message);
  assert.throws(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Pod"}')), isPb(/missing the "k8s\\0" prefix/));
  assert.throws(() => decodeKubernetesProtobuf(Uint8Array.of(0x6b, 0x38, 0x73, 0)), isPb(/no apiVersion or kind/));
  assert.throws(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Widget', new Uint8Array(0))), isPb(/no protobuf schema for Widget in apps\/v1/));
  assert.throws(() => decodeKubernetesProtobuf(envelope('example.com/v1', 'Foo', new Uint8Array(0))), isPb(/no protobuf schema for Foo in example.com\/v1/));
  assert.throws(() => decodeMessage('core.v1.Nope', new Uint8Array(0)), isPb(/no protobuf schema for message type core.v1.Nope/));
  assert.throws(() => decode('apps/v1', 'Deployment', msg(2, str(1, 'three'))), isPb(/spec.replicas \(apps.v1.DeploymentSpec field 1\): length-delimited wire type, expected varint/));
  assert.throws(() => decode('apps/v1', 'Deployment', int(1, 5)), isPb(/metadata .*varint wire type, expected length-delimited/));
  const truncated = envelope('v1', 'Namespace', concat(key(1, 2), Uint8Array.of(10, 0x0a, 0x03, 0x61)));
  assert.throws(() => decodeKubernetesProtobuf(truncated), isPb(/runs past the end/));
  const cut = envelope('v1', 'Namespace', concat(msg(1, str(1, 'dev')), key(9, 0), Uint8Array.of(0x80)));
  assert.throws(() => decodeKubernetesProtobuf(cut), isPb(/truncated varint/));
  const gz = concat(Uint8Array.of(0x6b, 0x38, 0x73, 0), msg(1, str(1, 'v1'), str(2, 'Pod')), str(3, 'gzip'));
  assert.throws(() => decodeKubernetesProtobuf(gz), isPb(/unsupported contentEncoding "gzip"/));
  assert.throws(() => decodeMessage('meta.v1.ManagedFieldsEntry', msg(7, str(1, 'not json'))), isPb(/fieldsV1: fieldsv1 does not hold JSON/));
});

test('Go duration strings', () => {
  assert.equal(formatDuration(0n), '0s');
  assert.equal(formatDuration(1_500_000_000n), '1.5s');
  assert.equal(formatDuration(90_000_000_000n), '1m30s');
  assert.equal(formatDuration(3_600_000_000_000n), '1h0m0s');
  assert.equal(formatDuration(1_500_000n), '1.5ms');
  assert.equal(formatDuration(2_000n), '2µs');
  assert.equal(formatDuration(-5n), '-5ns');
});
