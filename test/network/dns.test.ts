// The cluster DNS server against a real API server, queried by Node's own
// resolver (c-ares, a client Skiff did not write) over UDP, and by a TCP
// query; names outside the cluster domain are forwarded to an upstream.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { Socket } from 'node:net';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { Client } from '../../src/client/rest.ts';
import { DnsServer } from '../../src/network/dns/server.ts';
import { TYPE } from '../../src/network/dns/wire.ts';

describe('cluster DNS server', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let client: Client;
  let dns: DnsServer;
  let upstream: DnsServer;
  let port = 0;
  let resolver: Resolver;
  let webIP = '';

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
    // The "upstream" is a second server for another domain: forwarding is proven when its names resolve through the first.
    upstream = new DnsServer(client, { host: '127.0.0.1', port: 0, domain: 'upstream.test', upstreams: [] });
    const upPort = await upstream.start();
    dns = new DnsServer(client, { host: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${upPort}`] });
    port = await dns.start();
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    const web = await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    webIP = web.body.spec.clusterIP;
    await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
    for (const [name, ip] of [['db-0', '10.42.0.30'], ['db-1', '10.42.0.31']]) {
      await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'db' } }, spec: { hostname: name, subdomain: 'db', nodeName: 'n1', containers: [{ name: 'c', image: 'postgres' }] } });
      await api('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } }, { 'content-type': 'application/merge-patch+json' });
    }
  });
  after(async () => {
    await dns?.stop();
    await upstream?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('a service name resolves to its ClusterIP', async () => {
    const ips = await waitFor(() => resolver.resolve4('web.default.svc.cluster.local').catch(() => undefined), 'the service record');
    assert.deepEqual(ips, [webIP]);
  });

  test('a headless service resolves to its pods, and each pod by its hostname', async () => {
    const ips = await waitFor(async () => {
      const r = await resolver.resolve4('db.default.svc.cluster.local').catch(() => []);
      return r.length === 2 ? r : undefined;
    }, 'both endpoints of the headless service');
    assert.deepEqual(ips.sort(), ['10.42.0.30', '10.42.0.31']);
    assert.deepEqual(await resolver.resolve4('db-1.db.default.svc.cluster.local'), ['10.42.0.31']);
    const srv = await resolver.resolveSrv('_pg._tcp.db.default.svc.cluster.local');
    assert.deepEqual(srv.map((s) => `${s.name}:${s.port}`).sort(), ['db-0.db.default.svc.cluster.local:5432', 'db-1.db.default.svc.cluster.local:5432']);
  });

  test('an unknown name is NXDOMAIN; a reverse lookup names the service', async () => {
    await assert.rejects(resolver.resolve4('nope.default.svc.cluster.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
    assert.deepEqual(await resolver.reverse(webIP), ['web.default.svc.cluster.local']);
  });

  test('names outside the cluster domain are forwarded upstream (UDP)', async () => {
    assert.deepEqual(await resolver.resolve4(`web.default.svc.upstream.test`), [webIP]);
  });

  test('queries over TCP are answered, and forwarded over TCP', async () => {
    const ask = (name: string) =>
      new Promise<Buffer>((resolve, reject) => {
        const s = new Socket();
        const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
        const q = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, TYPE.A, 0, 1])]);
        let buf = Buffer.alloc(0);
        s.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            s.destroy();
            resolve(buf.subarray(2));
          }
        });
        s.on('error', reject);
        s.connect(port, '127.0.0.1', () => s.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q])));
      });
    for (const name of ['web.default.svc.cluster.local', 'web.default.svc.upstream.test']) {
      const r = await ask(name);
      assert.equal(r.readUInt16BE(0), 0x1234);
      assert.equal(r.readUInt16BE(2) & 0xf, 0, `rcode for ${name}`);
      assert.equal(r.readUInt16BE(6), 1, `one answer for ${name}`);
      assert.deepEqual([...r.subarray(r.length - 4)], webIP.split('.').map(Number));
    }
  });
});
