// The real kubectl 1.32 against a real API server that proxies to the
// agent's HTTPS API, backed by host processes (hostruntime.ts): logs with
// every option, exec (exit codes, stdin, a pty), attach and port-forward.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatCRILogLine } from '../../src/agent/logs/crilog.ts';
import { hasKubectl, kubectlPath, kubectlRunner } from '../support/kubectl.ts';
import { waitFor, within } from '../support/wait.ts';
import { startStreamingCluster, type StreamingCluster } from './harness.ts';
import { HostRuntime } from './hostruntime.ts';

const VERSION = '1.32';
const skip = !hasKubectl(VERSION) ? `kubectl ${VERSION} is not installed` : undefined;

/** Runs a long-lived command, collecting output; `stop` kills it. */
function startProcess(cmd: string, args: string[], stdin?: string) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin.end(stdin);
  const exited = new Promise<number>((r) => child.once('close', (code, signal) => r(code ?? (signal ? 128 : 1))));
  return {
    child,
    out: () => stdout,
    err: () => stderr,
    exited,
    stop: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

describe('kubectl 1.32 streaming through the API server to the agent', { skip }, () => {
  let c: StreamingCluster;
  let rt: HostRuntime;
  let kubectl: ReturnType<typeof kubectlRunner>;
  let dir: string;
  let kargs: string[];
  const T = Date.now();
  const line = (ageSeconds: number, text: string, stream: 'stdout' | 'stderr' = 'stdout') => formatCRILogLine(new Date(T - ageSeconds * 1000), stream, true, text);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-streaming-'));
    rt = new HostRuntime();
    c = await startStreamingCluster(rt);
    kubectl = kubectlRunner(VERSION, c.cluster.kubeconfig);
    kargs = ['--kubeconfig', c.cluster.kubeconfig, '--cache-dir', `${c.cluster.kubeconfig}.cache`];
    const add = (pod: string, container: string, id: string, logPath: string, sandboxId: string, previous = false) =>
      c.containers.set(`default/${pod}/${container}${previous ? '#previous' : ''}`, { containerId: id, logPath, sandboxId });

    // logs: a running container whose log file the test writes, and a previous attempt.
    const sbLogs = rt.addSandbox('logs');
    const logPath = join(dir, 'logs', 'app', '1.log');
    const logsId = rt.startContainer2(sbLogs, 'app', 'exec sleep 300', join(dir, 'logs-own.log'));
    mkdirSync(join(dir, 'logs', 'app'), { recursive: true });
    // Make the second line a partial piece joined with the third.
    writeFileSync(logPath, line(7200, 'two-hours-ago') + line(30, 'half-').replace(' F ', ' P ') + line(30, 'joined') + line(20, 'err-line', 'stderr') + line(10, 'recent'));
    add('logs', 'app', logsId, logPath, sbLogs);
    const prevPath = join(dir, 'logs', 'app', '0.log');
    writeFileSync(prevPath, line(9000, 'from-the-previous-run'));
    add('logs', 'app', rt.addExited(sbLogs, 'app', prevPath, 0), prevPath, sbLogs, true);
    add('logs', '', logsId, logPath, sbLogs);
    await c.createPod('logs', ['app']);

    // two containers, for the default-container rules.
    const sbTwo = rt.addSandbox('two');
    for (const n of ['a', 'b']) {
      const p = join(dir, 'two', n, '0.log');
      const id = rt.startContainer2(sbTwo, n, `echo from-${n}; exec sleep 300`, p);
      add('two', n, id, p, sbTwo);
    }
    await c.createPod('two', ['a', 'b']);
    const sbDef = rt.addSandbox('twodefault');
    for (const n of ['a', 'b']) {
      const p = join(dir, 'twodefault', n, '0.log');
      add('twodefault', n, rt.startContainer2(sbDef, n, `echo default-from-${n}; exec sleep 300`, p), p, sbDef);
    }
    await c.createPod('twodefault', ['a', 'b'], { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } });

    // exec target, and a pod whose container has exited.
    const sbSh = rt.addSandbox('sh');
    add('sh', 'main', rt.startContainer2(sbSh, 'main', 'exec sleep 300', join(dir, 'sh.log')), join(dir, 'sh.log'), sbSh);
    await c.createPod('sh', ['main']);
    const sbDone = rt.addSandbox('done');
    add('done', 'main', rt.addExited(sbDone, 'main', join(dir, 'done.log'), 0), join(dir, 'done.log'), sbDone);
    await c.createPod('done', ['main']);
    await waitFor(() => rt.containers.size >= 7, 'containers');
    // Wait until the two-container pod's processes have written their first line.
    await waitFor(async () => (await kubectl(['logs', 'two', '-c', 'b'])).stdout === 'from-b\n', 'the first log lines of pod two', 10_000, 50);
  });

  after(async () => {
    await rt?.close();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an upgrade without credentials, or for something else than a pod stream, is refused with a Status', async () => {
    const { request } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const kc = parse(readFileSync(c.cluster.kubeconfig, 'utf8'));
    const url = new URL(kc.clusters[0].cluster.server);
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    const upgrade = (path: string, token?: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' };
        if (token) headers.authorization = `Bearer ${token}`;
        const req = request({ host: url.hostname, port: url.port, path, ca, headers });
        req.on('response', (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(b) }));
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, body: undefined });
        });
        req.on('error', reject);
        req.end();
      });
    const noAuth = await upgrade('/api/v1/namespaces/default/pods/sh/exec?command=true&stdout=true');
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.reason, 'Unauthorized');
    const token = kc.users[0].user.token as string;
    const other = await upgrade('/api/v1/namespaces/default/configmaps', token);
    assert.equal(other.status, 400);
    const missing = await upgrade('/api/v1/namespaces/default/pods/ghost/exec?command=true&stdout=true', token);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods "ghost" not found');
    const ok = await upgrade('/api/v1/namespaces/default/pods/sh/exec?command=true&stdout=true', token);
    assert.equal(ok.status, 101);
  });

  describe('logs', () => {
    test('all messages, partial pieces joined, stderr included', async () => {
      const r = await kubectl(['logs', 'logs']);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'two-hours-ago\nhalf-joined\nerr-line\nrecent\n');
    });

    test('--tail, --timestamps, --limit-bytes', async () => {
      assert.equal((await kubectl(['logs', 'logs', '--tail=2'])).stdout, 'err-line\nrecent\n');
      const ts = (await kubectl(['logs', 'logs', '--tail=1', '--timestamps'])).stdout;
      assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z recent\n$/);
      assert.equal(Date.parse(ts.split(' ')[0]!), T - 10_000);
      assert.equal((await kubectl(['logs', 'logs', '--limit-bytes=7'])).stdout, 'two-hou');
    });

    test('--since and --since-time', async () => {
      assert.equal((await kubectl(['logs', 'logs', '--since=1h'])).stdout, 'half-joined\nerr-line\nrecent\n');
      // Between the lines written 20 s and 10 s before T.
      const since = Math.ceil((Date.now() - T) / 1000) + 15;
      assert.equal((await kubectl(['logs', 'logs', `--since=${since}s`])).stdout, 'recent\n');
      const sinceTime = new Date(T - 25_000).toISOString().replace(/\.\d+Z$/, 'Z');
      assert.equal((await kubectl(['logs', 'logs', `--since-time=${sinceTime}`])).stdout, 'err-line\nrecent\n');
    });

    test('--previous reads the last terminated attempt; none is an error in Kubernetes words', async () => {
      assert.equal((await kubectl(['logs', 'logs', '--previous'])).stdout, 'from-the-previous-run\n');
      const r = await kubectl(['logs', 'sh', '--previous']);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim(), 'Error from server (BadRequest): previous terminated container "main" in pod "sh" not found');
    });

    test('several containers: the first by default, or the default-container annotation; a wrong name is refused', async () => {
      const first = await kubectl(['logs', 'two']);
      assert.equal(first.stdout, 'from-a\n');
      assert.match(first.stderr, /Defaulted container "a" out of: a, b/);
      assert.equal((await kubectl(['logs', 'twodefault'])).stdout, 'default-from-b\n');
      // kubectl checks the name itself; the API server says the same to other clients.
      const bad = await kubectl(['logs', 'two', '-c', 'nope']);
      assert.notEqual(bad.code, 0);
      assert.equal(bad.stderr.trim(), 'error: container nope is not valid for pod two');
      const raw = await c.api('GET', '/api/v1/namespaces/default/pods/two/log?container=nope');
      assert.equal(raw.status, 400);
      assert.equal(raw.body.message, 'container nope is not valid for pod two');
      const unnamed = await c.api('GET', '/api/v1/namespaces/default/pods/two/log');
      assert.equal(unnamed.body.message, 'a container name must be specified for pod two, choose one of: [a b]');
      const badTail = await c.api('GET', '/api/v1/namespaces/default/pods/two/log?container=a&tailLines=-1');
      assert.equal(badTail.status, 422);
      assert.equal(badTail.body.message, 'PodLogOptions "two" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
      const missing = await kubectl(['logs', 'ghost']);
      assert.equal(missing.stderr.trim(), 'error: error from server (NotFound): pods "ghost" not found in namespace "default"');
    });

    test('-f streams new lines and ends when the container exits', async () => {
      const sb = rt.addSandbox('follow');
      const p = join(dir, 'follow', 'app', '0.log');
      const id = rt.startContainer2(sb, 'app', 'echo first; exec sleep 300', p);
      c.containers.set('default/follow/app', { containerId: id, logPath: p, sandboxId: sb });
      await c.createPod('follow', ['app']);
      const f = startProcess(kubectlPath(VERSION), [...kargs, 'logs', '-f', 'follow']);
      try {
        await waitFor(() => f.out() === 'first\n', 'the existing line', 10_000);
        appendFileSync(p, formatCRILogLine(new Date(), 'stdout', true, 'appended'));
        await waitFor(() => f.out() === 'first\nappended\n', 'the appended line', 10_000);
        await rt.stopContainer(id);
        assert.equal(await within(f.exited, 'kubectl logs -f to end with the container', 10_000), 0);
      } finally {
        f.child.kill('SIGKILL');
      }
    });
  });

  describe('exec', () => {
    test('echo hi', async () => {
      const r = await kubectl(['exec', 'sh', '--', 'echo', 'hi']);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'hi\n');
      assert.equal(r.code, 0);
    });

    test('the exit code propagates; stdout and stderr stay apart', async () => {
      const r = await kubectl(['exec', 'sh', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\ncommand terminated with exit code 3\n$/);
    });

    test('-i pipes stdin to the command', async () => {
      const r = await kubectl(['exec', '-i', 'sh', '--', 'sh', '-c', 'cat; echo done'], { stdin: 'line one\nline two\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'line one\nline two\ndone\n');
    });

    test('-it through a pty, driven interactively', async () => {
      // script(1) gives kubectl a terminal; kubectl puts it in raw mode and sends our keys.
      const cmd = [kubectlPath(VERSION), ...kargs, 'exec', '-it', 'sh', '--', 'sh'].map((a) => `'${a}'`).join(' ');
      const s = startProcess('script', ['-qfec', cmd, '/dev/null']);
      try {
        await new Promise((r) => setTimeout(r, 300));
        s.child.stdin.write('tty; echo "sum=$((40+2))"\n');
        await waitFor(() => /sum=42/.test(s.out()), 'the interactive command output', 10_000);
        assert.match(s.out(), /\/dev\/pts\/\d+/);
        s.child.stdin.write('exit 7\n');
        assert.equal(await within(s.exited, 'kubectl exec -it to end', 10_000), 7);
      } finally {
        s.child.kill('SIGKILL');
      }
    });

    test('a container that is not known, or not running', async () => {
      const bad = await kubectl(['exec', 'sh', '-c', 'nope', '--', 'true']);
      assert.notEqual(bad.code, 0);
      assert.equal(bad.stderr.trim(), 'Error from server (BadRequest): container nope is not valid for pod sh');
      const done = await kubectl(['exec', 'done', '--', 'true']);
      assert.notEqual(done.code, 0);
      assert.match(done.stderr, /unable to upgrade connection: container not found \("main"\)/);
    });

    test('a command that does not exist', async () => {
      const r = await kubectl(['exec', 'sh', '--', '/no/such/binary']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no\/such\/binary/);
    });
  });

  test('attach shows the running container output and ends with it', async () => {
    const sb = rt.addSandbox('ticker');
    const p = join(dir, 'ticker.log');
    const id = rt.startContainer2(sb, 'app', 'sleep 1; for i in 1 2 3 4 5; do echo tick-$i; sleep 0.2; done', p);
    c.containers.set('default/ticker/app', { containerId: id, logPath: p, sandboxId: sb });
    await c.createPod('ticker', ['app']);
    const r = await kubectl(['attach', 'ticker'], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /tick-5\n$/);
  });

  describe('port-forward', () => {
    let server: Server;
    let port: number;
    const big = 'x'.repeat(1 << 20);
    before(async () => {
      server = createServer((req, res) => res.end(req.url === '/big' ? big : `hello from ${req.url}`));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
      const sb = rt.addSandbox('pf');
      c.containers.set('default/pf/', { containerId: '', logPath: '', sandboxId: sb });
      await c.createPod('pf', ['web']);
    });
    after(() => server?.close());

    const fetch = (url: string) =>
      new Promise<string>((resolve, reject) => {
        get(url, { agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
          res.on('error', reject);
        }).on('error', reject);
      });

    test('forwards HTTP requests to the pod port, several in a row and a large body', async () => {
      const pf = startProcess(kubectlPath(VERSION), [...kargs, 'port-forward', 'pod/pf', `0:${port}`]);
      try {
        const m = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(pf.out()), 'kubectl to listen', 10_000);
        const local = Number(m[1]);
        for (let i = 0; i < 3; i++) assert.equal(await within(fetch(`http://127.0.0.1:${local}/r${i}`), `request ${i}`, 10_000), `hello from /r${i}`);
        assert.equal((await within(fetch(`http://127.0.0.1:${local}/big`), 'the large body', 15_000)).length, big.length);
      } finally {
        await pf.stop();
      }
    });

    test('a closed port is reported by kubectl', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const pf = startProcess(kubectlPath(VERSION), [...kargs, 'port-forward', 'pod/pf', `0:${closedPort}`]);
      try {
        const m = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(pf.out()), 'kubectl to listen', 10_000);
        await fetch(`http://127.0.0.1:${m[1]}/`).catch(() => '');
        await waitFor(() => /error forwarding port \d+ to pod pf/.test(pf.err()), 'the forwarding error', 10_000);
      } finally {
        await pf.stop();
      }
    });
  });
  describe('SPDY/3.1, as older kubectl speaks it and 1.32 falls back to', () => {
    /** kubectl with its WebSocket transports turned off (an older kubectl has none). */
    const spdyRun = (version: string, args: string[], stdin?: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(kubectlPath(version), [...kargs, ...args], { env: { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdin.end(stdin ?? '');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout, stderr });
        });
      });

    for (const version of ['1.32', '1.29'].filter(hasKubectl)) {
      test(`kubectl ${version}: exec with stdout, stderr, stdin and exit codes`, async () => {
        const r = await spdyRun(version, ['exec', 'sh', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
        assert.equal(r.code, 3, r.stderr);
        assert.equal(r.stdout, 'out\n');
        assert.match(r.stderr, /^err\n/);
        const i = await spdyRun(version, ['exec', '-i', 'sh', '--', 'cat'], 'through spdy\n');
        assert.equal(i.code, 0, i.stderr);
        assert.equal(i.stdout, 'through spdy\n');
        const gone = await spdyRun(version, ['exec', 'done', '--', 'true']);
        assert.match(gone.stderr, /unable to upgrade connection: container not found \("main"\)/);
      });
    }

    test('kubectl 1.32: port-forward over raw SPDY', async () => {
      const server = createServer((req, res) => res.end(`spdy ${req.url}`));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as AddressInfo).port;
      const child = spawn(kubectlPath(VERSION), [...kargs, 'port-forward', 'pod/pf', `0:${port}`], { env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const m = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out), 'kubectl to listen', 10_000);
        const body = await within(
          new Promise<string>((resolve, reject) =>
            get(`http://127.0.0.1:${m[1]}/x`, { agent: false }, (res) => {
              let b = '';
              res.on('data', (d: Buffer) => (b += d.toString()));
              res.on('end', () => resolve(b));
            }).on('error', reject),
          ),
          'the forwarded request',
          10_000,
        );
        assert.equal(body, 'spdy /x');
      } finally {
        child.kill('SIGKILL');
        server.close();
      }
    });
  });
});
