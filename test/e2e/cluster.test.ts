// The whole thing, as a user meets it: `skiff up` (the real command, as a
// child process) on a fresh data dir, then the real kubectl 1.32 against it —
// pods in real runc containers with their own IPs, logs, exec with exit
// codes, a Deployment behind a Service reached by its DNS name from another
// pod, a rolling update during which the Service never fails a request,
// scaling, a NodePort, a restart of `skiff up` that leaves containers
// running, and pods calling the API through the `kubernetes` Service with
// their ServiceAccount tokens. `skiff down --purge` cleans up. Traffic stays
// inside the pods' namespaces and this machine (the node's own address).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor, within } from '../support/wait.ts';
import { kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { buildBusyboxImage } from '../support/images.ts';
import { acquireHostLock } from '../support/hostlock.ts';
import { apiGetScript, buildTLSClientRootfs, parseHTTPResponse, SA_DIR } from '../support/tlsclient.ts';
import { e2eSkipReason } from '../support/e2eskip.ts';

const root = join(import.meta.dirname, '..', '..');
const skip = e2eSkipReason();

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

  /** One HTTP GET from this host (the node's own addresses and the service CIDR routed to its bridge). */
  function httpGet(host: string, port: number): Promise<string | null> {
    return new Promise((resolve) => {
      const req = request({ host, port, path: '/', timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body.trim()));
      });
      req.on('error', () => resolve(null));
      req.on('timeout', () => req.destroy());
      req.end();
    });
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
    // Fires at the next minute; checked near the end of the file, which runs longer than that.
    await ok(['create', 'cronjob', 'tick', '--image=busybox:1.35', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tock']);
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

  test('from the host: the Service by ClusterIP, NodePort and LoadBalancer IP; DNS names inside a pod', async () => {
    const svc = JSON.parse(await ok(['get', 'svc', 'web', '-o', 'json']));
    const nodeIP = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).trim();
    assert.equal((await httpGet(svc.spec.clusterIP, 80))?.startsWith('web-'), true, 'ClusterIP from the host');
    assert.equal((await httpGet(nodeIP, svc.spec.ports[0].nodePort))?.startsWith('web-'), true, 'NodePort from the host');
    await ok(['patch', 'svc', 'web', '-p', '{"spec":{"type":"LoadBalancer"}}']);
    const external = await waitFor(async () => (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim(), 'an external IP', 30_000, 200);
    assert.match(await ok(['get', 'svc', 'web']), new RegExp(`web\\s+LoadBalancer\\s+\\S+\\s+${external.replace(/\./g, '\\.')}\\s`));
    await waitFor(async () => (await httpGet(external, 80))?.startsWith('web-'), 'the LoadBalancer IP to answer', 30_000, 200);
    // Names resolve inside pods through the cluster DNS (busybox's own resolver reads the pod's resolv.conf).
    const ns = await ok(['exec', 'box', '--', 'sh', '-c', 'nslookup web.default.svc.cluster.local && nslookup kubernetes.default.svc.cluster.local']);
    assert.match(ns, new RegExp(`Address:?\\s+(1: )?${svc.spec.clusterIP.replace(/\./g, '\\.')}`));
    await ok(['create', 'service', 'clusterip', 'webh', '--clusterip=None', '--tcp=80:8080']);
    await ok(['patch', 'svc', 'webh', '-p', '{"spec":{"selector":{"app":"web"}}}']);
    await waitFor(async () => ((await k(['exec', 'box', '--', 'sh', '-c', 'nslookup webh.default.svc.cluster.local'])).stdout.match(/10\.42\.\d+\.\d+/g) ?? []).length >= 2, 'the headless name to resolve to the pods', 30_000, 500);
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

  test('pods as the kubelet runs them: crash loops, shared volumes and localhost, config, OOM, logs -f, port-forward', async () => {
    const manifest = (o: object) => JSON.stringify(o);
    await ok(['create', 'configmap', 'cfg', '--from-literal=greeting=hi-from-config']);
    await ok(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret']);
    await ok(['apply', '-f', '-'], {
      stdin: manifest({
        apiVersion: 'v1', kind: 'List', items: [
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', 'echo dying; exit 2'] }] } },
          {
            apiVersion: 'v1', kind: 'Pod', metadata: { name: 'duo' },
            spec: {
              volumes: [{ name: 'shared', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } }],
              containers: [
                { name: 'writer', image: 'busybox:1.35', command: ['sh', '-c', 'echo from-writer > /data/note; mkdir -p /www; echo served-on-localhost > /www/index.html; exec httpd -f -p 9090 -h /www'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] },
                {
                  name: 'reader', image: 'busybox:1.35', command: ['sh', '-c', 'while true; do echo tick; sleep 1; done'],
                  env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }, { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } }],
                  volumeMounts: [{ name: 'shared', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/etc/sec' }],
                },
              ],
            },
          },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hog' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.35', command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], resources: { limits: { memory: '32Mi' } } }] } },
        ],
      }),
    });
    await waitFor(async () => /duo\s+2\/2\s+Running/.test(await ok(['get', 'pod', 'duo'])), 'pod duo Running', 60_000, 200);
    const inReader = await ok(['exec', 'duo', '-c', 'reader', '--', 'sh', '-c', 'cat /data/note; cat /etc/cfg/greeting; echo; cat /etc/sec/password; echo; echo $GREETING $PASSWORD; printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 127.0.0.1 9090 | tail -1']);
    assert.deepEqual(inReader.trim().split('\n'), ['from-writer', 'hi-from-config', 's3cret', 'hi-from-config s3cret', 'served-on-localhost']);
    // logs -f follows new lines (bounded by kubectl's own timeout).
    const follow = await k(['logs', '-f', 'duo', '-c', 'reader', '--tail=1'], { timeoutMs: 3500 });
    assert.ok((follow.stdout.match(/tick/g) ?? []).length >= 2, follow.stdout);
    // port-forward, then an HTTP request through it from this host.
    const pf = spawn('/usr/lib/google-cloud-sdk/bin/kubectl.1.32', ['--kubeconfig', join(dir, 'kubeconfig.yaml'), 'port-forward', 'pod/duo', '0:9090'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let pfOut = '';
      pf.stdout!.on('data', (d) => (pfOut += d));
      const local = await waitFor(() => pfOut.match(/Forwarding from 127\.0\.0\.1:(\d+)/)?.[1], 'port-forward to listen', 15_000, 50);
      assert.equal(await httpGet('127.0.0.1', Number(local)), 'served-on-localhost');
    } finally {
      pf.kill();
    }
    // A crashing container backs off with rising restarts; the OOM hog is shown OOMKilled.
    await waitFor(async () => {
      const p = JSON.parse(await ok(['get', 'pod', 'crash', '-o', 'json']));
      const cs = p.status.containerStatuses?.[0];
      return cs?.restartCount >= 1 && cs.state?.waiting?.reason === 'CrashLoopBackOff' && cs.lastState?.terminated?.exitCode === 2;
    }, 'crash in CrashLoopBackOff with restarts', 60_000, 500);
    assert.match(await ok(['get', 'pod', 'crash']), /crash\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    await waitFor(async () => /hog\s+0\/1\s+OOMKilled/.test(await ok(['get', 'pod', 'hog'])), 'hog OOMKilled', 60_000, 500);
    assert.equal((await ok(['get', 'pod', 'hog', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}'])).trim(), '137');
    await ok(['delete', 'pod', 'crash', 'hog', '--grace-period=1']);
  });

  test('a Job runs to completion; deleting a Deployment removes its ReplicaSets and pods', async () => {
    await ok(['create', 'job', 'once', '--image=busybox:1.35', '--', 'sh', '-c', 'echo job done']);
    await ok(['wait', '--for=condition=complete', 'job/once', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(await ok(['get', 'job', 'once']), /once\s+Complete\s+1\/1/);
    assert.equal((await ok(['logs', 'job/once'])).trim(), 'job done');
    await ok(['create', 'deployment', 'temp', '--image=busybox:1.35', '--replicas=2', '--', 'sleep', '3600']);
    await ok(['rollout', 'status', 'deployment/temp', '--timeout=60s'], { timeoutMs: 70_000 });
    await ok(['delete', 'deployment', 'temp', '--cascade=foreground', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal((await ok(['get', 'rs,pods', '-l', 'app=temp', '-o', 'name'])).trim(), '');
  });

  test('skiff build: an image built from a Dockerfile runs as a pod', async () => {
    const boot = skiff('image', 'bootstrap', 'busybox');
    assert.equal(boot.status, 0, boot.stderr);
    const built = skiff('build', '-t', 'hello:1', join(root, 'examples', 'static-hello'));
    assert.equal(built.status, 0, built.stdout + built.stderr);
    await ok(['run', 'hello', '--image=hello:1']);
    await waitFor(async () => /hello\s+1\/1\s+Running/.test(await ok(['get', 'pod', 'hello'])), 'pod hello Running', 60_000, 200);
    assert.match(await ok(['logs', 'hello']), /hello from a static binary/);
  });

  test('probes, graceful delete, exec -it, a DaemonSet and a CronJob on real containers', async () => {
    await ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1', kind: 'List', items: [
          {
            apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probed' },
            spec: {
              terminationGracePeriodSeconds: 3,
              containers: [{
                name: 'c', image: 'busybox:1.35',
                // healthy for a while, then the liveness file goes; /ready toggles readiness
                command: ['sh', '-c', 'touch /tmp/live /tmp/ready; sleep 6; rm /tmp/live; trap "echo got TERM; exit 0" TERM; while true; do sleep 1; done'],
                livenessProbe: { exec: { command: ['sh', '-c', 'test -f /tmp/live'] }, periodSeconds: 1, failureThreshold: 2 },
                readinessProbe: { exec: { command: ['sh', '-c', 'test -f /tmp/ready'] }, periodSeconds: 1 },
              }],
            },
          },
          { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agentd' }, spec: { selector: { matchLabels: { app: 'agentd' } }, template: { metadata: { labels: { app: 'agentd' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'] }] } } } },
        ],
      }),
    });
    await waitFor(async () => /probed\s+1\/1\s+Running/.test(await ok(['get', 'pod', 'probed'])), 'probed Ready', 60_000, 200);
    // Readiness follows the probe.
    await ok(['exec', 'probed', '--', 'sh', '-c', ': > /dev/null; mv /tmp/ready /tmp/notready']);
    await waitFor(async () => /probed\s+0\/1\s+Running/.test(await ok(['get', 'pod', 'probed'])), 'probed not Ready after its readiness file went', 30_000, 200);
    // The liveness file goes after 6 s: the container is restarted, with the kubelet's event.
    await waitFor(async () => Number((await ok(['get', 'pod', 'probed', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).trim()) >= 1, 'a liveness restart', 60_000, 500);
    assert.match(await ok(['describe', 'pod', 'probed']), /Liveness probe failed/);
    // exec -it through a pty (util-linux script gives kubectl a terminal).
    const kc = join(dir, 'kubeconfig.yaml');
    const tty = spawnSync('script', ['-qfec', `/usr/lib/google-cloud-sdk/bin/kubectl.1.32 --kubeconfig ${kc} exec -it box -- sh -c 'test -t 0 && echo interactive-tty'`, '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
    assert.match(tty.stdout, /interactive-tty/);
    // Delete with grace: SIGTERM reaches the process, which exits on its own before the 3 s grace.
    const t0 = Date.now();
    await ok(['delete', 'pod', 'probed', '--wait=true', '--timeout=30s'], { timeoutMs: 35_000 });
    assert.ok(Date.now() - t0 < 15_000, `delete took ${Date.now() - t0} ms`);
    // The DaemonSet runs one pod on the node.
    await ok(['rollout', 'status', 'daemonset/agentd', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(await ok(['get', 'ds', 'agentd']), /agentd\s+1\s+1\s+1\s+1\s+1/);
    // The CronJob made at the start has fired by now (once a minute), and its Job completed.
    await waitFor(async () => /tick-\d+\s+Complete/.test(await ok(['get', 'jobs'])), 'the CronJob to fire and its Job to complete', 75_000, 1000);
    await ok(['delete', 'cronjob', 'tick']);
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

  test("a pod's ServiceAccount token lists pods through the kubernetes Service as its Role allows, and is refused without it", async () => {
    // After the restart above: the API server's new port reached the Service and its endpoints.
    // busybox with the host's openssl: its wget and s_client verify the server against the projected ca.crt.
    const rootfs = join(dir, 'tls-client-rootfs');
    buildTLSClientRootfs(rootfs);
    const imported = skiff('image', 'import', rootfs, '--name', 'tls-client:1');
    assert.equal(imported.status, 0, imported.stderr);
    const ns = 'apiaccess';
    await ok(['create', 'namespace', ns]);
    await ok(['-n', ns, 'create', 'serviceaccount', 'reader']);
    await ok(['-n', ns, 'create', 'serviceaccount', 'outsider']);
    await ok(['-n', ns, 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
    await ok(['-n', ns, 'create', 'rolebinding', 'reader-reads-pods', '--role=pod-reader', `--serviceaccount=${ns}:reader`]);
    const pod = (sa: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: sa, namespace: ns }, spec: { serviceAccountName: sa, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'tls-client:1', command: ['sleep', '3600'] }] } });
    await ok(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('reader'), pod('outsider')] }) });
    await waitFor(async () => /reader\s+1\/1\s+Running/.test(await ok(['-n', ns, 'get', 'pod', 'reader'])) && /outsider\s+1\/1\s+Running/.test(await ok(['-n', ns, 'get', 'pod', 'outsider'])), 'both pods Running', 60_000, 200);
    const url = `/api/v1/namespaces/${ns}/pods`;
    const get = async (sa: string, verifyName?: string) => k(['-n', ns, 'exec', sa, '--', 'sh', '-c', apiGetScript('kubernetes.default.svc', url, { verifyName })], { timeoutMs: 15_000 });
    const allowed = await get('reader');
    assert.equal(allowed.code, 0, allowed.stderr);
    const list = parseHTTPResponse(allowed.stdout);
    assert.equal(list.status, 200, list.body);
    const podList = JSON.parse(list.body);
    assert.equal(podList.kind, 'PodList');
    assert.deepEqual(podList.items.map((p: { metadata: { name: string } }) => p.metadata.name).sort(), ['outsider', 'reader']);
    const refused = parseHTTPResponse((await get('outsider')).stdout);
    assert.equal(refused.status, 403, refused.body);
    const status = JSON.parse(refused.body);
    assert.equal(status.reason, 'Forbidden');
    assert.equal(status.message, `pods is forbidden: User "system:serviceaccount:${ns}:outsider" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
    // An everyday client: busybox wget (https through openssl) trusting only the projected CA.
    const wget = `wget -q -O - --header "Authorization: Bearer $(cat ${SA_DIR}/token)" https://kubernetes.default.svc${url}`;
    const viaWget = await k(['-n', ns, 'exec', 'reader', '--', 'sh', '-c', `SSL_CERT_FILE=${SA_DIR}/ca.crt ${wget}`], { timeoutMs: 15_000 });
    assert.equal(viaWget.code, 0, viaWget.stderr);
    assert.equal(JSON.parse(viaWget.stdout).kind, 'PodList');
    // The certificate really is checked: a name it does not hold, or no trusted CA, fails the handshake.
    const wrongName = await get('reader', 'not-the-apiserver.example');
    assert.notEqual(wrongName.code, 0);
    assert.match(wrongName.stderr + wrongName.stdout, /hostname mismatch/);
    assert.notEqual((await k(['-n', ns, 'exec', 'reader', '--', 'sh', '-c', wget], { timeoutMs: 15_000 })).code, 0);
    await ok(['delete', 'namespace', ns, '--wait=false']);
  });
});
