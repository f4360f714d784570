// The agent's HTTPS API on its own: who may call it (mutual TLS, by the
// client certificate's name), health, the stats summary, log query errors,
// and exec over the v4 base64 WebSocket protocol with a resize.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { AgentServer } from '../../src/agent/server/server.ts';
import { ensurePKI } from '../../src/apiserver/auth/pki.ts';
import { ensureKubeletClientCert, issueAgentServingCert, issueCert, type CertPair } from '../../src/apiserver/proxy/certs.ts';
import { within } from '../support/wait.ts';
import { HostRuntime } from './hostruntime.ts';

describe('the agent HTTPS API', () => {
  let dir: string;
  let rt: HostRuntime;
  let agent: AgentServer;
  let port: number;
  let ca: string;
  let client: CertPair;
  let intruder: CertPair;
  let containerId: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-agent-api-'));
    const pki = ensurePKI(join(dir, 'pki'));
    ca = pki.caCert;
    client = ensureKubeletClientCert(join(dir, 'pki'));
    intruder = issueCert(join(dir, 'pki'), { commonName: 'someone-else', usage: 'client' });
    rt = new HostRuntime();
    const sb = rt.addSandbox('p');
    containerId = rt.startContainer2(sb, 'c', 'exec sleep 300', join(dir, 'c.log'));
    agent = new AgentServer({
      runtime: rt,
      nodeName: 'n1',
      port: 0,
      tls: { ...issueAgentServingCert(join(dir, 'pki'), 'n1', ['127.0.0.1']), clientCA: ca },
      resolve: async (ns, pod, container, previous) => (!previous && ns === 'default' && pod === 'p' && (container === 'c' || container === '') ? { containerId, logPath: join(dir, 'c.log'), sandboxId: sb } : undefined),
    });
    port = (await agent.start()).port;
  });

  after(async () => {
    await agent?.stop();
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, cert?: CertPair) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, ca, cert: cert?.cert, key: cert?.key }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  test('only the API server certificate gets in', async () => {
    assert.deepEqual(await get('/healthz', client), { status: 200, body: 'ok' });
    assert.equal((await get('/healthz')).status, 401);
    assert.equal((await get('/healthz', intruder)).status, 401);
    assert.equal((await get('/containerLogs/default/p/c', intruder)).status, 401);
  });

  test('stats summary: node and pod cpu and memory in the Summary API shape', async () => {
    const first = JSON.parse((await get('/stats/summary', client)).body);
    await new Promise((r) => setTimeout(r, 20));
    const s = JSON.parse((await get('/stats/summary', client)).body);
    assert.equal(s.node.nodeName, 'n1');
    assert.ok(s.node.memory.workingSetBytes > 0 && s.node.memory.availableBytes > 0);
    assert.ok(s.node.cpu.usageCoreNanoSeconds >= first.node.cpu.usageCoreNanoSeconds);
    assert.equal(s.pods.length, 1);
    assert.deepEqual(s.pods[0].podRef, { name: 'p', namespace: 'default', uid: s.pods[0].podRef.uid });
    const c = s.pods[0].containers[0];
    assert.equal(c.name, 'c');
    assert.equal(c.memory.workingSetBytes, 3 << 20);
    assert.ok(c.cpu.usageNanoCores > 0, 'a rate from two samples');
    assert.equal(s.pods[0].memory.workingSetBytes, 3 << 20);
  });

  test('bad log queries and unknown paths answer in plain text', async () => {
    assert.deepEqual(await get('/containerLogs/default/p/c?tailLines=x', client), { status: 400, body: 'tailLines: invalid value "x": must be an integer greater than or equal to 0' });
    assert.equal((await get('/containerLogs/default/p/c?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', client)).body, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
    assert.equal((await get('/containerLogs/default/p/nope', client)).status, 404);
    assert.equal((await get('/containerLogs/default/p/c?previous=true', client)).body, 'previous terminated container "c" in pod "p" not found');
    assert.equal((await get('/exec/default/p/c?command=ls', client)).body, 'Upgrade request required');
    assert.equal((await get('/nothing', client)).status, 404);
  });

  test('exec over v4.base64.channel.k8s.io: output, status and a resize', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/exec/default/p/c?command=sh&command=-c&command=${encodeURIComponent('read x; echo got-$x; exit 4')}&stdin=1&stdout=1&tty=1`, ['v4.base64.channel.k8s.io'], { ca, cert: client.cert, key: client.key });
    const frames: string[] = [];
    ws.on('message', (m: Buffer) => frames.push(m.toString()));
    await within(new Promise((r, j) => (ws.once('open', r), ws.once('error', j))), 'the WebSocket to open');
    assert.equal(ws.protocol, 'v4.base64.channel.k8s.io');
    ws.send('4' + Buffer.from('{"Width":80,"Height":24}').toString('base64'));
    ws.send('0' + Buffer.from('hello\n').toString('base64'));
    await within(new Promise((r) => ws.once('close', r)), 'the session to end');
    const decoded = frames.filter((f) => f.length > 1).map((f) => [f[0], Buffer.from(f.slice(1), 'base64').toString()]);
    assert.match(decoded.filter((d) => d[0] === '1').map((d) => d[1]).join(''), /got-hello\r?\n/);
    assert.deepEqual(rt.resizes.at(-1), { width: 80, height: 24 });
    const status = JSON.parse(decoded.find((d) => d[0] === '3')![1]!);
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '4' }]);
  });
});
