// The runc engine's container operations. As in containerd's CRI plugin,
// createContainer prepares the bundle (rootfs mounted, config.json written)
// and startContainer runs conmon (`runc create`) then lets the init exec
// (runcstate.ts: what `runc start` does, in-process): a missing executable
// fails the start. Exits are read from conmon's exit file, watched with
// inotify; removal cleans runc's state and cgroups in-process, unmounts and
// deletes in parallel.

import { watch } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LocalImage } from '../images.ts';
import { RuntimeError, type ContainerConfig, type ContainerFilter, type ContainerStatus, type PodSandboxConfig } from '../runtime.ts';
import { cgroupVersion, oomKills } from '../cgroups/cgroups.ts';
import { mountAll, unmount } from '../snapshot/mount.ts';
import { isSnapshotError } from '../snapshot/snapshotter.ts';
import { unpackImage } from '../snapshot/unpack.ts';
import { SpecError, buildSpec } from '../spec/build.ts';
import { boundingCapabilities, hostDevices } from '../spec/host.ts';
import { readLocalhostProfile } from '../spec/localhost.ts';
import { ConmonError, startConmon } from './conmon.ts';
import { exists, labelsMatch, newId, readOptional, type EngineContext } from './context.ts';
import { runcMessage } from './proc.ts';
import type { ContainerRecord } from './records.ts';
import { deleteStopped, hasExecFifo, startCreated, StartError } from './runcstate.ts';
import { nsPath, ownNamespaces } from './sandbox.ts';
import { sandboxStatus } from './sandboxes.ts';

let nofileHard: Promise<number | undefined> | undefined;

/** The host's hard RLIMIT_NOFILE (read once: it does not change under a running engine). */
function hostNofileHard(): Promise<number | undefined> {
  nofileHard ??= readOptional('/proc/self/limits').then((limits) => {
    const m = limits?.match(/^Max open files\s+\S+\s+(\S+)/m);
    return m && /^\d+$/.test(m[1]!) ? Number(m[1]) : undefined;
  });
  return nofileHard;
}

async function resolveImage(ctx: EngineContext, ref: string): Promise<LocalImage> {
  const img = await ctx.images.resolve(ref);
  if (!img) throw new RuntimeError('ImageNotPresent', `image ${JSON.stringify(ref)} is not present on this node; pull it first`);
  return img;
}

export async function createContainer(ctx: EngineContext, podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
  await ctx.ready();
  const sb = ctx.sandbox(podSandboxId);
  if ((await sandboxStatus(ctx, sb)).state !== 'ready') throw new RuntimeError('CreateFailed', `pod sandbox ${podSandboxId} is not ready; cannot create container ${config.metadata?.name}`);
  if (!config.metadata?.name) throw new RuntimeError('InvalidConfig', 'container metadata needs a name');
  if (!config.logPath) throw new RuntimeError('InvalidConfig', `container ${config.metadata.name}: logPath must not be empty`);
  const clash = [...ctx.containers.values()].find((c) => c.sandboxId === podSandboxId && c.config.metadata.name === config.metadata.name && c.config.metadata.attempt === config.metadata.attempt);
  if (clash) throw new RuntimeError('AlreadyExists', `container ${config.metadata.name} attempt ${config.metadata.attempt} already exists in sandbox ${podSandboxId} (${clash.id})`);
  const image = await resolveImage(ctx, config.image);
  const id = newId();
  const p = ctx.paths(id);
  const snapshotKey = `container-${id}`;
  const sbDir = ctx.records.sandboxDir(podSandboxId);
  const logPath = join(sb.config.logDirectory, config.logPath);
  let mounted = false;
  try {
    const [top] = await Promise.all([unpackImage(ctx.snapshots, image), mkdir(p.rootfs, { recursive: true }), mkdir(p.exitDir, { recursive: true }), mkdir(p.persist, { recursive: true }), mkdir(dirname(logPath), { recursive: true })]);
    const mounts = await ctx.snapshots.prepare(snapshotKey, top, { labels: { 'skiff.io/container': id } });
    await mountAll(mounts, p.rootfs);
    mounted = true;
    const cgroupsPath = `/${(sb.config.cgroupParent ?? 'skiff').replace(/^\/+|\/+$/g, '')}/${id}`;
    const [passwd, group, version, nofile, localhostProfile, hostCapabilities, devices] = await Promise.all([
      readOptional(join(p.rootfs, 'etc/passwd')),
      readOptional(join(p.rootfs, 'etc/group')),
      cgroupVersion(),
      hostNofileHard(),
      readLocalhostProfile(config.securityContext, ctx.seccompRoot),
      boundingCapabilities(),
      config.securityContext?.privileged ? hostDevices() : undefined,
    ]);
    const spec = buildSpec({
      image: image.config,
      container: config,
      sandbox: { ...sandboxConfig, hostNetwork: sb.config.hostNetwork, hostIPC: sb.config.hostIPC, hostname: sb.config.hostname, cgroupParent: sb.config.cgroupParent },
      id,
      rootfs: 'rootfs',
      namespaces: Object.fromEntries(ownNamespaces(sb.config).map((ns) => [ns === 'net' ? 'network' : ns, nsPath(sbDir, ns)])),
      etc: { hosts: join(sbDir, 'hosts'), resolvConf: join(sbDir, 'resolv.conf'), hostname: join(sbDir, 'hostname') },
      passwd,
      group,
      cgroupVersion: version,
      hostNofileHard: nofile,
      ...(localhostProfile ? { localhostProfile } : {}),
      ...(hostCapabilities ? { hostCapabilities } : {}),
      ...(devices ? { hostDevices: devices } : {}),
    });
    const rec: ContainerRecord = {
      id,
      sandboxId: podSandboxId,
      config,
      imageRef: image.id,
      snapshotKey,
      logPath,
      cgroupsPath,
      stopSignal: config.stopSignal || image.config.config?.StopSignal || 'SIGTERM',
      createdAt: Date.now(),
      startedAt: 0,
      finishedAt: 0,
    };
    await Promise.all([writeFile(join(p.bundle, 'config.json'), JSON.stringify(spec)), ctx.records.saveContainer(rec)]);
    ctx.containers.set(id, rec);
    return id;
  } catch (e) {
    if (mounted) await unmount(p.rootfs).catch(() => undefined);
    await ctx.snapshots.remove(snapshotKey).catch(() => undefined);
    await rm(p.dir, { recursive: true, force: true });
    if (e instanceof RuntimeError) throw e;
    if (e instanceof SpecError) throw new RuntimeError('InvalidConfig', e.message);
    throw new RuntimeError('CreateFailed', `creating container ${config.metadata.name}: ${(e as Error).message}`);
  }
}

