// The streaming API over the engine's `fake` runtime (the one hollow nodes
// and the agent core's tests use): kubectl logs of what its container
// wrote, exec with an exit code, and port-forward to its httpd.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';
import type { PodSandboxConfig } from '../../src/engine/runtime.ts';
import { hasKubectl, kubectlPath, kubectlRunner } from '../support/kubectl.ts';
import { waitFor, within } from '../support/wait.ts';
import { startStreamingCluster, type StreamingCluster } from './harness.ts';

const VERSION = '1.32';

describe('kubectl 1.32 streaming to an agent on the fake runtime', { skip: !hasKubectl(VERSION) ? `kubectl ${VERSION} is not installed` : undefined }, () => {
  let c: StreamingCluster;
  let rt: FakeRuntime;
  let dir: string;
  let kubectl: ReturnType<typeof kubectlRunner>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-streaming-fake-'));
    rt = new FakeRuntime({ images: ['busybox'] });
    c = await startStreamingCluster(rt);
    kubectl = kubectlRunner(VERSION, c.cluster.kubeconfig);
    const sandbox: PodSandboxConfig = { metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 }, hostname: 'web', logDirectory: join(dir, 'default_web_u1') };
    const sb = await rt.runPodSandbox(sandbox);
    const id = await rt.createContainer(sb, { metadata: { name: 'app', attempt: 0 }, image: 'busybox', command: ['sh', '-c', 'echo hello from fake; echo index > /www/index.html; httpd -p 8080'], logPath: 'app/0.log' }, sandbox);
    await rt.startContainer(id);
    const st = await rt.containerStatus(id);
    c.containers.set('default/web/app', { containerId: id, logPath: st.logPath, sandboxId: sb });
    c.containers.set('default/web/', { containerId: '', logPath: '', sandboxId: sb });
    await c.createPod('web', ['app']);
  });

  after(async () => {
    await rt?.shutdown();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('logs', async () => {
    await waitFor(async () => (await kubectl(['logs', 'web'])).stdout === 'hello from fake\n', 'the fake container log', 10_000, 50);
  });

  test('exec with an exit code', async () => {
    const r = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo hi; exit 5']);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.code, 5);
  });

  test('port-forward to the httpd', async () => {
    const pf = spawn(kubectlPath(VERSION), ['--kubeconfig', c.cluster.kubeconfig, '--cache-dir', `${c.cluster.kubeconfig}.cache`, 'port-forward', 'pod/web', '0:8080']);
    let out = '';
    pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const m = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out), 'kubectl to listen', 10_000);
      const body = await within(
        new Promise<string>((resolve, reject) =>
          get(`http://127.0.0.1:${m[1]}/`, { agent: false }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          }).on('error', reject),
        ),
        'the forwarded request',
        10_000,
      );
      assert.equal(body, 'index\n');
    } finally {
      pf.kill('SIGKILL');
    }
  });
});
