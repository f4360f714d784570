// The Runtime contract suite: the semantics every engine owes the node agent
// (state transitions, idempotent stop and remove, NotFound codes, list
// filters), independent of how containers really run. Run it with a factory
// per engine: the runc engine here, the fake one in src/engine/fake/. The
// factory's image service must hold `busybox` (a long `sleep` must run).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isRuntimeError, type Runtime, type RuntimeErrorCode } from '../runtime.ts';
import { containerConfig, sandboxConfig, waitState } from './fixtures.ts';

export interface RuntimeHarness {
  runtime: Runtime;
  /** Where sandboxes put their logs. */
  logRoot: string;
  cleanup(): Promise<void>;
}

export type RuntimeFactory = () => Promise<RuntimeHarness>;

async function code(p: Promise<unknown>): Promise<RuntimeErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isRuntimeError(e)) return e.code;
    throw e;
  }
}

const SLEEP = { command: ['sleep', '3600'] };

export function runtimeSuite(name: string, factory: RuntimeFactory, opts: { skip?: string } = {}): void {
  const t = (title: string, fn: (h: RuntimeHarness, ctx: TestContext) => Promise<void>) =>
    test(`${name}: ${title}`, { skip: opts.skip ?? false }, async (ctx) => {
      const h = await factory();
      ctx.after(() => h.cleanup());
      await fn(h, ctx);
    });

  t('a sandbox is ready after run, notready after stop, gone after remove; stop and remove repeat safely', async ({ runtime: rt, logRoot }) => {
    const cfg = sandboxConfig(logRoot);
    const id = await rt.runPodSandbox(cfg);
    const st = await rt.podSandboxStatus(id);
    assert.equal(st.state, 'ready');
    assert.deepEqual(st.metadata, cfg.metadata);
    assert.deepEqual(st.labels, cfg.labels);
    assert.ok(st.createdAt > 0);
    await rt.stopPodSandbox(id);
    await rt.stopPodSandbox(id);
    assert.equal((await rt.podSandboxStatus(id)).state, 'notready');
    await rt.removePodSandbox(id);
    await rt.removePodSandbox(id);
    assert.equal(await code(rt.podSandboxStatus(id)), 'NotFound');
    await rt.removePodSandbox('no-such-sandbox');
    await rt.stopPodSandbox('no-such-sandbox');
  });

  t('a container goes created → running → exited (stop); status fields are kept', async ({ runtime: rt, logRoot }) => {
    const sb = await rt.runPodSandbox(sandboxConfig(logRoot));
    const cfg = containerConfig('main', { ...SLEEP, annotations: { a: 'b' } });
    const id = await rt.createContainer(sb, cfg, sandboxConfig(logRoot));
    let s = await rt.containerStatus(id);
    assert.equal(s.state, 'created');
    assert.equal(s.podSandboxId, sb);
    assert.deepEqual(s.metadata, cfg.metadata);
    assert.equal(s.image, 'busybox');
    assert.match(s.imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(s.labels, cfg.labels);
    assert.deepEqual(s.annotations, { a: 'b' });
    assert.equal(s.startedAt, 0);
    await rt.startContainer(id);
    s = await rt.containerStatus(id);
    assert.equal(s.state, 'running');
    assert.ok(s.startedAt >= s.createdAt);
    await rt.stopContainer(id, 0);
    s = await rt.containerStatus(id);
    assert.equal(s.state, 'exited');
    assert.ok(s.finishedAt >= s.startedAt);
    assert.notEqual(s.exitCode, 0);
    await rt.stopContainer(id, 0);
    await rt.removeContainer(id);
    await rt.removeContainer(id);
    assert.equal(await code(rt.containerStatus(id)), 'NotFound');
  });

  t('unknown ids are NotFound; an absent image is ImageNotPresent; nothing is created by a failed call', async ({ runtime: rt, logRoot }) => {
    assert.equal(await code(rt.containerStatus('nope')), 'NotFound');
    assert.equal(await code(rt.startContainer('nope')), 'NotFound');
    assert.equal(await code(rt.stopContainer('nope', 0)), 'NotFound');
    assert.equal(await code(rt.podSandboxStatus('nope')), 'NotFound');
    assert.equal(await code(rt.createContainer('nope', containerConfig('c', SLEEP), sandboxConfig(logRoot))), 'NotFound');
    const sb = await rt.runPodSandbox(sandboxConfig(logRoot));
    assert.equal(await code(rt.createContainer(sb, containerConfig('c', { ...SLEEP, image: 'not-here:1' }), sandboxConfig(logRoot))), 'ImageNotPresent');
    assert.deepEqual(await rt.listContainers(), []);
    assert.equal(await rt.imageStatus({ image: 'not-here:1' }), null);
    const img = await rt.imageStatus({ image: 'busybox' });
    assert.ok(img && img.repoTags.includes('docker.io/library/busybox:latest'));
  });

  t('the same name and attempt twice in a sandbox is AlreadyExists', async ({ runtime: rt, logRoot }) => {
    const sb = await rt.runPodSandbox(sandboxConfig(logRoot));
    await rt.createContainer(sb, containerConfig('dup', SLEEP), sandboxConfig(logRoot));
    assert.equal(await code(rt.createContainer(sb, containerConfig('dup', SLEEP), sandboxConfig(logRoot))), 'AlreadyExists');
    const next = await rt.createContainer(sb, containerConfig('dup', { ...SLEEP, metadata: { name: 'dup', attempt: 1 } }), sandboxConfig(logRoot));
    assert.ok(next);
  });

  t('lists filter by id, sandbox, state and labels', async ({ runtime: rt, logRoot }) => {
    const a = await rt.runPodSandbox(sandboxConfig(logRoot, { labels: { tier: 'a' } }));
    const b = await rt.runPodSandbox(sandboxConfig(logRoot, { labels: { tier: 'b' } }));
    const c1 = await rt.createContainer(a, containerConfig('one', SLEEP), sandboxConfig(logRoot));
    const c2 = await rt.createContainer(a, containerConfig('two', SLEEP), sandboxConfig(logRoot));
    const c3 = await rt.createContainer(b, containerConfig('three', SLEEP), sandboxConfig(logRoot));
    await rt.startContainer(c2);
    const ids = async (f: Parameters<Runtime['listContainers']>[0]) => (await rt.listContainers(f)).map((c) => c.id).sort();
    assert.deepEqual(await ids({}), [c1, c2, c3].sort());
    assert.deepEqual(await ids({ podSandboxId: a }), [c1, c2].sort());
    assert.deepEqual(await ids({ state: 'running' }), [c2]);
    assert.deepEqual(await ids({ state: 'created' }), [c1, c3].sort());
    assert.deepEqual(await ids({ labelSelector: { container: 'three' } }), [c3]);
    assert.deepEqual(await ids({ id: c1 }), [c1]);
    assert.deepEqual(await ids({ id: c1, podSandboxId: b }), []);
    assert.deepEqual((await rt.listPodSandboxes({ labelSelector: { tier: 'b' } })).map((s) => s.id), [b]);
    await rt.stopPodSandbox(b);
    assert.deepEqual((await rt.listPodSandboxes({ state: 'ready' })).map((s) => s.id), [a]);
    assert.deepEqual((await rt.listPodSandboxes({ id: b })).map((s) => s.state), ['notready']);
    const stats = await rt.listContainerStats({ podSandboxId: a });
    assert.deepEqual(stats.map((s) => s.id).sort(), [c1, c2].sort());
  });

  t('stopping a sandbox stops its containers; removing it removes them', async ({ runtime: rt, logRoot }) => {
    const sb = await rt.runPodSandbox(sandboxConfig(logRoot));
    const c = await rt.createContainer(sb, containerConfig('main', SLEEP), sandboxConfig(logRoot));
    await rt.startContainer(c);
    await rt.stopPodSandbox(sb);
    assert.equal((await waitState(rt, c, 'exited')).state, 'exited');
    await rt.removePodSandbox(sb);
    assert.deepEqual(await rt.listContainers({ podSandboxId: sb }), []);
    assert.equal(await code(rt.containerStatus(c)), 'NotFound');
  });

  t('a container starts once; exec on a stopped container fails', async ({ runtime: rt, logRoot }) => {
    const sb = await rt.runPodSandbox(sandboxConfig(logRoot));
    const c = await rt.createContainer(sb, containerConfig('main', SLEEP), sandboxConfig(logRoot));
    await rt.startContainer(c);
    assert.notEqual(await code(rt.startContainer(c)), 'ok');
    await rt.stopContainer(c, 0);
    assert.notEqual(await code(rt.exec(c, { cmd: ['true'] })), 'ok');
  });

  t('version names the runtime', async ({ runtime: rt }) => {
    const v = await rt.version();
    assert.ok(v.runtimeName && v.runtimeVersion && v.runtimeApiVersion);
  });
}
