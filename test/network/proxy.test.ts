// The nftables service proxy with real traffic, all inside network
// namespaces this test creates: a "node" namespace with a bridge, two backend
// pods running busybox httpd and a client pod. Services and their endpoints
// come from a real API server (the EndpointSlice controller), the proxy
// programs the node namespace, and the client's requests to a ClusterIP or
// a NodePort land on the pods.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { Client } from '../../src/client/rest.ts';
import { ServiceProxy } from '../../src/network/proxy/proxier.ts';
import { findNft } from '../../src/network/proxy/nft.ts';

const BUSYBOX = '/usr/bin/busybox';
const skip =
  process.getuid?.() !== 0 ? 'needs root (network namespaces, nftables)' : !findNft() ? 'nft not installed (apt-get install nftables)' : !existsSync(BUSYBOX) ? 'busybox-static not installed (apt-get install busybox-static)' : false;

const sfx = String(process.pid % 10000);
const NODE = `skp-node-${sfx}`;
const PODS = { a: '10.42.0.11', b: '10.42.0.12', cl: '10.42.0.20' } as const;
const nsOf = (p: keyof typeof PODS) => `skp-${p}-${sfx}`;
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (ns: string, ...cmd: string[]) => sh('ip', 'netns', 'exec', ns, ...cmd);

/** One HTTP GET from a pod namespace (busybox nc: its wget crashes in a fresh namespace): the body, or null when the connection fails. */
function get(from: keyof typeof PODS, url: string): string | null {
  const u = new URL(url);
  try {
    const out = execFileSync('ip', ['netns', 'exec', nsOf(from), BUSYBOX, 'nc', '-w', '2', u.hostname, u.port || '80'], { input: `GET ${u.pathname} HTTP/1.0\r\n\r\n`, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 5000 });
    const i = out.indexOf('\r\n\r\n');
    return i < 0 ? null : out.slice(i + 4).trim();
  } catch {
    return null;
  }
}

