// The whole thing, as a user meets it: `skiff up` (the real command, as a
// child process) on a fresh data dir, then the real kubectl 1.32 against it —
// pods in real runc containers with their own IPs, logs, exec with exit
// codes, a Deployment behind a Service reached by its DNS name from another
// pod, a rolling update during which the Service never fails a request,
// scaling, a NodePort, and a restart of `skiff up` that leaves containers
// running. `skiff down --purge` cleans up. Traffic stays inside the pods'
// namespaces and this machine (the node's own address).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, within } from '../support/wait.ts';
import { hasKubectl, kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { buildBusyboxImage } from '../support/images.ts';
import { acquireHostLock } from '../support/hostlock.ts';

const root = join(import.meta.dirname, '..', '..');
const missing = ['/usr/sbin/runc', '/usr/bin/conmon', '/usr/lib/cni/bridge', '/usr/sbin/nft'].filter((p) => !existsSync(p));
const skip =
  process.getuid?.() !== 0
    ? 'needs root (containers, network namespaces, nftables)'
    : missing.length
      ? `missing ${missing.join(', ')} (apt-get install runc conmon containernetworking-plugins nftables)`
      : !hasKubectl('1.32')
        ? 'kubectl 1.32 not installed'
        : false;

describe('skiff up, driven by kubectl', { skip, concurrency: false }, () => {
  let dir: string;
  let up: ChildProcess | undefined;
  let out = '';
  let releaseHost: (() => void) | undefined;
  let k: (args: string[], o?: { stdin?: string; timeoutMs?: number }) => Promise<KubectlResult>;
  const skiff = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, SKIFF_DATA_DIR: dir }, timeout: 120_000 });

  async function startUp(): Promise<void> {
    out = '';
    up = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'up', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    await waitFor(() => /running in the foreground/.test(out) || up!.exitCode !== null, 'skiff up to be ready', 60_000, 50);
    assert.equal(up.exitCode, null, out);
  }

  async function stopUp(): Promise<void> {
    if (!up || up.exitCode !== null) return;
    const exited = new Promise((r) => up!.once('exit', r));
    up.kill('SIGINT');
    await within(exited, 'skiff up to stop on Ctrl-C', 30_000);
  }

  async function ok(args: string[], o?: { stdin?: string; timeoutMs?: number }): Promise<string> {
    const r = await k(args, o);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** One HTTP GET from inside a pod (busybox nc), the body's last line or null. */
  async function getFrom(pod: string, host: string, port: number): Promise<string | null> {
    const r = await k(['exec', pod, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port}`], { timeoutMs: 10_000 });
    if (r.code !== 0) return null;
    const body = r.stdout.split('\r\n\r\n')[1];
    return body?.trim() || null;
  }

  before(async () => {
    // One cluster on the host at a time (the nft table, pod bridge and agent port are host-wide).
    releaseHost = await acquireHostLock();
    dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-'));
    const layout = join(dir, 'busybox-layout');
    await buildBusyboxImage(layout, { tag: '1.35' });
    for (const tag of ['1.35', '1.36']) {
      const r = skiff('image', 'import', layout, '--name', `busybox:${tag}`);
      assert.equal(r.status, 0, r.stderr);
    }
    await startUp();
    k = kubectlRunner('1.32', join(dir, 'kubeconfig.yaml'));
  });

  after(async () => {
    await stopUp().catch(() => up?.kill('SIGKILL'));
    if (dir) {
      const r = skiff('down', '--data-dir', dir, '--purge');
      if (r.status !== 0) console.error(r.stdout, r.stderr);
      rmSync(dir, { recursive: true, force: true });
    }
    releaseHost?.();
  });

  test('the node is Ready and runs runc', async () => {
    await waitFor(async () => / Ready /.test(await ok(['get', 'nodes'])), 'the node to be Ready', 30_000, 200);
    assert.match(await ok(['get', 'nodes', '-o', 'wide']), /runc/);
  });

  test('a pod runs in a real container with its own IP, logs and exec', async () => {
    await ok(['run', 'box', '--image=busybox:1.35', '--', 'sh', '-c', 'echo hello from $(hostname); sleep 3600']);
    await waitFor(async () => /box\s+1\/1\s+Running/.test(await ok(['get', 'pod', 'box'])), 'pod box Running', 60_000, 200);
    const ip = (await ok(['get', 'pod', 'box', '-o', 'jsonpath={.status.podIP}'])).trim();
    assert.match(ip, /^10\.42\.\d+\.\d+$/);
    assert.equal((await ok(['logs', 'box'])).trim(), 'hello from box');
    // Its own PID namespace (PID 1 is the pod's command, a handful of processes) and hostname; the exit code comes back.
    const [pid1, count, host] = (await ok(['exec', 'box', '--', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; ls /proc | grep -c "^[0-9]"; hostname'])).trim().split('\n');
    assert.match(pid1!, /^(sh -c echo hello|sleep 3600)/);
    assert.ok(Number(count) < 10, `${count} processes visible`);
    assert.equal(host, 'box');
    const r = await k(['exec', 'box', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3);
  });

  test('a Deployment behind a Service answers by DNS name from another pod, and on a NodePort', async () => {
    await ok([
      'create', 'deployment', 'web', '--image=busybox:1.35', '--replicas=2', '--port=8080', '--',
      'sh', '-c', 'mkdir -p /www && echo "$(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www',
    ]);
    await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const seen = new Set<string | null>();
    await waitFor(async () => {
      seen.add(await getFrom('box', 'web', 80));
      return [...seen].filter((s) => s?.startsWith('web-')).length >= 2;
    }, 'answers from both replicas through web:80', 60_000, 100);
    const nodeIP = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).trim();
    const nodePort = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    assert.match((await getFrom('box', nodeIP, Number(nodePort))) ?? '', /^web-/);
  });

  test('a rolling update keeps the Service answering every request', async () => {
    // Readiness gates the new pods; old ones keep serving until they are out of the endpoints.
    await ok(['patch', 'deployment', 'web', '--type=strategic', '-p', JSON.stringify({ spec: { minReadySeconds: 1, template: { spec: { containers: [{ name: 'busybox', readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] } } } })]);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    await ok(['set', 'image', 'deployment/web', 'busybox=busybox:1.36']);
    let failures = 0;
    let requests = 0;
    const done = k(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    let finished = false;
    void done.then(() => (finished = true));
    const deadline = Date.now() + 120_000;
    while (!finished && Date.now() < deadline && requests < 400) {
      requests++;
      if (!(await getFrom('box', 'web', 80))?.startsWith('web-')) failures++;
    }
    assert.equal((await done).code, 0);
    assert.ok(requests >= 5, `only ${requests} requests were made during the rollout`);
    assert.equal(failures, 0, `${failures} of ${requests} requests failed during the rollout`);
    assert.match(await ok(['rollout', 'history', 'deployment/web']), /\n3\s/);
  });

  test('scaling, and a deleted pod is replaced', async () => {
    await ok(['scale', 'deployment/web', '--replicas=3']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    // Pods of the old revision may still be terminating (busybox httpd as PID 1 ignores SIGTERM): count the live ones.
    const live = async () =>
      (JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as { metadata: { name: string; deletionTimestamp?: string }; status: { phase?: string } }[])
        .filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running')
        .map((p) => p.metadata.name);
    const pods = await waitFor(async () => ((await live()).length === 3 ? live() : undefined), 'three live pods', 30_000, 200);
    await ok(['delete', 'pod', pods[0]!, '--wait=false']);
    await waitFor(async () => {
      const now = await live();
      return !now.includes(pods[0]!) && now.length === 3;
    }, 'a replacement pod', 60_000, 200);
  });

  test('kubectl top, and autoscale scales up under CPU load and back down after it', async () => {
    // Each pod burns CPU until /tmp/stop exists (capped at 200m, twice its 100m request).
    await ok([
      'create', 'deployment', 'burn', '--image=busybox:1.35', '--replicas=1', '--',
      'sh', '-c', 'while true; do if [ -f /tmp/stop ]; then sleep 1; else :; fi; done',
    ]);
    await ok(['set', 'resources', 'deployment/burn', '--requests=cpu=100m', '--limits=cpu=200m']);
    await ok(['rollout', 'status', 'deployment/burn', '--timeout=90s'], { timeoutMs: 100_000 });
    await waitFor(async () => /burn-\S+\s+\d+m\s+\d+Mi/.test((await k(['top', 'pods', '-l', 'app=burn'])).stdout), 'kubectl top pods to show the pod', 60_000, 1000);
    assert.match(await ok(['top', 'nodes']), /CPU\(cores\)/);
    await ok(['autoscale', 'deployment', 'burn', '--min=2', '--max=4', '--cpu-percent=80']);
    // No scale-down stabilization, so the test need not wait Kubernetes' 5 minutes.
    await ok(['patch', 'hpa', 'burn', '--type=merge', '-p', JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } })]);
    const replicas = async () => Number((await ok(['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}'])).trim());
    await waitFor(async () => (await replicas()) === 4, 'the HPA to scale burn up to 4', 120_000, 1000);
    const pods = (await ok(['get', 'pods', '-l', 'app=burn', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
    await ok(['rollout', 'status', 'deployment/burn', '--timeout=90s'], { timeoutMs: 100_000 });
    for (const p of (await ok(['get', 'pods', '-l', 'app=burn', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/)) assert.equal((await k(['exec', p, '--', 'sh', '-c', ': > /tmp/stop'])).code, 0);
    assert.ok(pods.length >= 2);
    await waitFor(async () => (await replicas()) === 2, 'the HPA to scale burn back down to its minimum 2', 120_000, 1000);
    const describe = await ok(['describe', 'hpa', 'burn']);
    assert.match(describe, /SuccessfulRescale\s+.*New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
    assert.match(describe, /New size: 2; reason: All metrics below target/);
    await ok(['delete', 'deployment', 'burn']);
  });

  test('a restarted skiff up keeps the containers running', async () => {
    const before = await ok(['get', 'pod', 'box', '-o', 'jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}']);
    await stopUp();
    assert.match(out, /stopped cleanly/);
    await startUp();
    await waitFor(async () => / Ready /.test(await ok(['get', 'nodes'])), 'the node to be Ready again', 30_000, 200);
    assert.equal(await ok(['get', 'pod', 'box', '-o', 'jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}']), before);
    assert.equal((await ok(['logs', 'box'])).trim(), 'hello from box');
    assert.match((await getFrom('box', 'web', 80)) ?? '', /^web-/);
  });
});
