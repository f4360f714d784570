import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';

describe('Service cluster IPs and node ports', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const svcs = '/api/v1/namespaces/default/services';
  const svc = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
  });
  after(async () => cluster.stop());

  test('concurrent creates each get a distinct cluster IP from 10.43.0.0/16, never .0.1', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api('POST', svcs, svc(`s${i}`))));
    const ips = results.map((r) => {
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.spec.clusterIPs, [r.body.spec.clusterIP]);
      return r.body.spec.clusterIP as string;
    });
    assert.equal(new Set(ips).size, 20);
    for (const ip of ips) {
      assert.match(ip, /^10\.43\.\d+\.\d+$/);
      assert.notEqual(ip, '10.43.0.1');
    }
  });

  test('a requested IP is honoured once; again is 422, out of range is 422, and deleting frees it', async () => {
    const a = await api('POST', svcs, svc('fixed', { clusterIP: '10.43.9.9' }));
    assert.equal(a.status, 201);
    assert.equal(a.body.spec.clusterIP, '10.43.9.9');
    const b = await api('POST', svcs, svc('fixed2', { clusterIP: '10.43.9.9' }));
    assert.equal(b.status, 422);
    assert.match(b.body.message, /spec\.clusterIPs: Invalid value: \["10\.43\.9\.9"\]: failed to allocate IP 10\.43\.9\.9: provided IP is already allocated/);
    const c = await api('POST', svcs, svc('outside', { clusterIP: '192.168.1.1' }));
    assert.equal(c.status, 422);
    assert.match(c.body.message, /not in the valid range/);
    assert.equal((await api('GET', `${svcs}/fixed2`)).status, 404, 'a refused create stores nothing');
    assert.equal((await api('DELETE', `${svcs}/fixed`)).status, 200);
    assert.equal((await api('POST', svcs, svc('fixed3', { clusterIP: '10.43.9.9' }))).status, 201, 'the IP was released with its Service');
  });

  test('NodePort services get node ports in 30000-32767; headless and ExternalName get no IP', async () => {
    const np = await api('POST', svcs, svc('np', { type: 'NodePort', ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] }));
    assert.equal(np.status, 201, np.text);
    const ports = np.body.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    assert.equal(new Set(ports).size, 2);
    for (const p of ports) assert.ok(p >= 30000 && p <= 32767, `node port ${p} in range`);
    const dup = await api('POST', svcs, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] }));
    assert.equal(dup.status, 422);
    assert.match(dup.body.message, /provided port is already allocated/);
    const headless = await api('POST', svcs, svc('headless', { clusterIP: 'None' }));
    assert.deepEqual([headless.body.spec.clusterIP, headless.body.spec.clusterIPs], ['None', ['None']]);
    const ext = await api('POST', svcs, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(ext.status, 201, ext.text);
    assert.equal(ext.body.spec.clusterIP, undefined);
  });

  const merge = { 'content-type': 'application/merge-patch+json' };

  test('changing ClusterIP to NodePort allocates node ports; back to ClusterIP drops and frees them', async () => {
    const a = await api('POST', svcs, svc('retype'));
    assert.equal(a.status, 201, a.text);
    const np = await api('PATCH', `${svcs}/retype`, { spec: { type: 'NodePort' } }, merge);
    assert.equal(np.status, 200, np.text);
    const port = np.body.spec.ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767, String(port));
    assert.equal(np.body.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(np.body.spec.clusterIP, a.body.spec.clusterIP, 'the cluster IP is kept');
    const back = await api('PATCH', `${svcs}/retype`, { spec: { type: 'ClusterIP' } }, merge);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.spec.ports[0].nodePort, undefined);
    assert.equal(back.body.spec.externalTrafficPolicy, undefined);
    // The freed port can be asked for by another Service.
    const other = await api('POST', svcs, svc('takes-port', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }));
    assert.equal(other.status, 201, other.text);
  });

  test('a replace that leaves out the allocated IP and node port keeps them', async () => {
    const a = await api('POST', svcs, svc('keep', { type: 'NodePort' }));
    assert.equal(a.status, 201, a.text);
    const put = await api('PUT', `${svcs}/keep`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep', resourceVersion: a.body.metadata.resourceVersion }, spec: { type: 'NodePort', selector: { app: 'keep' }, ports: [{ port: 80 }] } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.spec.clusterIP, a.body.spec.clusterIP);
    assert.equal(put.body.spec.ports[0].nodePort, a.body.spec.ports[0].nodePort);
  });

  test('ExternalName to ClusterIP gets an IP; back to ExternalName frees it', async () => {
    const a = await api('POST', svcs, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'retyped-ext' }, spec: { type: 'ExternalName', externalName: 'db.example.org' } });
    assert.equal(a.status, 201, a.text);
    const c = await api('PATCH', `${svcs}/retyped-ext`, { spec: { type: 'ClusterIP', externalName: null, selector: { app: 'x' }, ports: [{ port: 80 }] } }, merge);
    assert.equal(c.status, 200, c.text);
    const ip = c.body.spec.clusterIP;
    assert.match(ip, /^10\.43\./);
    const e = await api('PATCH', `${svcs}/retyped-ext`, { spec: { type: 'ExternalName', externalName: 'db.example.org', selector: null, ports: null } }, merge);
    assert.equal(e.status, 200, e.text);
    assert.equal(e.body.spec.clusterIP, undefined);
    const again = await api('POST', svcs, svc('reuse-ip', { clusterIP: ip }));
    assert.equal(again.status, 201, again.text);
  });
});
