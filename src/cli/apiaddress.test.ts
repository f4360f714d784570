import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../client/rest.ts';
import { apiAddresses } from './apiaddress.ts';
import { startControlPlane, type ControlPlane } from './controlplane.ts';

test('by default the API server listens on loopback and the node address, and advertises the node address', () => {
  assert.deepEqual(apiAddresses({ nodeIP: '192.168.1.5' }), { host: '127.0.0.1', alsoListen: ['192.168.1.5'], advertiseAddress: '192.168.1.5' });
});

test('without a node address it stays on loopback and advertises what it is bound to', () => {
  assert.deepEqual(apiAddresses({}), { host: '127.0.0.1', alsoListen: [], advertiseAddress: undefined });
});

test('every address (--nodes N, --host 0.0.0.0) advertises the node address without a second listener', () => {
  assert.deepEqual(apiAddresses({ nodeIP: '10.0.0.2', allAddresses: true }), { host: '0.0.0.0', alsoListen: [], advertiseAddress: '10.0.0.2' });
  assert.deepEqual(apiAddresses({ host: '0.0.0.0', nodeIP: '10.0.0.2' }), { host: '0.0.0.0', alsoListen: [], advertiseAddress: '10.0.0.2' });
});

test('an explicit --host is the one address served; --advertise-address adds itself', () => {
  assert.deepEqual(apiAddresses({ host: '10.1.2.3', nodeIP: '10.0.0.2' }), { host: '10.1.2.3', alsoListen: [], advertiseAddress: '10.1.2.3' });
  assert.deepEqual(apiAddresses({ host: '127.0.0.1', nodeIP: '10.0.0.2' }), { host: '127.0.0.1', alsoListen: [], advertiseAddress: '127.0.0.1' });
  assert.deepEqual(apiAddresses({ advertiseAddress: '10.9.9.9', nodeIP: '10.0.0.2' }), { host: '127.0.0.1', alsoListen: ['10.9.9.9'], advertiseAddress: '10.9.9.9' });
});

test('a bad --advertise-address is a usage error', () => {
  assert.throws(() => apiAddresses({ advertiseAddress: 'not-an-ip' }), /--advertise-address must be an IP address/);
  assert.throws(() => apiAddresses({ advertiseAddress: '0.0.0.0' }), /--advertise-address must be an IP address/);
});

test('the control plane serves loopback and the advertised address on one port, and the kubernetes Service follows it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-apiaddr-'));
  // 127.0.0.2 stands for the node's address: a second address of this host that is not the first listener.
  const start = () => startControlPlane({ dataDir, port: 0, host: '127.0.0.1', alsoListen: ['127.0.0.2'], advertiseAddress: '127.0.0.2', controllers: [], scheduler: false });
  let cp = await start();
  try {
    const port = Number(new URL(cp.url).port);
    const ca = readFileSync(join(cp.pkiDir, 'ca.crt'), 'utf8');
    // Both listeners, the certificate verified against the cluster CA for the address and for the Service's name.
    assert.equal(await healthz('127.0.0.1', port, ca), 'ok');
    assert.equal(await healthz('127.0.0.2', port, ca), 'ok');
    assert.equal(await healthz('127.0.0.2', port, ca, 'kubernetes.default.svc.cluster.local'), 'ok');
    await assert.rejects(healthz('127.0.0.3', port, ca), /ECONNREFUSED/, 'not every address');
    await assert.rejects(healthz('127.0.0.2', port, ca, 'elsewhere.example'), /altnames/, 'a name it does not hold is refused');
    await assertService(cp, port);
    // Restarted on another port (--port 0): the Service's targetPort and the endpoints follow.
    await cp.stop();
    cp = await start();
    const port2 = Number(new URL(cp.url).port);
    assert.equal(await healthz('127.0.0.2', port2, ca), 'ok');
    await assertService(cp, port2);
  } finally {
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function assertService(cp: ControlPlane, port: number): Promise<void> {
  const svc = (await cp.client.resource<Service & KubeObject>('v1', 'services').get('default', 'kubernetes')) as Service;
  assert.equal(svc.spec?.clusterIP, '10.43.0.1');
  assert.deepEqual(svc.spec?.ports?.map((p) => [p.port, p.targetPort]), [[443, port]]);
  const ep = (await cp.client.resource<Endpoints & KubeObject>('v1', 'endpoints').get('default', 'kubernetes')) as Endpoints;
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.2' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]);
  const slice = (await cp.client.resource<EndpointSlice & KubeObject>('discovery.k8s.io/v1', 'endpointslices').get('default', 'kubernetes')) as EndpointSlice;
  assert.deepEqual(slice.endpoints.map((e) => e.addresses), [['127.0.0.2']]);
  assert.equal(slice.ports?.[0]?.port, port);
}

function healthz(host: string, port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host, port, path: '/healthz', ca, servername, timeout: 5000, checkServerIdentity: (_h, cert) => checkServerIdentity(servername ?? host, cert) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