describe('service proxy (nftables, real traffic)', { skip }, () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let proxy: ServiceProxy;
  let client: Client;
  let dir: string;
  const servers: ChildProcess[] = [];
  let clusterIP = '';
  let nodePort = 0;

  function topology() {
    sh('ip', 'netns', 'add', NODE);
    inNs(NODE, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward; [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; true');
    sh('ip', '-n', NODE, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', NODE, 'link', 'add', 'br0', 'type', 'bridge');
    sh('ip', '-n', NODE, 'addr', 'add', '10.42.0.1/24', 'dev', 'br0');
    sh('ip', '-n', NODE, 'link', 'set', 'br0', 'up');
    for (const [p, ip] of Object.entries(PODS) as [keyof typeof PODS, string][]) {
      const ns = nsOf(p);
      sh('ip', 'netns', 'add', ns);
      sh('ip', '-n', NODE, 'link', 'add', `v${p}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      sh('ip', '-n', NODE, 'link', 'set', `v${p}`, 'master', 'br0', 'up');
      sh('ip', '-n', NODE, 'link', 'set', `v${p}`, 'type', 'bridge_slave', 'hairpin', 'on');
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
      sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', ns, 'route', 'add', 'default', 'via', '10.42.0.1');
    }
  }

  function teardown() {
    for (const s of servers) s.kill('SIGKILL');
    for (const ns of [NODE, ...(Object.keys(PODS) as (keyof typeof PODS)[]).map(nsOf)]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {
        // not created
      }
    }
  }

  async function pod(name: 'a' | 'b', ready: boolean, create = false) {
    if (create) {
      const r = await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const ip = PODS[name];
    const r = await api('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  before(async () => {
    teardown();
    topology();
    dir = mkdtempSync(join(tmpdir(), 'skiff-proxy-'));
    for (const p of ['a', 'b'] as const) {
      const root = join(dir, p);
      mkdirSync(root);
      writeFileSync(join(root, 'index.html'), `${p}\n`);
      const s = spawn('ip', ['netns', 'exec', nsOf(p), BUSYBOX, 'httpd', '-f', '-p', '8080', '-h', root], { stdio: 'ignore' });
      servers.push(s);
    }
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
    await pod('a', true, true);
    await pod('b', true, true);
    const svc = await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    assert.equal(svc.status, 201, JSON.stringify(svc.body));
    clusterIP = svc.body.spec.clusterIP;
    nodePort = svc.body.spec.ports[0].nodePort;
    proxy = new ServiceProxy(client, { netns: NODE });
    await proxy.start();
    // Both backends answer on their own before any test relies on them.
    for (const p of ['a', 'b'] as const) await waitFor(() => get('cl', `http://${PODS[p]}:8080/`) === p, `httpd in pod ${p}`);
  });

  after(async () => {
    await proxy?.stop();
    client?.close();
    await cluster?.stop();
    teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a ClusterIP spreads connections over both ready pods', async () => {
    await waitFor(async () => {
      await proxy.flush();
      const seen = new Set<string | null>();
      for (let i = 0; i < 30 && seen.size < 2; i++) seen.add(get('cl', `http://${clusterIP}/`));
      return seen.has('a') && seen.has('b') && !seen.has(null);
    }, 'answers from both pods through the ClusterIP');
  });

  test('a NodePort on the node address reaches the pods', async () => {
    const body = get('cl', `http://10.42.0.1:${nodePort}/`);
    assert.ok(body === 'a' || body === 'b', `got ${body}`);
  });

  test('a pod reaches itself through its own Service (hairpin)', async () => {
    const seen = new Set<string | null>();
    for (let i = 0; i < 30 && !seen.has('a'); i++) seen.add(get('a', `http://${clusterIP}/`));
    assert.ok(seen.has('a'), `pod a never answered itself: ${[...seen].join(',')}`);
    assert.ok(!seen.has(null));
  });

  test('a pod that turns unready stops getting traffic (incremental update)', async () => {
    const before = proxy.syncCount;
    await pod('b', false);
    await waitFor(async () => {
      await proxy.flush();
      return proxy.syncCount > before && Array.from({ length: 10 }, () => get('cl', `http://${clusterIP}/`)).every((b) => b === 'a');
    }, 'only pod a to answer');
    assert.doesNotMatch(await proxy.listTable(), /10\.42\.0\.12:8080/);
  });

  test('with no ready pod the connection is refused at once', async () => {
    await pod('a', false);
    await waitFor(async () => {
      await proxy.flush();
      return /10\.43\.\d+\.\d+ \. tcp \. 80 : goto reject-chain/.test(await proxy.listTable());
    }, 'the service to be in the reject map');
    const t0 = Date.now();
    assert.equal(get('cl', `http://${clusterIP}/`), null);
    assert.ok(Date.now() - t0 < 1500, `refusal took ${Date.now() - t0} ms (a drop would wait for the timeout)`);
  });

  test('sessionAffinity ClientIP keeps a client on one pod', async () => {
    await pod('a', true);
    await pod('b', true);
    const r = await api('PATCH', '/api/v1/namespaces/default/services/web', { spec: { sessionAffinity: 'ClientIP' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await waitFor(async () => {
      await proxy.flush();
      return /update @aff-/.test(await proxy.listTable()) && /10\.42\.0\.12:8080/.test(await proxy.listTable());
    }, 'affinity rules with both pods');
    const answers = new Set(Array.from({ length: 12 }, () => get('cl', `http://${clusterIP}/`)));
    assert.equal(answers.size, 1, [...answers].join(','));
    assert.ok(answers.has('a') || answers.has('b'));
  });

  test('a restarted proxy rebuilds the whole table', async () => {
    await proxy.stop();
    await proxy.cleanup();
    assert.equal(get('cl', `http://${clusterIP}/`), null);
    proxy = new ServiceProxy(client, { netns: NODE });
    await proxy.start();
    const body = get('cl', `http://${clusterIP}/`);
    assert.ok(body === 'a' || body === 'b', `got ${body}`);
  });
});
