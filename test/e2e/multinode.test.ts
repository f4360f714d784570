// `skiff up --nodes 3` as a user meets it, driven by the real kubectl 1.32:
// three Ready nodes with their own addresses (two of them agents in their own
// network namespaces, joined over the host bridge with a join token and the
// CA's hash), a Deployment spread over the nodes, pod-to-pod traffic across
// nodes by IP and through a Service by DNS name, a joined agent restarted
// without touching its containers, and a killed node whose pods move
// elsewhere after the eviction timeout. Traffic stays in the pods' and
// nodes' namespaces on this machine. One e2e cluster at a time (hostlock).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, within } from '../support/wait.ts';
import { kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { buildBusyboxImage } from '../support/images.ts';
import { acquireHostLock } from '../support/hostlock.ts';
import { e2eSkipReason } from '../support/e2eskip.ts';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src/cli/main.ts');
const skip = e2eSkipReason({ '/usr/bin/nsenter': 'util-linux' });

const EXTRA = ['skiff-node-2', 'skiff-node-3'];

interface PodInfo {
  name: string;
  node: string;
  ip: string;
  containerID: string;
  restarts: number;
  deleting: boolean;
  phase: string;
}

describe('skiff up --nodes 3, driven by kubectl', { skip, concurrency: false }, () => {
  let dir: string;
  let up: ChildProcess | undefined;
  let out = '';
  let release: (() => void) | undefined;
  let manualAgent: ChildProcess | undefined;
  let k: (args: string[], o?: { stdin?: string; timeoutMs?: number }) => Promise<KubectlResult>;
  const skiff = (env: Record<string, string>, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

  async function ok(args: string[], o?: { stdin?: string; timeoutMs?: number }): Promise<string> {
    const r = await k(args, o);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async function pods(selector: string): Promise<PodInfo[]> {
    const list = JSON.parse(await ok(['get', 'pods', '-l', selector, '-o', 'json'])) as {
      items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string; podIP?: string; containerStatuses?: { containerID?: string; restartCount: number }[] } }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      node: p.spec.nodeName ?? '',
      ip: p.status.podIP ?? '',
      containerID: p.status.containerStatuses?.[0]?.containerID ?? '',
      restarts: p.status.containerStatuses?.[0]?.restartCount ?? 0,
      deleting: !!p.metadata.deletionTimestamp,
      phase: p.status.phase ?? '',
    }));
  }

  /** One HTTP GET from inside a pod (busybox nc), the body's last line or null. */
  async function getFrom(pod: string, host: string, port: number): Promise<string | null> {
    const r = await k(['exec', pod, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port}`], { timeoutMs: 10_000 });
    if (r.code !== 0) return null;
    return r.stdout.split('\r\n\r\n')[1]?.trim() || null;
  }

  const agentPid = (node: string) => Number(readFileSync(join(dir, 'nodes', node, 'agent.pid'), 'utf8').trim());

  before(async () => {
    release = await acquireHostLock();
    dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-mn-'));
    const layout = join(dir, 'busybox-layout');
    await buildBusyboxImage(layout, { tag: '1.35' });
    // Every node has its own image store: import busybox into each.
    for (const d of [dir, ...EXTRA.map((n) => join(dir, 'nodes', n))]) {
      const r = skiff({ SKIFF_DATA_DIR: d }, 'image', 'import', layout, '--name', 'busybox:1.35');
      assert.equal(r.status, 0, r.stderr);
    }
    up = spawn(process.execPath, ['--import', 'tsx', main, 'up', '--data-dir', dir, '--port', '0', '--nodes', '3', '--node-monitor-grace-period', '20s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    await waitFor(() => /running in the foreground/.test(out) || up!.exitCode !== null, 'skiff up --nodes 3 to be ready', 90_000, 50);
    assert.equal(up.exitCode, null, out);
    k = kubectlRunner('1.32', join(dir, 'kubeconfig.yaml'));
  });

  after(async () => {
    manualAgent?.kill('SIGKILL');
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGINT');
      await within(exited, 'skiff up to stop', 60_000).catch(() => up?.kill('SIGKILL'));
    }
    if (dir) {
      const r = skiff({}, 'down', '--data-dir', dir, '--purge');
      if (r.status !== 0) console.error(r.stdout, r.stderr);
      assert.ok(!existsSync('/run/netns/skiff-node-2'), 'skiff down removes the nodes\' namespaces');
      assert.notEqual(spawnSync('ip', ['link', 'show', 'skiff-nodes'], { stdio: 'ignore' }).status, 0, 'skiff down removes the host bridge');
      rmSync(dir, { recursive: true, force: true });
    }
    release?.();
  });

  test('three nodes are Ready, each with its own InternalIP and pod CIDR', async () => {
    await waitFor(async () => ((await ok(['get', 'nodes'])).match(/ Ready /g) ?? []).length === 3, 'three Ready nodes', 60_000, 300).catch((e) => {
      throw new Error(`${(e as Error).message}\n${out}`);
    });
    const wide = await ok(['get', 'nodes', '-o', 'wide']);
    for (const n of EXTRA) assert.match(wide, new RegExp(`^${n}\\s+Ready`, 'm'));
    const ips = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}'])).trim().split(/\s+/);
    assert.equal(new Set(ips).size, 3, `InternalIPs ${ips.join(', ')}`);
    assert.ok(ips.includes('10.44.0.2') && ips.includes('10.44.0.3'), ips.join(', '));
    for (const ip of ips) assert.match(wide, new RegExp(`\\s${ip.replace(/\./g, '\\.')}\\s`));
    const cidrs = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.podCIDR}'])).trim().split(/\s+/);
    assert.equal(new Set(cidrs).size, 3, cidrs.join(', '));
  });

  test('a Deployment spreads over the nodes; pods reach each other across nodes by IP and by Service name', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: { app: 'web' } } }],
            tolerations: [
              { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
              { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
            ],
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'web', image: 'busybox:1.35', command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'], ports: [{ containerPort: 8080 }] }],
          },
        },
      },
    };
    await ok(['apply', '-f', '-'], { stdin: JSON.stringify(deployment) });
    await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const web = await pods('app=web');
    assert.equal(new Set(web.map((p) => p.node)).size, 3, `spread: ${web.map((p) => `${p.name}@${p.node}`).join(', ')}`);

    await ok(['run', 'box', '--image=busybox:1.35', '--overrides', JSON.stringify({ spec: { nodeSelector: { 'kubernetes.io/hostname': 'skiff-node-2' } } }), '--', 'sleep', '3600']);
    await waitFor(async () => /box\s+1\/1\s+Running/.test(await ok(['get', 'pod', 'box'])), 'pod box Running on skiff-node-2', 60_000, 300);
    // By pod IP, to a pod on every other node (the host's and the third namespace's).
    for (const p of web.filter((w) => w.node !== 'skiff-node-2')) {
      const body = await waitFor(async () => getFrom('box', p.ip, 8080), `${p.name} on ${p.node} (${p.ip}) from box on skiff-node-2`, 30_000, 300);
      assert.equal(body, p.name);
    }
    // Through the Service by its DNS name, answered by pods on all three nodes.
    const seen = new Set<string>();
    await waitFor(async () => {
      const b = await getFrom('box', 'web.default.svc.cluster.local', 80);
      if (b) seen.add(b);
      return seen.size === 3;
    }, 'answers from all three replicas through web:80', 60_000, 100).catch(async (e) => {
      const dns = await k(['exec', 'box', '--', 'nslookup', 'web.default.svc.cluster.local']);
      throw new Error(`${(e as Error).message} (seen ${[...seen].join(', ')}; nslookup: ${dns.stdout}${dns.stderr})`);
    });
  });

  test('a restarted joined agent keeps its containers running', async () => {
    const node = 'skiff-node-3';
    const before = (await pods('app=web')).find((p) => p.node === node)!;
    const pid = agentPid(node);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the agent to stop', 30_000, 100);
    assert.match(out, new RegExp(`\\[${node}\\] agent stopped cleanly`));
    // Started again by hand, as a user would: joined state is kept, so no token.
    let agentOut = '';
    manualAgent = spawn('nsenter', [`--net=/run/netns/${node}`, '--', process.execPath, '--import', 'tsx', main, 'agent', '--data-dir', join(dir, 'nodes', node), '--node-ip', '10.44.0.3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    manualAgent.stdout!.on('data', (d) => (agentOut += d));
    manualAgent.stderr!.on('data', (d) => (agentOut += d));
    await waitFor(() => /agent running/.test(agentOut) || manualAgent!.exitCode !== null, 'the agent to start again', 60_000, 100);
    assert.equal(manualAgent.exitCode, null, agentOut);
    await waitFor(async () => new RegExp(`^${node}\\s+Ready`, 'm').test(await ok(['get', 'nodes'])), `${node} Ready again`, 30_000, 300);
    const after = (await pods('app=web')).find((p) => p.name === before.name)!;
    assert.equal(after.containerID, before.containerID);
    assert.equal(after.restarts, before.restarts);
    assert.equal(await getFrom('box', before.ip, 8080), before.name);
  });

  test("a killed node's pods are rescheduled on the other nodes after the eviction timeout", async () => {
    const node = 'skiff-node-3';
    const victim = (await pods('app=web')).find((p) => p.node === node && !p.deleting)!;
    assert.ok(victim, 'a web pod on skiff-node-3');
    manualAgent!.kill('SIGKILL');
    await waitFor(async () => new RegExp(`^${node}\\s+NotReady`, 'm').test(await ok(['get', 'nodes'])), `${node} NotReady`, 60_000, 500);
    const moved = await waitFor(async () => {
      const live = (await pods('app=web')).filter((p) => !p.deleting && p.phase === 'Running');
      return live.length === 3 && !live.some((p) => p.node === node) ? live : undefined;
    }, 'three live web pods, none on the dead node', 90_000, 500);
    assert.ok(!moved.some((p) => p.name === victim.name));
    assert.equal(new Set(moved.map((p) => p.node)).size, 2, 'spread over the two live nodes');
  });
});
