// The classic tutorial, scripted as a user follows it from a second shell
// while `skiff up` runs in the first (issue #9): build an image locally and
// push it to the cluster registry, create a Deployment from it, get pods,
// expose it as a LoadBalancer and curl the external IP from this host, scale
// to 3, autoscale, apply a YAML with 5 replicas, get rs and deployments,
// describe, roll out version 2 one pod at a time while requests through the
// LoadBalancer keep succeeding, undo, and read the rollout history. One
// `skiff up` (real runc, real kubectl 1.32); traffic goes only to the
// LoadBalancer IP the cluster put on this host and to the loopback registry.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../../src/client/rest.ts';
import { acquireHostLock } from '../support/hostlock.ts';
import { kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { watchPodCensus, trafficUntil, type PodCensus, type Traffic } from '../support/rollout.ts';
import { httpGet, REPO_ROOT, skiffCli, startSkiffUp, type SkiffUp } from '../support/skiffup.ts';
import { waitFor } from '../support/wait.ts';
import { e2eSkipReason } from '../support/e2eskip.ts';

const skip = e2eSkipReason({ '/usr/bin/busybox': 'busybox-static' });

const V1 = 'hello from web v1';
const V2 = 'hello from web v2';

/** The tutorial's declarative step: 5 replicas, replaced one pod at a time, each Ready once it serves. */
const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 5
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: web:1
        ports:
        - containerPort: 8080
        resources:
          requests:
            cpu: 50m
        readinessProbe:
          tcpSocket:
            port: 8080
          periodSeconds: 1
`;

describe('the tutorial, with kubectl 1.32 against skiff up', { skip, concurrency: false }, () => {
  let dir: string;
  let up: SkiffUp | undefined;
  let releaseHost: (() => void) | undefined;
  let client: Client | undefined;
  let k: (args: string[], o?: { stdin?: string; timeoutMs?: number }) => Promise<KubectlResult>;
  let externalIP = '';

  async function ok(args: string[], o?: { stdin?: string; timeoutMs?: number }): Promise<string> {
    const r = await k(args, o);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** `skiff build` of examples/static-hello with its greeting set, pushed to the cluster registry. */
  function build(tag: string, greeting: string): string {
    const r = skiffCli(dir, ['build', '-t', tag, '--build-arg', `GREETING=${greeting}`, '--push', '--default-registry', up!.registry!, '--progress', 'plain', join(REPO_ROOT, 'examples', 'static-hello')], 180_000);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return r.stderr;
  }

  /** Runs `kubectl ARGS` (a change that starts a rollout), then watches it to the end under traffic through the LoadBalancer. */
  async function rolloutUnderTraffic(args: string[]): Promise<{ census: PodCensus; traffic: Traffic }> {
    const census = await watchPodCensus(client!, 'default', 'app=web');
    try {
      await ok(args);
      let finished = false;
      const status = k(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 }).finally(() => (finished = true));
      const traffic = await trafficUntil(externalIP, 80, () => finished, { max: 4000, timeoutMs: 130_000 });
      const r = await status;
      assert.equal(r.code, 0, `rollout status: ${r.stdout}${r.stderr}`);
      return { census, traffic };
    } finally {
      await census.stop();
    }
  }

  /** Waits until `n` answers in a row through the LoadBalancer are all `want`. */
  async function allAnswer(want: string, n = 15): Promise<void> {
    let last: (string | null)[] = [];
    await waitFor(async () => {
      last = [];
      for (let i = 0; i < n; i++) last.push(await httpGet(externalIP, 80));
      return last.every((b) => b?.startsWith(want));
    }, `${n} answers in a row to be "${want}" (last: ${JSON.stringify(last)})`, 30_000, 200);
  }

  before(async () => {
    // One cluster on the host at a time (the nft table, pod bridge and agent port are host-wide).
    releaseHost = await acquireHostLock();
    dir = mkdtempSync(join(tmpdir(), 'skiff-tutorial-'));
    // Shell 1: `skiff up`. Shell 2: everything below.
    up = await startSkiffUp(dir);
    assert.ok(up.registry, `skiff up announced no registry:\n${up.output()}`);
    k = kubectlRunner('1.32', up.kubeconfig);
    client = Client.fromKubeconfig(up.kubeconfig, { userAgent: 'tutorial-test' });
  });

  after(async () => {
    client?.close();
    await up?.stop().catch((e) => console.error(e));
    if (dir) {
      const r = skiffCli(dir, ['down', '--data-dir', dir, '--purge'], 300_000);
      if (r.status !== 0) console.error(r.stdout, r.stderr);
      else rmSync(dir, { recursive: true, force: true });
    }
    releaseHost?.();
  });

  test('build v1 and v2 of an image locally and push them to the cluster registry', async () => {
    // No registry on the internet here: the base is made from this machine's static busybox.
    const boot = skiffCli(dir, ['image', 'bootstrap', 'busybox']);
    assert.equal(boot.status, 0, boot.stderr);
    assert.match(build('web:1', V1), new RegExp(`pushed ${up!.registry!.replace(/\./g, '\\.')}/web:1@sha256:`));
    assert.match(build('web:2', V2), /pushed \S+\/web:2@sha256:/);
    const tags = JSON.parse((await fetch(`http://${up!.registry}/v2/web/tags/list`).then((r) => r.text())) || '{}');
    assert.deepEqual([...(tags.tags ?? [])].sort(), ['1', '2']);
  });

  test('kubectl create deployment, then get pods shows it Running', async () => {
    await waitFor(async () => / Ready /.test(await ok(['get', 'nodes'])), 'the node to be Ready', 30_000, 200);
    assert.match(await ok(['create', 'deployment', 'web', '--image=web:1', '--port=8080']), /deployment.apps\/web created/);
    const pods = await waitFor(async () => {
      const out = await ok(['get', 'pods']);
      return /^web-[a-z0-9]+-[a-z0-9]+\s+1\/1\s+Running\s+0\s+\S+$/m.test(out) ? out : undefined;
    }, 'kubectl get pods to show web Running', 60_000, 300);
    assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  });

  test('kubectl expose --type=LoadBalancer gets an EXTERNAL-IP that answers from this host', async () => {
    assert.match(await ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=80', '--target-port=8080']), /service\/web exposed/);
    const row = await waitFor(async () => /^web\s+LoadBalancer\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+80:(\d+)\/TCP\s+\S+$/m.exec(await ok(['get', 'svc', 'web'])), 'an EXTERNAL-IP in kubectl get svc', 30_000, 200);
    externalIP = row[2]!;
    // What the tutorial's `curl http://EXTERNAL-IP` prints.
    const body = await waitFor(() => httpGet(externalIP, 80), `http://${externalIP}/ to answer`, 30_000, 200);
    assert.equal(body.split('\n')[0], V1);
  });

  test('kubectl scale --replicas=3', async () => {
    // The autoscaler measures CPU against requests, so the pods get one first (as the HPA walkthrough's do).
    await ok(['set', 'resources', 'deployment/web', '--requests=cpu=50m']);
    assert.match(await ok(['scale', 'deployment/web', '--replicas=3']), /deployment.apps\/web scaled/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.match(await ok(['get', 'deployment', 'web']), /^web\s+3\/3\s+3\s+3\s+\S+$/m);
  });

  test('kubectl autoscale: the HPA exists and shows a measured CPU percentage', async (t) => {
    assert.match(await ok(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=50']), /horizontalpodautoscaler.autoscaling\/web autoscaled/);
    const hpa = await ok(['get', 'hpa', 'web']);
    assert.match(hpa, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/m);
    assert.match(hpa, /^web\s+Deployment\/web\s+cpu: (<unknown>|\d+%)\/50%\s+2\s+5\s+\d+\s+\S+$/m);
    // Once the metrics flow (the HPA looks every 15 s), the target shows a real percentage; 3 idle pods stay within 2..5.
    const measured = await waitFor(async () => /^web\s+Deployment\/web\s+cpu: (\d+)%\/50%\s+2\s+5\s+(\d+)\s+\S+$/m.exec(await ok(['get', 'hpa', 'web'])), 'kubectl get hpa to show cpu: N%/50%', 90_000, 1000);
    t.diagnostic(measured[0]);
    // Idle pods read as idle (their start-up CPU is not counted, as in Kubernetes), so nothing scales.
    assert.ok(Number(measured[1]) < 50, `idle pods measured at ${measured[1]}% of their request`);
    assert.equal(measured[2], '3', measured[0]);
  });

  test('kubectl apply -f a YAML with 5 replicas; get rs, get deploy, describe', async () => {
    // The YAML now says how many replicas there are: autoscaling off first, or it would fight the file.
    await ok(['delete', 'hpa', 'web']);
    assert.match(await ok(['apply', '-f', '-'], { stdin: DEPLOYMENT_YAML }), /deployment.apps\/web configured/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });

    const rs = await ok(['get', 'rs']);
    assert.match(rs, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    assert.match(rs, /^web-[a-z0-9]+\s+5\s+5\s+5\s+\S+$/m, rs);
    // The earlier templates' ReplicaSets are kept, scaled to 0, for rollback.
    assert.ok((rs.match(/^web-[a-z0-9]+\s+0\s+0\s+0\s+\S+$/gm) ?? []).length >= 2, rs);

    const deploy = await ok(['get', 'deploy']);
    assert.match(deploy, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    assert.match(deploy, /^web\s+5\/5\s+5\s+5\s+\S+$/m);

    const d = await ok(['describe', 'deployment', 'web']);
    for (const line of [
      /^Name:\s+web$/m,
      /^Namespace:\s+default$/m,
      /^Selector:\s+app=web$/m,
      /^Replicas:\s+5 desired \| 5 updated \| 5 total \| 5 available \| 0 unavailable$/m,
      /^StrategyType:\s+RollingUpdate$/m,
      /^RollingUpdateStrategy:\s+0 max unavailable, 1 max surge$/m,
      /^\s+Image:\s+web:1$/m,
      /^\s+Port:\s+8080\/TCP$/m,
      /^\s+Requests:\s*\n\s+cpu:\s+50m$/m,
      /^\s+Readiness:\s+tcp-socket :8080 delay=0s timeout=1s period=1s #success=1 #failure=3$/m,
      /^\s+Available\s+True\s+MinimumReplicasAvailable$/m,
      /^\s+Progressing\s+True\s+NewReplicaSetAvailable$/m,
      /^NewReplicaSet:\s+web-[a-z0-9]+ \(5\/5 replicas created\)$/m,
      /Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-[a-z0-9]+ (to|from \d+ to) 5/,
    ]) assert.match(d, line);
  });

  test('kubectl set image rolls out v2 one pod at a time; the LoadBalancer never fails a request', async (t) => {
    const { census, traffic } = await rolloutUnderTraffic(['set', 'image', 'deployment/web', 'web=web:2']);
    const seen = JSON.stringify(Object.fromEntries(traffic.answers));
    t.diagnostic(`${traffic.requests} requests (${seen}), ${traffic.failures} failed; at most ${census.maxLive} live pods, at least ${census.minReady} Ready, ${census.events} pod events`);
    assert.equal(traffic.failures, 0, `${traffic.failures} of ${traffic.requests} requests failed during the rollout (answers ${seen})`);
    assert.ok(traffic.requests >= 20, `only ${traffic.requests} requests during the rollout`);
    assert.ok(traffic.answers.has(V1) && traffic.answers.has(V2), `both versions answer during the rollout: ${seen}`);
    assert.ok(census.events > 0, 'the pod watch saw the rollout');
    // One pod at a time: the surge pod is used, never a second one, and no Ready pod goes before its replacement is Ready.
    assert.equal(census.maxLive, 6, `${census.maxLive} live pods at once (5 + maxSurge 1)`);
    assert.ok(census.minReady >= 5, `only ${census.minReady} Ready pods at one point (5 - maxUnavailable 0)`);
    await allAnswer(V2);
    assert.match(await ok(['get', 'deploy', 'web', '-o', 'wide']), /^web\s+5\/5\s+5\s+5\s+\S+\s+web\s+web:2\s+app=web$/m);
  });

  test('kubectl rollout undo brings v1 back the same way; rollout history lists the revisions', async (t) => {
    const { census, traffic } = await rolloutUnderTraffic(['rollout', 'undo', 'deployment/web']);
    t.diagnostic(`${traffic.requests} requests (${JSON.stringify(Object.fromEntries(traffic.answers))}), ${traffic.failures} failed; at most ${census.maxLive} live pods, at least ${census.minReady} Ready`);
    assert.equal(traffic.failures, 0, `${traffic.failures} of ${traffic.requests} requests failed during the undo`);
    assert.equal(census.maxLive, 6, `${census.maxLive} live pods at once`);
    assert.ok(census.minReady >= 5, `only ${census.minReady} Ready pods at one point`);
    await allAnswer(V1);

    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^deployment.apps\/web $/m);
    assert.match(history, /^REVISION\s+CHANGE-CAUSE$/m);
    const revisions = [...history.matchAll(/^(\d+)\s+<none>$/gm)].map((m) => Number(m[1]));
    // create (1), set resources (2), apply (3), v2 (4); the undo re-used revision 3's template as 5.
    assert.deepEqual(revisions, [1, 2, 4, 5], history);
    assert.match(await ok(['rollout', 'history', 'deployment/web', '--revision=5']), /Image:\s+web:1/);
    assert.match(await ok(['rollout', 'history', 'deployment/web', '--revision=4']), /Image:\s+web:2/);
  });
});
