// HA on etcd, driven by kubectl 1.32: two `skiff server` processes on a real
// three-member etcd cluster are one cluster (the second adopts the first's
// CA, keys and tokens through the datastore). A node agent joined through one
// server learns the other from the kubernetes Service's endpoints. Then the
// leading server is killed with SIGKILL:
// kubectl keeps working through the other, which takes over the controllers
// and the scheduler, and the agent fails over to it. Then an etcd member is
// killed: writes go on.
//
// The node runs the fake runtime (below the Runtime seam, whose contract suite
// runs against runc): this test is about the control plane, and needs no root.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { Agent } from '../../src/agent/agent.ts';
import { Client, type KubeObject } from '../../src/client/rest.ts';
import { learnAPIServers } from '../../src/client/servers.ts';
import { requestJoin } from '../../src/cli/agent.ts';
import { newJoinTokenSecret } from '../../src/cli/join.ts';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';
import { ETCD_INSTALL_HINT, findEtcd, launchEtcdCluster, type EtcdCluster } from '../../src/storage/etcd/launch.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

const KUBECTL = '1.32';
const ROOT = join(import.meta.dirname, '..', '..');

interface Server {
  dir: string;
  url: string;
  child: ChildProcess;
  out: () => string;
  kubectl: ReturnType<typeof kubectlRunner>;
}

async function startServer(datastore: string, extra: string[] = []): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-ha-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'server', '--data-dir', dir, '--port', '0', '--registry-port', 'off', '--datastore', datastore, '--node-monitor-grace-period', '20s', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const m = await waitFor(() => (child.exitCode !== null ? assert.fail(`skiff server exited: ${out}`) : /API server ready at (https:\/\/\S+)/.exec(out)), 'skiff server to be ready', 60_000, 50);
  return { dir, url: m[1]!, child, out: () => out, kubectl: kubectlRunner(KUBECTL, join(dir, 'kubeconfig.yaml')) };
}

const skip = !findEtcd() ? ETCD_INSTALL_HINT : !hasKubectl(KUBECTL) ? `kubectl ${KUBECTL} is not installed (google-cloud-sdk's kubectl.${KUBECTL})` : false;