/** What `runc start` does: in-process when runc left its exec fifo, else by running runc. */
async function runcStart(ctx: EngineContext, id: string, pid: number): Promise<void> {
  const stateDir = ctx.runcStateDir(id);
  if (await hasExecFifo(stateDir)) return startCreated(stateDir, pid);
  const r = await ctx.runc(['start', id]);
  if (r.code !== 0) throw new StartError(runcMessage(r.stderr));
}

export async function startContainer(ctx: EngineContext, id: string): Promise<void> {
  await ctx.ready();
  const c = ctx.container(id);
  if (c.startedAt || c.finishedAt) throw new RuntimeError('StartFailed', `container ${id} was already started; a container starts once`);
  const p = ctx.paths(id);
  try {
    c.pid = await startConmon({
      conmon: ctx.conmonPath,
      runc: ctx.runcPath,
      runcRoot: ctx.runcRoot,
      id,
      bundle: p.bundle,
      logPath: c.logPath,
      exitDir: p.exitDir,
      persistDir: p.persist,
      socketDir: ctx.socketDir,
      containerPidFile: p.pidFile,
      conmonPidFile: join(p.dir, 'conmon.pid'),
      conmonLog: join(p.dir, 'conmon.log'),
      stdin: c.config.stdin,
      stdinOnce: c.config.stdinOnce,
      tty: c.config.tty,
    });
    const startedAt = Date.now();
    await runcStart(ctx, id, c.pid);
    c.startedAt = startedAt;
    await ctx.records.saveContainer(c);
  } catch (e) {
    if (!(e instanceof ConmonError) && !(e instanceof StartError)) throw e;
    await ctx.runc(['delete', '--force', id]);
    c.finishedAt = Date.now();
    c.exitCode = 128;
    c.reason = 'StartError';
    c.message = runcMessage(e.message);
    delete c.pid;
    await ctx.records.saveContainer(c);
    throw new RuntimeError('StartFailed', `starting container ${c.config.metadata.name}: ${c.message}`);
  }
}

/** Reads the exit from conmon's files once the container has exited, and keeps it in the record. */
async function settle(ctx: EngineContext, c: ContainerRecord): Promise<void> {
  if (c.finishedAt || !c.startedAt) return;
  const p = ctx.paths(c.id);
  let text: string | undefined;
  let at = 0;
  try {
    const st = await stat(p.exitFile);
    text = await readFile(p.exitFile, 'utf8');
    at = st.mtimeMs;
  } catch {
    return;
  }
  const code = Number(text.trim());
  c.exitCode = Number.isFinite(code) ? code : 255;
  c.finishedAt = Math.max(Math.round(at) || Date.now(), c.startedAt);
  const oom = (await exists(join(p.persist, 'oom'))) || (await oomKills(c.cgroupsPath)) > 0;
  c.reason = oom ? 'OOMKilled' : c.exitCode === 0 ? 'Completed' : 'Error';
  delete c.pid;
  await ctx.records.saveContainer(c);
}

