// The fake runtime keeps the Runtime contract where the agent can tell:
// states and exit codes of interpreted commands, CRI log lines, stop with a
// grace period, exec, port-forward, image presence and pulls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { isRuntimeError, type PodSandboxConfig } from '../runtime.ts';
import { FakeRuntime, httpResponse } from './runtime.ts';
import { normalizeImageName } from './images.ts';
import { tokenize } from './script.ts';

const sandbox = (): PodSandboxConfig => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt: 0 }, hostname: 'p', logDirectory: mkdtempSync(join(tmpdir(), 'fake-rt-')), labels: { app: 'x' } });

async function waitExit(rt: FakeRuntime, id: string, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = await rt.containerStatus(id);
    if (s.state === 'exited') return s;
    if (Date.now() > end) throw new Error(`container ${id} did not exit within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function run(rt: FakeRuntime, cmd: string[], image = 'busybox') {
  const sc = sandbox();
  const sb = await rt.runPodSandbox(sc);
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image, command: cmd, logPath: 'c/0.log', envs: [{ name: 'WHO', value: 'you' }] }, sc);
  await rt.startContainer(id);
  return { sb, id, sc };
}

test('image names normalize as Docker does', () => {
  assert.equal(normalizeImageName('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeImageName('me/app:1'), 'docker.io/me/app:1');
  assert.equal(normalizeImageName('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeImageName('reg.io/a/b@sha256:abc'), 'reg.io/a/b@sha256:abc');
});

test('shell words honour quotes', () => {
  assert.deepEqual(tokenize(`echo "a b" 'c d' e\\ f`), ['echo', 'a b', 'c d', 'e f']);
});

test('commands run, log CRI lines and exit with their codes', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const { id } = await run(rt, ['sh', '-c', 'echo hello $WHO; echo oops >&2; exit 7']);
  const s = await waitExit(rt, id);
  assert.equal(s.exitCode, 7);
  assert.equal(s.reason, 'Error');
  const lines = readFileSync(s.logPath, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello you$/);
  const ok = await run(rt, ['true']);
  assert.equal((await waitExit(rt, ok.id)).reason, 'Completed');
});

test('an unknown executable fails to start as runc does', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const sc = sandbox();
  const sb = await rt.runPodSandbox(sc);
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'busybox', command: ['nope'], logPath: 'c/0.log' }, sc);
  await assert.rejects(rt.startContainer(id), (e) => isRuntimeError(e, 'StartFailed') && /exec: "nope": executable file not found in \$PATH/.test(e.message));
  const s = await rt.containerStatus(id);
  assert.equal(s.state, 'exited');
  assert.equal(s.exitCode, 128);
});

test('stop: SIGTERM ends a process at once (143); one that traps it is killed after the grace period (137)', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const a = await run(rt, ['sleep', 'infinity']);
  await rt.stopContainer(a.id, 10);
  assert.equal((await rt.containerStatus(a.id)).exitCode, 143);
  const b = await run(rt, ['sh', '-c', 'trap "" TERM; sleep infinity']);
  await new Promise((r) => setImmediate(r));
  const t0 = Date.now();
  await rt.stopContainer(b.id, 1);
  assert.ok(Date.now() - t0 >= 900);
  assert.equal((await rt.containerStatus(b.id)).exitCode, 137);
});

test('exec sees the container files and env; a deadline times it out', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const { id } = await run(rt, ['sh', '-c', 'echo ready > /tmp/state; sleep infinity']);
  const out: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) });
  assert.equal((await rt.exec(id, { cmd: ['cat', '/tmp/state'], stdout: sink })).exitCode, 0);
  assert.equal((await rt.exec(id, { cmd: ['printenv', 'WHO'], stdout: sink })).exitCode, 0);
  assert.deepEqual(out, ['ready\n', 'you\n']);
  assert.equal((await rt.exec(id, { cmd: ['cat', '/nope'] })).exitCode, 1);
  const slow = await rt.exec(id, { cmd: ['sleep', '5'], timeoutMs: 50 });
  assert.deepEqual(slow, { exitCode: 137, timedOut: true });
});

test('port-forward reaches a listening process; a closed port is refused', async () => {
  const rt = new FakeRuntime({ images: ['busybox', 'web'], behaviours: { web: { runForever: true, ports: { 80: () => httpResponse(200, 'hi') } } } });
  const { sb } = await run(rt, [], 'web');
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  const duplex = new (await import('node:stream')).Duplex({
    read() {},
    write(c, _e, cb) {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  duplex.push('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await rt.portForward(sb, 80, duplex);
  assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhi$/);
  await assert.rejects(rt.portForward(sb, 81, stream), /connection refused/);
});

test('images: present, pulled from the registry, or ImagePull errors', async () => {
  const rt = new FakeRuntime({ images: ['busybox:1.36'], registry: ['nginx:1.27'] });
  assert.ok(await rt.imageStatus({ image: 'docker.io/library/busybox:1.36' }));
  assert.equal(await rt.imageStatus({ image: 'nginx:1.27' }), null);
  const id = await rt.pullImage({ image: 'nginx:1.27' });
  assert.equal((await rt.imageStatus({ image: 'nginx:1.27' }))!.id, id);
  await assert.rejects(rt.pullImage({ image: 'ghost' }), (e) => isRuntimeError(e, 'ImagePull') && /docker\.io\/library\/ghost:latest/.test(e.message));
});

test('OOM: tail /dev/zero under a memory limit is OOMKilled', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const sc = sandbox();
  const sb = await rt.runPodSandbox(sc);
  const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'busybox', command: ['tail', '/dev/zero'], logPath: 'c/0.log', resources: { memoryLimitBytes: 1 << 20 } }, sc);
  await rt.startContainer(id);
  const s = await waitExit(rt, id);
  assert.deepEqual([s.exitCode, s.reason], [137, 'OOMKilled']);
});

test('removing a sandbox removes its containers; lists filter by labels', async () => {
  const rt = new FakeRuntime({ images: ['busybox'] });
  const { sb, id } = await run(rt, ['sleep', 'infinity']);
  assert.equal((await rt.listPodSandboxes({ labelSelector: { app: 'x' } })).length, 1);
  assert.equal((await rt.listPodSandboxes({ labelSelector: { app: 'y' } })).length, 0);
  await rt.stopPodSandbox(sb);
  assert.equal((await rt.containerStatus(id)).state, 'exited');
  await rt.removePodSandbox(sb);
  assert.deepEqual(await rt.listContainers(), []);
  await rt.removePodSandbox(sb);
});
