import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ClusterRecords } from './records.ts';
import { RCODE, TYPE, buildResponse, parseQuery } from './wire.ts';

const svc = (name: string, spec: Service['spec']): Service => ({ metadata: { name, namespace: 'prod' }, spec });
const slice = (svcName: string, eps: { ip: string; hostname?: string; ready?: boolean }[]): EndpointSlice => ({
  metadata: { name: `${svcName}-x`, namespace: 'prod', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  endpoints: eps.map((e) => ({ addresses: [e.ip], hostname: e.hostname, conditions: { ready: e.ready ?? true } })),
});

const rec = new ClusterRecords({
  services: [
    svc('web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.org' }),
  ],
  slices: [slice('db', [{ ip: '10.42.0.8', hostname: 'db-0' }, { ip: '10.42.0.9' }, { ip: '10.42.0.10', ready: false }])],
});

const answers = (name: string, type: number) => {
  const a = rec.resolve(name, type);
  return { rcode: a.rcode, data: a.answers.map((r) => r.data) };
};

describe('cluster DNS records', () => {
  const rows: [string, string, number, number, unknown[]][] = [
    ['a service resolves to its ClusterIP', 'web.prod.svc.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.43.0.20' }]],
    ['names are case-insensitive and may end in a dot', 'WEB.prod.svc.cluster.local.', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.43.0.20' }]],
    ['a headless service resolves to its ready endpoints', 'db.prod.svc.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.42.0.8' }, { type: 1, address: '10.42.0.9' }]],
    ['a named endpoint of a headless service', 'db-0.db.prod.svc.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.42.0.8' }]],
    ['an unnamed endpoint by its dashed IP', '10-42-0-9.db.prod.svc.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.42.0.9' }]],
    ['SRV of a named port', '_http._tcp.web.prod.svc.cluster.local', TYPE.SRV, RCODE.NOERROR, [{ type: 33, priority: 0, weight: 100, port: 80, target: 'web.prod.svc.cluster.local' }]],
    ['ExternalName is a CNAME', 'ext.prod.svc.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 5, target: 'example.org' }]],
    ['a pod by its dashed IP', '10-42-0-7.prod.pod.cluster.local', TYPE.A, RCODE.NOERROR, [{ type: 1, address: '10.42.0.7' }]],
    ['an unknown service does not exist', 'nope.prod.svc.cluster.local', TYPE.A, RCODE.NXDOMAIN, []],
    ['a known name of another type is empty, not missing', 'web.prod.svc.cluster.local', TYPE.AAAA, RCODE.NOERROR, []],
    ['an unknown port does not exist', '_grpc._tcp.web.prod.svc.cluster.local', TYPE.SRV, RCODE.NXDOMAIN, []],
    ['reverse of a ClusterIP', '20.0.43.10.in-addr.arpa', TYPE.PTR, RCODE.NOERROR, [{ type: 12, target: 'web.prod.svc.cluster.local' }]],
  ];
  for (const [name, q, type, rcode, data] of rows) {
    test(name, () => assert.deepEqual(answers(q, type), { rcode, data }));
  }
  test('names outside the cluster domain are forwarded; unknown reverse names too', () => {
    assert.equal(rec.owns('example.org'), false);
    assert.equal(rec.owns('web.prod.svc.cluster.local'), true);
    assert.equal(rec.owns('1.1.168.192.in-addr.arpa'), false);
    assert.equal(rec.owns('8.0.42.10.in-addr.arpa'), true);
  });
  test('a UDP answer too big for 512 bytes is truncated with TC set', () => {
    const many = new ClusterRecords({ services: [svc('big', { clusterIP: 'None' })], slices: [slice('big', Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.1.${i + 1}` })))] });
    const q = { id: 7, flags: 0x0100, questions: [{ name: 'big.prod.svc.cluster.local', type: TYPE.A, class: 1 }] };
    const out = buildResponse(q, many.resolve(q.questions[0]!.name, TYPE.A), 512);
    assert.ok(out.length <= 512);
    assert.ok(out.readUInt16BE(2) & 0x0200, 'TC bit');
    assert.equal(parseQuery(out).id, 7);
  });
});
