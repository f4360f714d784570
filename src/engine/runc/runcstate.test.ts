// The in-process runc steps (runcstate.ts) against the real runc: a start
// that runc itself then reports as running, a start refused when the init
// died or the container already runs, and a delete that declines while the
// container lives and otherwise leaves no cgroup or state behind. Root only.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerConfig, sandboxConfig, waitState } from '../testsuite/fixtures.ts';
import { runcHarness, runcSkipReason } from '../testsuite/runc-harness.ts';
import { deleteStopped, hasExecFifo, startCreated, StartError } from './runcstate.ts';
import { waitFor } from '../../../test/support/wait.ts';

const skip = runcSkipReason() ?? false;

async function setup(t: TestContext) {
  const h = await runcHarness();
  t.after(() => h.cleanup());
  const rt = h.runtime;
  const cfg = sandboxConfig(h.logRoot);
  const sb = await rt.runPodSandbox(cfg);
  const runcRoot = join(rt.root, 'runc');
  const runcState = (id: string) => spawnSync('/usr/sbin/runc', ['--root', runcRoot, 'state', id], { encoding: 'utf8' });
  return { h, rt, sb, cfg, runcRoot, runcState };
}

/** `runc create` of a copy of an engine bundle's config under `runcRoot` (bypassing conmon); returns the init pid. */
function rawCreate(bundle: string, runcRoot: string, id: string, args: string[]): number {
  const b = join(bundle, '..', `raw-${id}`);
  mkdirSync(b, { recursive: true });
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { root: { path: string }; process: { args: string[] }; linux: { cgroupsPath: string } };
  spec.root.path = join(bundle, 'rootfs');
  spec.process.args = args;
  spec.linux.cgroupsPath = `${spec.linux.cgroupsPath}-raw-${id}`;
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec));
  // stdio to /dev/null: the init inherits it, and a pipe would stay open (spawnSync would wait for it)
  const r = spawnSync('/usr/sbin/runc', ['--root', runcRoot, '--log', join(b, 'runc.log'), 'create', '-b', b, '--pid-file', join(b, 'pid'), id], { stdio: 'ignore', timeout: 10_000 });
  assert.equal(r.status, 0, existsSync(join(b, 'runc.log')) ? readFileSync(join(b, 'runc.log'), 'utf8') : String(r.error));
  return Number(readFileSync(join(b, 'pid'), 'utf8'));
}

test('the engine starts a container without `runc start`, and runc sees it running', { skip }, async (t) => {
  const { rt, sb, cfg, runcRoot, runcState } = await setup(t);
  const id = await rt.createContainer(sb, containerConfig('s', { command: ['sleep', '3600'] }), cfg);
  await rt.startContainer(id);
  assert.equal(await hasExecFifo(join(runcRoot, id)), false, 'the exec fifo is gone once started');
  assert.equal((JSON.parse(runcState(id).stdout) as { status: string }).status, 'running');
  assert.equal((await rt.containerStatus(id)).state, 'running');
  await assert.rejects(startCreated(join(runcRoot, id), (await rt.containerStatus(id)).pid!), (e: unknown) => e instanceof StartError && /already running/.test(e.message));
});

test('a start whose init died first fails at once instead of hanging', { skip }, async (t) => {
  const { rt, sb, cfg, runcRoot } = await setup(t);
  const tmpl = await rt.createContainer(sb, containerConfig('tmpl', { command: ['true'] }), cfg);
  const root = join(rt.root, 'raw-runc');
  const pid = rawCreate(join(rt.root, 'containers', tmpl, 'bundle'), root, 'dead', ['true']);
  try {
    assert.equal(await hasExecFifo(join(root, 'dead')), true, 'created: the fifo waits');
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    await assert.rejects(startCreated(join(root, 'dead'), pid, 5_000), (e: unknown) => e instanceof StartError && /exited before it was started/.test(e.message));
    assert.ok(Date.now() - t0 < 2_000, `gave up after ${Date.now() - t0} ms`);
  } finally {
    // before the harness removes the root: runc needs its state to remove the cgroups
    spawnSync('/usr/sbin/runc', ['--root', root, 'delete', '--force', 'dead'], { stdio: 'ignore' });
  }
  assert.equal(existsSync(join(root, 'dead')), false);
  void runcRoot;
});

test('delete in-process: declined while the container runs; afterwards no cgroup and no runc state are left', { skip }, async (t) => {
  const { rt, sb, cfg, runcRoot, runcState } = await setup(t);
  const id = await rt.createContainer(sb, containerConfig('d', { command: ['sleep', '3600'] }), cfg);
  await rt.startContainer(id);
  const stateDir = join(runcRoot, id);
  const cgroups = Object.values((JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { cgroup_paths: Record<string, string> }).cgroup_paths);
  assert.ok(cgroups.length > 0 && cgroups.every((d) => existsSync(d)), 'runc made the cgroups');
  assert.equal(await deleteStopped(stateDir), false, 'the init still runs');
  assert.ok(cgroups.every((d) => existsSync(d)) && existsSync(join(stateDir, 'state.json')), 'nothing removed');
  await rt.stopContainer(id, 0);
  await waitState(rt, id, 'exited');
  await waitFor(() => deleteStopped(stateDir), 'the in-process delete', 5_000);
  assert.deepEqual(cgroups.filter((d) => existsSync(d)), []);
  assert.equal(existsSync(stateDir), false);
  assert.match(runcState(id).stderr, /does not exist/);
  assert.equal(await deleteStopped(stateDir), true, 'a second delete is a no-op');
});

test('remove: a created, never started container (runc delete fallback) and an exited one leave no mount, state or files', { skip }, async (t) => {
  const { rt, sb, cfg, runcRoot } = await setup(t);
  const created = await rt.createContainer(sb, containerConfig('created', { command: ['true'] }), cfg);
  const exited = await rt.createContainer(sb, containerConfig('exited', { command: ['true'] }), cfg);
  await rt.startContainer(exited);
  await waitState(rt, exited, 'exited');
  await Promise.all([rt.removeContainer(created), rt.removeContainer(exited)]);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const id of [created, exited]) {
    assert.equal(mounts.includes(id), false, `no mount of ${id}`);
    assert.equal(existsSync(join(runcRoot, id)), false);
    assert.equal(existsSync(join(rt.root, 'containers', id)), false);
  }
  assert.deepEqual(await rt.listContainers(), []);
});