describe('HA: two servers on a three-member etcd', { skip }, () => {
  let etcd: EtcdCluster;
  let a: Server;
  let b: Server;
  let agentClient: Client;
  let runtime: FakeRuntime;
  let agent: Agent;
  let agentDir: string;

  before(async () => {
    etcd = await launchEtcdCluster(3);
    a = await startServer(etcd.datastore);
    b = await startServer(etcd.datastore, ['--token', readFileSync(join(a.dir, 'server-token'), 'utf8').trim()]);
  });

  after(async () => {
    await agent?.stop().catch(() => undefined);
    await runtime?.shutdown();
    agentClient?.close();
    for (const s of [a, b]) {
      if (!s) continue;
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      rmSync(s.dir, { recursive: true, force: true });
    }
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
    await etcd?.stop();
  });

  test('the second server joined the first: one CA, one admin token, either answers kubectl', async () => {
    assert.match(a.out(), /first server of this etcd/);
    assert.match(b.out(), /joined the servers of this etcd/);
    assert.equal(readFileSync(join(b.dir, 'pki', 'ca.crt'), 'utf8'), readFileSync(join(a.dir, 'pki', 'ca.crt'), 'utf8'));
    const made = await a.kubectl(['create', 'configmap', 'from-a', '--from-literal=k=v']);
    assert.equal(made.code, 0, made.stderr);
    const seen = await b.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}']);
    assert.equal(seen.code, 0, seen.stderr);
    assert.equal(seen.stdout, 'v');
    // Both are endpoints of the kubernetes Service.
    assert.deepEqual(await apiEndpointPorts(b), [a, b].map((s) => new URL(s.url).port).sort());
  });

  test('an agent joined through one server runs pods scheduled by the cluster', async () => {
    const admin = Client.fromKubeconfig(join(a.dir, 'kubeconfig.yaml'));
    const join1 = newJoinTokenSecret(600);
    await admin.resource<Secret & KubeObject>('v1', 'secrets').create('kube-system', join1.secret);
    admin.close();
    const ca = readFileSync(join(a.dir, 'pki', 'ca.crt'), 'utf8');
    const creds = await requestJoin(new URL(a.url), ca, join1.token, 'ha-node', ['127.0.0.1']);
    // The node's certificate is the cluster's: both servers know it. Given only the first server,
    // the agent learns the other from the kubernetes Service's endpoints (as `skiff agent` does).
    agentClient = new Client({ server: a.url, ca, cert: creds.clientCert, key: creds.clientKey, userAgent: 'skiff-agent/ha-node' });
    const learned = learnAPIServers(agentClient);
    await learned.ready;
    learned.stop();
    assert.ok(agentClient.servers.some((u) => u.port === new URL(b.url).port), `the second server learned: ${agentClient.servers.map((u) => u.origin).join(', ')}`);
    runtime = new FakeRuntime({ images: ['busybox:1.36', 'pause:3.9'] });
    agentDir = mkdtempSync(join(tmpdir(), 'skiff-ha-agent-'));
    agent = new Agent(agentClient, runtime, { nodeName: 'ha-node', dataDir: agentDir, relistIntervalMs: 200, retryMs: 300 });
    await agent.start();
    const r = await a.kubectl(['create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=2']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(async () => (await runningPods(b)) === 2, '2 web pods Running', 60_000, 300);
  });

  test('SIGKILL of the leading server: kubectl works through the other, which takes over; the agent follows', async () => {
    // Kill the server whose controller manager leads (the first, normally; either way the other must lead after).
    const holder = async (s: Server) => (await s.kubectl(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout;
    const leaderPid = Number(/_(\d+)_/.exec(await holder(a))?.[1]);
    const [dead, alive] = leaderPid === b.child.pid ? [b, a] : [a, b];
    const exited = new Promise((r) => dead.child.once('exit', r));
    dead.child.kill('SIGKILL');
    await exited;

    // Reads and writes through the other server at once.
    const get = await alive.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, '2');
    const scale = await alive.kubectl(['scale', 'deployment', 'web', '--replicas=4']);
    assert.equal(scale.code, 0, scale.stderr);

    // The survivor's controllers and scheduler lead once the dead one's leases lapse (15 s);
    // the agent, whose first server is gone, reports and runs pods through the survivor.
    await waitFor(async () => (await runningPods(alive)) === 4, '4 web pods Running after the failover', 90_000, 500);
    const newHolder = await holder(alive);
    assert.ok(newHolder && !newHolder.includes(`_${dead.child.pid}_`), `the lease is still held by the killed server: ${newHolder}`);
    const ready = await alive.kubectl(['get', 'node', 'ha-node', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(ready.stdout, 'True', ready.stderr);
    if (dead === a) assert.equal(agentClient.server.port, new URL(b.url).port);
    // The dead server's lease lapsed: the kubernetes Service leads only to the survivor.
    await waitFor(async () => JSON.stringify(await apiEndpointPorts(alive)) === JSON.stringify([new URL(alive.url).port]), 'the killed server gone from the kubernetes endpoints', 30_000, 500);
  });

  test('SIGKILL of an etcd member: writes go on through the survivors', async () => {
    const alive = a.child.exitCode === null && a.child.signalCode === null ? a : b;
    // The member every client tries first.
    const member = etcd.members[0]!;
    const exited = new Promise((r) => member.process.once('exit', r));
    member.process.kill('SIGKILL');
    await exited;
    const made = await waitFor(async () => {
      const r = await alive.kubectl(['create', 'configmap', 'after-etcd-loss', '--from-literal=k=v2']);
      return r.code === 0 || /AlreadyExists/.test(r.stderr) ? r : undefined;
    }, 'a write after losing an etcd member', 30_000, 500);
    assert.ok(made);
    const got = await alive.kubectl(['get', 'configmap', 'after-etcd-loss', '-o', 'jsonpath={.data.k}']);
    assert.equal(got.stdout, 'v2', got.stderr);
    // Watches still flow: controllers see a scale-down and the agent stops the pods.
    const scale = await alive.kubectl(['scale', 'deployment', 'web', '--replicas=1']);
    assert.equal(scale.code, 0, scale.stderr);
    await waitFor(async () => (await runningPods(alive)) === 1, 'web scaled down to 1 Running pod', 60_000, 500);
  });
});

/** The ports of the kubernetes Service's endpoints (both servers advertise the node's address). */
async function apiEndpointPorts(s: Server): Promise<string[]> {
  const r = await s.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={range .subsets[*]}{.ports[0].port}{" "}{end}']);
  return r.stdout.trim().split(/\s+/).filter(Boolean).sort();
}

async function runningPods(s: Server): Promise<number> {
  const r = await s.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.status.phase}{" "}{.metadata.deletionTimestamp}{"\\n"}{end}']);
  if (r.code !== 0) return -1;
  return r.stdout.split('\n').filter((l) => l.trim() === 'Running').length;
}
