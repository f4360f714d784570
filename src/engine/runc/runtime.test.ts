// The runc engine against the real runc, conmon and kernel: isolation,
// limits, exit codes, logs, exec, attach, port-forward, stats, stop, and
// survival across an engine restart. Root only.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isRuntimeError } from '../runtime.ts';
import { cgroupVersion, controllerDir } from '../cgroups/cgroups.ts';
import { containerConfig, readCriLog, sandboxConfig, waitState } from '../testsuite/fixtures.ts';
import { runcSkipReason } from '../testsuite/runc-harness.ts';
import { runcSandbox } from '../testsuite/runc-sandbox.ts';
import { RuncRuntime } from './runtime.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { Collect } from '../testsuite/collect.ts';

const skip = runcSkipReason() ?? false;

const setup = (t: TestContext) => runcSandbox(t);

const SLEEP = { command: ['sleep', '3600'] };

test('isolation: own PID 1 and process table, the sandbox hostname, an overlay root, and a network namespace shared in the pod only', { skip }, async (t) => {
  const { rt, h, runC, exec } = await setup(t);
  const a = await runC('a', SLEEP);
  const b = await runC('b', { command: ['sh', '-c', 'mkdir /www && echo from-a > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'] });
  assert.equal((await exec(a, ['cat', '/proc/1/cmdline'])).stdout.replace(/\0/g, ' ').trim(), 'sleep 3600');
  const ps = (await exec(a, ['ps', '-o', 'pid,comm'])).stdout.trim().split('\n').slice(1);
  assert.ok(ps.length <= 3, `only the container's own processes are visible: ${ps.join(' | ')}`);
  assert.ok(!ps.some((l) => /node|conmon|runc/.test(l)));
  assert.equal((await exec(a, ['hostname'])).stdout.trim(), (await rt.podSandboxStatus((await rt.containerStatus(a)).podSandboxId)).metadata.name);
  const mounts = (await exec(a, ['cat', '/proc/mounts'])).stdout;
  assert.match(mounts, /^overlay \/ overlay /m);
  assert.doesNotMatch(mounts, / \/work /, 'the host mount table is not visible');
  const netA = (await exec(a, ['readlink', '/proc/self/ns/net'])).stdout.trim();
  const netB = (await exec(b, ['readlink', '/proc/self/ns/net'])).stdout.trim();
  assert.equal(netA, netB, 'containers of one pod share the network namespace');
  assert.notEqual(netA, await readlink('/proc/self/ns/net'), 'but not the host one');
  assert.notEqual((await exec(a, ['readlink', '/proc/self/ns/pid'])).stdout.trim(), (await exec(b, ['readlink', '/proc/self/ns/pid'])).stdout.trim(), 'each container has its own PID namespace');
  const got = await waitFor(async () => {
    const r = await exec(a, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/']);
    return r.exitCode === 0 ? r.stdout : undefined;
  }, "b's server on the pod's loopback");
  assert.equal(got.trim(), 'from-a');
  // a second pod does not share that loopback
  const other = await rt.runPodSandbox(sandboxConfig(h.logRoot));
  const c = await runC('c', SLEEP, other, sandboxConfig(h.logRoot));
  assert.notEqual((await exec(c, ['wget', '-q', '-T', '2', '-O', '-', 'http://127.0.0.1:8080/'])).exitCode, 0);
  assert.equal((await exec(c, ['ip', '-o', 'link'])).stdout.trim().split('\n').length, 1, 'a pod network namespace has only lo');
});

test('exit codes, reasons and stdout/stderr in the CRI log format', { skip }, async (t) => {
  const { rt, runC } = await setup(t);
  const bad = await runC('bad', { command: ['sh', '-c', 'echo out-line; echo err-line >&2; printf partial; exit 3'] });
  const good = await runC('good', { command: ['true'] });
  const s = await waitState(rt, bad, 'exited');
  assert.equal(s.exitCode, 3);
  assert.equal(s.reason, 'Error');
  assert.ok(s.finishedAt >= s.startedAt);
  const g = await waitState(rt, good, 'exited');
  assert.equal(g.exitCode, 0);
  assert.equal(g.reason, 'Completed');
  const lines = await readCriLog(s.logPath);
  assert.deepEqual(lines.map((l) => [l.stream, l.tag, l.text]).sort(), [['stderr', 'F', 'err-line'], ['stdout', 'F', 'out-line'], ['stdout', 'P', 'partial']].sort());
  assert.ok(s.logPath.endsWith('bad/0.log'));
});

test('a missing executable fails the start with runc\'s message; the container shows StartError', { skip }, async (t) => {
  const { rt, sb, sbCfg } = await setup(t);
  const id = await rt.createContainer(sb, containerConfig('nope', { command: ['nope'] }), sbCfg);
  await assert.rejects(rt.startContainer(id), (e: unknown) => isRuntimeError(e, 'StartFailed') && e.message.includes('exec: "nope": executable file not found in $PATH'));
  const s = await rt.containerStatus(id);
  assert.equal(s.state, 'exited');
  assert.equal(s.reason, 'StartError');
  assert.equal(s.exitCode, 128);
  assert.match(s.message ?? '', /executable file not found/);
  await assert.rejects(rt.createContainer(sb, containerConfig('caps', { command: ['true'], securityContext: { capabilities: { add: ['FLY'] } } }), sbCfg), (e: unknown) => isRuntimeError(e, 'InvalidConfig') && /unknown capability/.test(e.message));
});

test('limits: a memory hog over a 32Mi limit is OOMKilled; a fork bomb stops at the pids limit', { skip }, async (t) => {
  const { rt, runC, exec } = await setup(t);
  const hog = await runC('hog', { command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'], resources: { memoryLimitBytes: 32 * 1024 * 1024 } });
  const s = await waitState(rt, hog, 'exited', 20_000);
  assert.equal(s.reason, 'OOMKilled');
  assert.equal(s.exitCode, 137);
  const bomb = await runC('bomb', { ...SLEEP, resources: { pidsLimit: 16 } });
  // exec joins the container's cgroup: its fork loop hits the same limit
  const r = await exec(bomb, ['sh', '-c', 'for i in $(seq 1 60); do sleep 600 >/dev/null 2>&1 & done']);
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /can't fork|Resource temporarily unavailable/);
  const dir = controllerDir(await cgroupVersion(), 'pids', `/skiff/${bomb}`);
  const current = Number((await readFile(join(dir, 'pids.current'), 'utf8')).trim());
  assert.ok(current <= 16 && current > 1, `pids.current = ${current}`);
  assert.equal((await rt.containerStatus(bomb)).state, 'running', 'the container itself lives on');
});

test('exec: output, stderr, exit code, stdin, timeout; with a TTY the process sees a terminal of the asked size', { skip }, async (t) => {
  const { runC, exec, rt } = await setup(t);
  const id = await runC('main', SLEEP);
  const r = await exec(id, ['sh', '-c', 'echo hi; echo oops >&2; exit 7']);
  assert.deepEqual([r.exitCode, r.stdout, r.stderr], [7, 'hi\n', 'oops\n']);
  assert.equal((await exec(id, ['cat'], { stdin: 'piped in\n' })).stdout, 'piped in\n');
  assert.equal((await exec(id, ['sh', '-c', 'test -t 0 && echo tty || echo notty'])).stdout, 'notty\n');
  const slow = await exec(id, ['sleep', '30'], { timeoutMs: 300 });
  assert.equal(slow.timedOut, true);
  assert.notEqual(slow.exitCode, 0);
  const missing = await exec(id, ['nope']);
  assert.notEqual(missing.exitCode, 0);
  assert.match(missing.stderr, /executable file not found/);

  const tty = await exec(id, ['sh', '-c', 'test -t 0 && test -t 1 && echo is-a-tty; stty size'], { tty: true });
  assert.equal(tty.exitCode, 0);
  assert.match(tty.stdout, /is-a-tty\r?\n24 80/);
  const sized = new Collect();
  const resize = (async function* () {
    yield { width: 132, height: 40 };
  })();
  // the resize lands while the process runs: it polls its own size (bounded) until it changes
  const res = await rt.exec(id, { cmd: ['sh', '-c', 'for i in $(seq 1 100); do s=$(stty size); [ "$s" = "40 132" ] && break; sleep 0.05; done; echo "size $s"; exit 5'], tty: true, stdout: sized, resize });
  assert.equal(res.exitCode, 5);
  assert.match(sized.text, /40 132/);
});

test('attach streams output and stdin of a container created with stdin', { skip }, async (t) => {
  const { rt, runC } = await setup(t);
  const id = await runC('talk', { command: ['sh', '-c', 'while read line; do echo "got $line"; echo "err $line" >&2; done'], stdin: true });
  const stdin = new PassThrough();
  const stdout = new Collect();
  const stderr = new Collect();
  const attached = rt.attach(id, { stdin, stdout, stderr });
  stdin.write('one\n');
  await waitFor(() => stdout.text.includes('got one'), 'attach output');
  assert.match(stderr.text, /err one/);
  stdin.end();
  await attached;
  assert.equal((await rt.containerStatus(id)).state, 'running', 'detaching leaves the container running (stdinOnce unset)');
});

test('port-forward reaches a server on the sandbox loopback', { skip }, async (t) => {
  const { rt, sb, runC } = await setup(t);
  await runC('web', { command: ['sh', '-c', 'mkdir /www && echo hello-pf > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'] });
  const body = await waitFor(async () => {
    const out = new Collect();
    const input = new PassThrough();
    const stream = Duplex.from({ readable: input, writable: out });
    const done = rt.portForward(sb, 8080, stream);
    input.push('GET / HTTP/1.0\r\n\r\n');
    await done.catch(() => undefined);
    return out.text.includes('hello-pf') ? out.text : undefined;
  }, 'the forwarded HTTP answer');
  assert.match(body, /^HTTP\/1\.[01] 200/);
  await assert.rejects(rt.portForward(sb, 70000, new PassThrough()), (e: unknown) => isRuntimeError(e, 'InvalidConfig'));
});

test('stats: CPU and memory of a running container from its cgroup', { skip }, async (t) => {
  const { rt, runC } = await setup(t);
  const id = await runC('busy', { command: ['sh', '-c', 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; echo done; exec sleep 3600'] });
  const s = await waitFor(async () => {
    const st = await rt.containerStats(id);
    return st.cpuUsageCoreNanoSeconds > 10_000_000 && st.memoryUsageBytes > 0 ? st : undefined;
  }, 'cpu and memory usage');
  assert.ok(s.memoryWorkingSetBytes <= s.memoryUsageBytes);
  assert.equal(s.id, id);
});

test('stop: the stop signal first, SIGKILL after the grace period', { skip }, async (t) => {
  const { rt, runC } = await setup(t);
  const polite = await runC('polite', { command: ['sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.05; done'] });
  const stubborn = await runC('stubborn', { command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.05; done'] });
  await waitFor(async () => (await rt.exec(polite, { cmd: ['true'] })).exitCode === 0, 'polite running');
  let t0 = Date.now();
  await rt.stopContainer(polite, 10);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal((await rt.containerStatus(polite)).exitCode, 42);
  t0 = Date.now();
  await rt.stopContainer(stubborn, 1);
  const took = Date.now() - t0;
  assert.ok(took >= 1000 && took < 6000, `stop took ${took} ms`);
  const s = await rt.containerStatus(stubborn);
  assert.equal(s.exitCode, 137);
  assert.equal(s.state, 'exited');
});

test('containers survive the engine: a new instance on the same root, and one after a child process that started them exited', { skip }, async (t) => {
  const { h, rt, runC, exec } = await setup(t);
  const id = await runC('long', SLEEP);
  await rt.close();
  const again = new RuncRuntime({ root: rt.root, images: h.images });
  const s = await again.containerStatus(id);
  assert.equal(s.state, 'running');
  assert.equal((await again.exec(id, { cmd: ['true'] })).exitCode, 0);
  assert.equal((await exec(id, ['true'])).exitCode, 0, 'the closed instance was not needed');

  // a child process starts a container and exits; this process then finds and stops it
  const childRoot = join(h.root, 'child-engine');
  const script = fileURLToPath(new URL('./testdata/start-and-exit.ts', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, childRoot, h.logRoot], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
  });
  const { sandbox, container } = JSON.parse(out) as { sandbox: string; container: string };
  const fromChild = new RuncRuntime({ root: childRoot, images: h.images });
  try {
  assert.equal((await fromChild.podSandboxStatus(sandbox)).state, 'ready');
  const c = await fromChild.containerStatus(container);
  assert.equal(c.state, 'running');
  assert.equal((await fromChild.listContainers({ state: 'running' })).length, 1);
  const hello = new Collect();
  await fromChild.exec(container, { cmd: ['cat', '/tmp/hello'], stdout: hello });
  assert.equal(hello.text, 'from the child\n');
  await fromChild.stopContainer(container, 0);
  assert.equal((await fromChild.containerStatus(container)).exitCode, 137);
  } finally {
    for (const s of await fromChild.listPodSandboxes()) await fromChild.removePodSandbox(s.id);
  }
});
