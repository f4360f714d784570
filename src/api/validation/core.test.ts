import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from './field.ts';
import { validateCreate, validateUpdate } from './index.ts';
import { configMapPod, myService } from './testdata.ts';

const run = (apiVersion: string, kind: string, obj: unknown): string[] => validateCreate(apiVersion, kind, obj).map(errorString);
type Mutate = (o: any) => void;

describe('Pod', () => {
  const rows: [string, Mutate, string[]][] = [
    ['the configMap-volume Pod from the docs is valid', () => {}, []],
    ['containers are required', (p) => { p.spec.containers = []; }, ['spec.containers: Required value']],
    ['container names must be DNS labels', (p) => { p.spec.containers[0].name = 'Web'; }, [
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]],
    ['init and regular container names share a namespace', (p) => {
      p.spec.initContainers = [{ ...p.spec.containers[0], volumeMounts: [] }];
    }, ['spec.initContainers[0].name: Duplicate value: "test-container"']],
    ['image is required', (p) => { p.spec.containers[0].image = ''; }, ['spec.containers[0].image: Required value']],
    ['image may not have surrounding whitespace on a pod', (p) => { p.spec.containers[0].image = ' busybox'; }, [
      'spec.containers[0].image: Invalid value: " busybox": must not have leading or trailing whitespace',
    ]],
    ['ports must be in range and protocols known', (p) => { p.spec.containers[0].ports = [{ containerPort: 0, hostPort: 70000, protocol: 'ICMP' }]; }, [
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]],
    ['port names are unique per container', (p) => {
      p.spec.containers[0].ports = [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'http', containerPort: 81, protocol: 'TCP' }];
    }, ['spec.containers[0].ports[1].name: Duplicate value: "http"']],
    ['env names may not contain =', (p) => { p.spec.containers[0].env = [{ name: 'A=B', value: 'x' }]; }, [
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    ]],
    ['env valueFrom needs a source', (p) => { p.spec.containers[0].env = [{ name: 'A', valueFrom: {} }]; }, [
      'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    ]],
    ['volume names are unique', (p) => { p.spec.volumes.push({ name: 'config-volume', emptyDir: {} }); }, [
      'spec.volumes[1].name: Duplicate value: "config-volume"',
    ]],
    ['mounts must name an existing volume', (p) => { p.spec.containers[0].volumeMounts[0].name = 'missing'; }, [
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
    ]],
    ['a volume needs exactly one source, and a broken volume cannot be mounted', (p) => { p.spec.volumes[0].emptyDir = {}; }, [
      'spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
      'spec.containers[0].volumeMounts[0].name: Not found: "config-volume"',
    ]],
    ['restartPolicy is an enum', (p) => { p.spec.restartPolicy = 'Sometimes'; }, [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]],
    ['dnsPolicy is an enum', (p) => { p.spec.dnsPolicy = 'Google'; }, [
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]],
    ['requests may not exceed limits', (p) => { p.spec.containers[0].resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } }; }, [
      'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ]],
    ['quantities may not be negative', (p) => { p.spec.containers[0].resources = { limits: { memory: '-1Gi' } }; }, [
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ]],
    ['resource names must be standard', (p) => { p.spec.containers[0].resources = { limits: { gpu: '1' } }; }, [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ]],
    ['probes need a handler and non-negative timings', (p) => { p.spec.containers[0].readinessProbe = { periodSeconds: -1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 }; }, [
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
    ]],
    ['liveness successThreshold must be 1', (p) => {
      p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 2, failureThreshold: 3 };
    }, ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['terminationGracePeriodSeconds must be non-negative', (p) => { p.spec.terminationGracePeriodSeconds = -5; }, [
      'spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0',
    ]],
  ];
  for (const [name, mutate, want] of rows) {
    test(name, () => {
      const p = configMapPod();
      mutate(p);
      assert.deepEqual(run('v1', 'Pod', p), want);
    });
  }
  test('only images may change on update', () => {
    const old = configMapPod();
    const pod = configMapPod();
    pod.spec.containers[0].image = 'busybox:2';
    assert.deepEqual(validateUpdate('v1', 'Pod', pod, old).map(errorString), []);
    pod.spec.restartPolicy = 'Always';
    assert.match(validateUpdate('v1', 'Pod', pod, old).map(errorString)[0]!, /^spec: Forbidden: pod updates may not change fields other than/);
  });
});

describe('Service', () => {
  const rows: [string, Mutate, string[]][] = [
    ['the my-service example from the docs is valid', () => {}, []],
    ['ports are required', (s) => { s.spec.ports = []; }, ['spec.ports: Required value']],
    ['headless services need no ports', (s) => { s.spec.ports = []; s.spec.clusterIP = 'None'; }, []],
    ['ExternalName services need no ports but an externalName', (s) => { s.spec = { type: 'ExternalName', sessionAffinity: 'None' }; }, [
      'spec.externalName: Required value',
    ]],
    ['ports must be in range', (s) => { s.spec.ports[0].port = 0; }, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['names are required with several ports', (s) => { s.spec.ports.push({ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }); }, [
      'spec.ports[0].name: Required value',
    ]],
    ['port names are unique', (s) => {
      s.spec.ports = [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'web', port: 81, protocol: 'TCP', targetPort: 81 }];
    }, ['spec.ports[1].name: Duplicate value: "web"']],
    ['named targetPorts must be valid port names', (s) => { s.spec.ports[0].targetPort = 'HTTP'; }, [
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]],
    ['type is an enum', (s) => { s.spec.type = 'Internal'; }, [
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]],
    ['nodePort is forbidden for ClusterIP', (s) => { s.spec.ports[0].nodePort = 30080; }, [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]],
    ['sessionAffinity is an enum', (s) => { s.spec.sessionAffinity = 'Sticky'; }, [
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    ]],
    ['service names are DNS-1035 labels', (s) => { s.metadata.name = '1svc'; }, [
      `metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]],
  ];
  for (const [name, mutate, want] of rows) {
    test(name, () => {
      const s = myService();
      mutate(s);
      assert.deepEqual(run('v1', 'Service', s), want);
    });
  }
  test('an allocated clusterIP is immutable', () => {
    const old = myService();
    old.spec.clusterIP = '10.0.0.5';
    const svc = myService();
    svc.spec.clusterIP = '10.0.0.6';
    assert.deepEqual(validateUpdate('v1', 'Service', svc, old).map(errorString), ['spec.clusterIP: Invalid value: "10.0.0.6": field is immutable']);
  });
});

describe('other core kinds', () => {
  const meta = { name: 'x', namespace: 'default' };
  const rows: [string, string, unknown, string[]][] = [
    ['ConfigMap keys must be config keys', 'ConfigMap', { metadata: meta, data: { 'a/b': '1', ok: '2' } }, [
      `data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]],
    ['Secret keys must be config keys', 'Secret', { metadata: meta, type: 'Opaque', data: { 'a b': 'eA==' } }, [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]],
    ['TLS secrets need tls.crt and tls.key', 'Secret', { metadata: meta, type: 'kubernetes.io/tls', data: {} }, [
      'data[tls.crt]: Required value', 'data[tls.key]: Required value',
    ]],
    ['Namespace names are DNS labels and cluster-scoped', 'Namespace', { metadata: { name: 'a.b', namespace: 'x' } }, [
      'metadata.name: Invalid value: "a.b": must not contain dots', 'metadata.namespace: Forbidden: not allowed on this type',
    ]],
    ['PVCs need access modes and a storage request', 'PersistentVolumeClaim', { metadata: meta, spec: {} }, [
      'spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value',
    ]],
    ['PVC storage must be positive', 'PersistentVolumeClaim', { metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } } }, [
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ]],
    ['PVC access modes are an enum', 'PersistentVolumeClaim', { metadata: meta, spec: { accessModes: ['RWO'], resources: { requests: { storage: '1Gi' } } } }, [
      'spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ]],
    ['Endpoints addresses must be IPs', 'Endpoints', { metadata: meta, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 80, protocol: 'TCP' }] }] }, [
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]],
    ['ResourceQuota hard limits are non-negative', 'ResourceQuota', { metadata: meta, spec: { hard: { pods: '-1' } } }, [
      'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0',
    ]],
    ['LimitRange min may not exceed max', 'LimitRange', { metadata: meta, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }, [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    ]],
    ['ServiceAccount names are subdomains', 'ServiceAccount', { metadata: { ...meta, name: 'build_bot' } }, [
      `metadata.name: Invalid value: "build_bot": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]],
    ['Events must match their object namespace', 'Event', { metadata: { name: 'e', namespace: 'a' }, involvedObject: { namespace: 'b' } }, [
      'involvedObject.namespace: Invalid value: "b": does not match event.namespace',
    ]],
    ['Node taints need an effect', 'Node', { metadata: { name: 'n1' }, spec: { taints: [{ key: 'k' }] } }, ['spec.taints[0].effect: Required value']],
    ['unknown kinds get metadata checks only', 'Widget', { metadata: { name: 'W' }, spec: { anything: true } }, [
      `metadata.name: Invalid value: "W": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'metadata.namespace: Required value',
    ]],
  ];
  for (const [name, kind, obj, want] of rows) test(name, () => assert.deepEqual(run('v1', kind, obj), want));

  test('an immutable ConfigMap keeps its data', () => {
    const old = { metadata: { ...meta, resourceVersion: '1' }, immutable: true, data: { a: '1' } };
    assert.deepEqual(validateUpdate('v1', 'ConfigMap', { ...old, data: { a: '2' } }, old).map(errorString), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
  test('a Secret type is immutable', () => {
    const old = { metadata: meta, type: 'Opaque' };
    assert.deepEqual(validateUpdate('v1', 'Secret', { metadata: meta, type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }, old).map(errorString), [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    ]);
  });
});
