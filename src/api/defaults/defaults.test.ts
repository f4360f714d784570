import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, imageTag } from './index.ts';

const applied = (apiVersion: string, kind: string, obj: any): any => {
  applyDefaults(apiVersion, kind, obj);
  return obj;
};

describe('image tags decide imagePullPolicy', () => {
  const rows: [string, string, string][] = [
    ['no tag means latest', 'nginx', 'latest'],
    ['explicit tag', 'nginx:1.25', '1.25'],
    ['registry port is not a tag', 'localhost:5000/app', 'latest'],
    ['digest without tag has no tag', 'nginx@sha256:abcd', ''],
    ['tag and digest keep the tag', 'nginx:1.2@sha256:abcd', '1.2'],
  ];
  for (const [name, image, want] of rows) test(name, () => assert.equal(imageTag(image), want));
});

describe('Pod defaults', () => {
  const pod = () => applied('v1', 'Pod', {
    metadata: { name: 'p' },
    spec: {
      containers: [{
        name: 'c', image: 'nginx', ports: [{ containerPort: 80 }],
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        resources: { limits: { cpu: '1' } },
      }, { name: 'd', image: 'nginx:1.25' }],
      volumes: [{ name: 'v' }, { name: 'cm', configMap: { name: 'x' } }],
    },
  });
  const rows: [string, (p: any) => unknown, unknown][] = [
    ['restartPolicy Always', (p) => p.spec.restartPolicy, 'Always'],
    ['dnsPolicy ClusterFirst', (p) => p.spec.dnsPolicy, 'ClusterFirst'],
    ['schedulerName default-scheduler', (p) => p.spec.schedulerName, 'default-scheduler'],
    ['terminationGracePeriodSeconds 30', (p) => p.spec.terminationGracePeriodSeconds, 30],
    ['empty pod securityContext', (p) => p.spec.securityContext, {}],
    ['enableServiceLinks true', (p) => p.spec.enableServiceLinks, true],
    ['untagged image pulls Always', (p) => p.spec.containers[0].imagePullPolicy, 'Always'],
    ['tagged image pulls IfNotPresent', (p) => p.spec.containers[1].imagePullPolicy, 'IfNotPresent'],
    ['termination message path', (p) => p.spec.containers[0].terminationMessagePath, '/dev/termination-log'],
    ['termination message policy', (p) => p.spec.containers[0].terminationMessagePolicy, 'File'],
    ['port protocol TCP', (p) => p.spec.containers[0].ports[0].protocol, 'TCP'],
    ['fieldRef apiVersion v1', (p) => p.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion, 'v1'],
    ['probe timings and httpGet path/scheme', (p) => p.spec.containers[0].livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    }],
    ['requests copied from limits', (p) => p.spec.containers[0].resources.requests, { cpu: '1' }],
    ['a sourceless volume becomes emptyDir', (p) => p.spec.volumes[0], { name: 'v', emptyDir: {} }],
    ['configMap volumes get mode 0644', (p) => p.spec.volumes[1].configMap.defaultMode, 420],
  ];
  for (const [name, get, want] of rows) test(name, () => assert.deepEqual(get(pod()), want));
  test('defaulting twice changes nothing', () => {
    const once = pod();
    const twice = applied('v1', 'Pod', structuredClone(once));
    assert.deepEqual(twice, once);
  });
});

describe('Service defaults', () => {
  test('ClusterIP service', () => {
    const s = applied('v1', 'Service', { spec: { ports: [{ port: 80 }] } });
    assert.deepEqual(s.spec, {
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
    });
  });
  test('LoadBalancer gets external policy and node ports', () => {
    const s = applied('v1', 'Service', { spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }] } });
    assert.equal(s.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(s.spec.allocateLoadBalancerNodePorts, true);
    assert.equal(s.spec.ports[0].targetPort, 'http');
  });
  test('ClientIP affinity gets a 3 hour timeout', () => {
    const s = applied('v1', 'Service', { spec: { sessionAffinity: 'ClientIP', ports: [] } });
    assert.deepEqual(s.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });
  test('ExternalName gets no IP family or traffic policy', () => {
    const s = applied('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.deepEqual(s.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });
});

describe('workload defaults', () => {
  const tmpl = () => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
  test('Deployment', () => {
    const d = applied('apps/v1', 'Deployment', { spec: { template: tmpl() } });
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    assert.equal(d.spec.template.spec.enableServiceLinks, undefined, 'pod-only defaults stay off templates');
  });
  test('Recreate Deployments get no rollingUpdate', () => {
    const d = applied('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' }, template: tmpl() } });
    assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
  });
  test('ReplicaSet', () => assert.equal(applied('apps/v1', 'ReplicaSet', { spec: { template: tmpl() } }).spec.replicas, 1));
  test('DaemonSet', () => {
    const ds = applied('apps/v1', 'DaemonSet', { spec: { template: tmpl() } });
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
  });
  test('StatefulSet', () => {
    const ss = applied('apps/v1', 'StatefulSet', {
      spec: { template: tmpl(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] },
    });
    assert.equal(ss.spec.replicas, 1);
    assert.equal(ss.spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(ss.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(ss.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(ss.spec.revisionHistoryLimit, 10);
    assert.equal(ss.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
    assert.equal(ss.spec.volumeClaimTemplates[0].status.phase, 'Pending');
  });
  test('ReplicationController takes selector and labels from its template', () => {
    const rc = applied('v1', 'ReplicationController', { metadata: { name: 'rc' }, spec: { template: tmpl() } });
    assert.deepEqual(rc.spec.selector, { app: 'a' });
    assert.deepEqual(rc.metadata.labels, { app: 'a' });
    assert.equal(rc.spec.replicas, 1);
  });
});

describe('other core defaults', () => {
  const rows: [string, string, any, (o: any) => unknown, unknown][] = [
    ['Secret type Opaque', 'Secret', {}, (o) => o.type, 'Opaque'],
    ['PVC volumeMode Filesystem', 'PersistentVolumeClaim', { spec: {} }, (o) => o.spec.volumeMode, 'Filesystem'],
    ['Namespace name label', 'Namespace', { metadata: { name: 'team-a' } }, (o) => o.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' }],
    ['Namespace phase Active', 'Namespace', { metadata: { name: 'team-a' } }, (o) => o.status.phase, 'Active'],
    ['Endpoints port protocol TCP', 'Endpoints', { subsets: [{ ports: [{ port: 80 }] }] }, (o) => o.subsets[0].ports[0].protocol, 'TCP'],
    ['LimitRange container default request falls back to default', 'LimitRange', { spec: { limits: [{ type: 'Container', max: { cpu: '2' } }] } },
      (o) => [o.spec.limits[0].default, o.spec.limits[0].defaultRequest], [{ cpu: '2' }, { cpu: '2' }]],
    ['unknown kinds are untouched', 'Widget', { spec: {} }, (o) => o, { spec: {} }],
  ];
  for (const [name, kind, obj, get, want] of rows) test(name, () => assert.deepEqual(get(applied('v1', kind, obj)), want));
});
