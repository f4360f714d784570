import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { computeSubsets } from './controller.ts';
import { desiredSlices } from '../endpointslice/controller.ts';
import { resolveTargetPort } from './pods.ts';

const svc = (over: Partial<Service['spec']> = {}): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' as never, protocol: 'TCP' }], ...over },
});
const pod = (name: string, ip: string | undefined, o: { ready?: boolean; labels?: Record<string, string>; port?: number; phase?: string; deleting?: boolean; node?: string } = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  status: { phase: o.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('target ports', () => {
  const rows: [string, unknown, number | null][] = [
    ['a named port resolves to the container port', 'http', 8080],
    ['a number is used as is', 9000, 9000],
    ['a numeric string is a number', '9001', 9001],
    ['an unknown name resolves to nothing', 'grpc', null],
    ['no targetPort means the service port', undefined, 80],
  ];
  for (const [name, tp, want] of rows) test(name, () => assert.equal(resolveTargetPort({ port: 80, ...(tp === undefined ? {} : { targetPort: tp as never }) }, pod('a', '10.0.0.1')), want));
});

describe('endpoint subsets', () => {
  test('ready and not-ready pods are split; pods without IP, of other apps or finished are left out', () => {
    const subsets = computeSubsets(svc(), [
      pod('b', '10.42.0.6'),
      pod('a', '10.42.0.5'),
      pod('slow', '10.42.0.7', { ready: false }),
      pod('noip', undefined),
      pod('other', '10.42.0.8', { labels: { app: 'db' } }),
      pod('done', '10.42.0.9', { phase: 'Succeeded' }),
      pod('going', '10.42.0.10', { deleting: true }),
    ]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['10.42.0.5', '10.42.0.6']);
    assert.deepEqual(subsets[0]!.notReadyAddresses!.map((a) => a.ip), ['10.42.0.7']);
    assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(subsets[0]!.addresses![0]!.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  });
  test('pods resolving a named port differently land in different subsets', () => {
    const subsets = computeSubsets(svc(), [pod('a', '10.42.0.5', { port: 8080 }), pod('b', '10.42.0.6', { port: 9090 })]);
    assert.deepEqual(subsets.map((s) => s.ports![0]!.port).sort(), [8080, 9090]);
  });
  test('publishNotReadyAddresses lists every pod as ready', () => {
    const subsets = computeSubsets(svc({ publishNotReadyAddresses: true }), [pod('slow', '10.42.0.7', { ready: false })]);
    assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['10.42.0.7']);
    assert.equal(subsets[0]!.notReadyAddresses, undefined);
  });
});

describe('endpoint slices', () => {
  test('terminating pods stay, not ready but serving while their readiness holds', () => {
    const [s] = desiredSlices(svc(), [pod('going', '10.42.0.10', { deleting: true }), pod('a', '10.42.0.5'), pod('slow', '10.42.0.7', { ready: false })]);
    assert.deepEqual(
      s!.endpoints.map((e) => [e.addresses[0], e.conditions]),
      [
        ['10.42.0.10', { ready: false, serving: true, terminating: true }],
        ['10.42.0.5', { ready: true, serving: true, terminating: false }],
        ['10.42.0.7', { ready: false, serving: false, terminating: false }],
      ],
    );
  });
  test('more endpoints than fit are chunked', () => {
    const pods = Array.from({ length: 7 }, (_, i) => pod(`p${i}`, `10.42.1.${i + 1}`));
    assert.deepEqual(desiredSlices(svc(), pods, 3).map((s) => s.endpoints.length), [3, 3, 1]);
  });
});