async function status(ctx: EngineContext, c: ContainerRecord): Promise<ContainerStatus> {
  await settle(ctx, c);
  const state = c.finishedAt ? 'exited' : c.startedAt ? 'running' : 'created';
  return {
    id: c.id,
    podSandboxId: c.sandboxId,
    metadata: { ...c.config.metadata },
    state,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    exitCode: c.exitCode ?? 0,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
    image: c.config.image,
    imageRef: c.imageRef,
    logPath: c.logPath,
    labels: { ...c.config.labels },
    annotations: { ...c.config.annotations },
    ...(state === 'running' && c.pid ? { pid: c.pid } : {}),
  };
}

/** Resolves true once the container's exit file appears (inotify on the exit dir, a slow poll as a backstop), false at the deadline. */
function waitExit(ctx: EngineContext, c: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const p = ctx.paths(c.id);
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(v);
    };
    const check = () => void exists(p.exitFile).then((e) => e && finish(true));
    const watcher = watch(p.exitDir, check);
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => finish(false), timeoutMs);
    check();
  });
}

export async function stopContainer(ctx: EngineContext, id: string, timeoutSeconds: number): Promise<void> {
  await ctx.ready();
  const c = ctx.container(id);
  await settle(ctx, c);
  if (!c.startedAt || c.finishedAt) return;
  if (timeoutSeconds > 0) {
    await ctx.runc(['kill', id, c.stopSignal]);
    if (await waitExit(ctx, c, timeoutSeconds * 1000)) return void (await settle(ctx, c));
  }
  await ctx.runc(['kill', '--all', id, 'KILL']);
  if (!(await waitExit(ctx, c, 10_000))) throw new RuntimeError('Internal', `container ${id} did not exit 10 s after SIGKILL`);
  await settle(ctx, c);
}

/** What `runc delete` does: in-process for a stopped container, by running runc otherwise (a created one, a busy cgroup). */
async function runcDelete(ctx: EngineContext, id: string): Promise<void> {
  if (await deleteStopped(ctx.runcStateDir(id))) return;
  const del = await ctx.runc(['delete', '--force', id]);
  if (del.code !== 0 && !/does not exist|not exist/.test(del.stderr)) throw new RuntimeError('Internal', `runc delete ${id}: ${runcMessage(del.stderr)}`);
}

export async function removeContainer(ctx: EngineContext, id: string): Promise<void> {
  await ctx.ready();
  const c = ctx.containers.get(id);
  if (!c) return;
  await stopContainer(ctx, id, 0);
  const p = ctx.paths(id);
  await Promise.all([runcDelete(ctx, id), unmount(p.rootfs)]);
  const dropSnapshot = ctx.snapshots.remove(c.snapshotKey).catch((e: unknown) => {
    if (!isSnapshotError(e, 'NotFound')) throw e;
  });
  await Promise.all([dropSnapshot, rm(join(ctx.socketDir, id), { recursive: true, force: true }), rm(p.dir, { recursive: true, force: true })]);
  ctx.containers.delete(id);
}

export async function listContainers(ctx: EngineContext, filter: ContainerFilter): Promise<ContainerStatus[]> {
  await ctx.ready();
  const picked = [...ctx.containers.values()].filter((c) => (!filter.id || c.id === filter.id) && (!filter.podSandboxId || c.sandboxId === filter.podSandboxId) && labelsMatch(c.config.labels ?? {}, filter.labelSelector));
  const all = await Promise.all(picked.map((c) => status(ctx, c)));
  return all.filter((s) => !filter.state || s.state === filter.state).sort((a, b) => a.createdAt - b.createdAt);
}

export async function containerStatus(ctx: EngineContext, id: string): Promise<ContainerStatus> {
  await ctx.ready();
  return status(ctx, ctx.container(id));
}

/** The record of a running container, for exec and attach; InvalidConfig when it is not running. */
export async function runningContainer(ctx: EngineContext, id: string): Promise<ContainerRecord> {
  const c = ctx.container(id);
  await settle(ctx, c);
  if (!c.startedAt || c.finishedAt) throw new RuntimeError('InvalidConfig', `container ${id} is not running`);
  return c;
}
