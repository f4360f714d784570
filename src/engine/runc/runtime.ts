// The runc engine: the Runtime seam implemented with runc under conmon, an
// overlay snapshotter for root filesystems, and bind-mounted namespaces for
// sandboxes (sandbox.ts says why). Everything lives under one root directory,
// so a new instance on the same root recovers every sandbox and container;
// containers keep running while no engine is up (conmon watches them).
//
// As in containerd's CRI plugin, createContainer prepares the bundle (rootfs
// mounted, config.json written) and startContainer runs conmon (`runc
// create`) then `runc start`: a missing executable fails the start.

import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { access, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ImageService, LocalImage } from '../images.ts';
import {
  RuntimeError,
  type AuthConfig,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type Image,
  type ImageSpec,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeVersion,
  type SandboxFilter,
  type StreamOptions,
} from '../runtime.ts';
import { cgroupVersion, oomKills, readStats } from '../cgroups/cgroups.ts';
import { mountAll, unmount } from '../snapshot/mount.ts';
import { OverlaySnapshotter } from '../snapshot/overlay.ts';
import { isSnapshotError } from '../snapshot/snapshotter.ts';
import { unpackImage } from '../snapshot/unpack.ts';
import { SpecError, buildSpec } from '../spec/build.ts';
import { ConmonError, startConmon } from './conmon.ts';
import { run, runcMessage } from './proc.ts';
import { Records, type ContainerRecord, type SandboxRecord } from './records.ts';
import { createNamespaces, hostsFile, namespaceAlive, nsPath, ownNamespaces, releaseNamespaces, resolvConf } from './sandbox.ts';
import { attachContainer, execInContainer, execTtyInContainer, portForwardInNetns } from './streams.ts';

export interface RuncRuntimeOptions {
  /** Engine state (records, bundles, snapshots); `/var/lib/skiff/engine` on a node. */
  root: string;
  images: ImageService;
  runc?: string;
  conmon?: string;
}

const newId = () => randomBytes(16).toString('hex');

function labelsMatch(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return !selector || Object.entries(selector).every(([k, v]) => labels[k] === v);
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

async function readOptional(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

async function hostNofileHard(): Promise<number | undefined> {
  const limits = await readOptional('/proc/self/limits');
  const m = limits?.match(/^Max open files\s+\S+\s+(\S+)/m);
  return m && /^\d+$/.test(m[1]!) ? Number(m[1]) : undefined;
}

export class RuncRuntime implements Runtime {
  readonly root: string;
  private readonly images: ImageService;
  private readonly runcPath: string;
  private readonly conmonPath: string;
  private readonly runcRoot: string;
  private readonly socketDir: string;
  private readonly records: Records;
  private readonly snapshots: OverlaySnapshotter;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private loaded: Promise<void> | undefined;

  constructor(opts: RuncRuntimeOptions) {
    this.root = opts.root;
    this.images = opts.images;
    this.runcPath = opts.runc ?? '/usr/sbin/runc';
    this.conmonPath = opts.conmon ?? '/usr/bin/conmon';
    this.runcRoot = join(opts.root, 'runc');
    this.socketDir = join(opts.root, 'sock');
    this.records = new Records(opts.root);
    this.snapshots = new OverlaySnapshotter(join(opts.root, 'snapshots'));
  }

  /** Reads the records on first use: this is the recovery after a restart. */
  private ready(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.runcRoot, { recursive: true });
      await mkdir(this.socketDir, { recursive: true });
      const { sandboxes, containers } = await this.records.init();
      for (const s of sandboxes) this.sandboxes.set(s.id, s);
      for (const c of containers) this.containers.set(c.id, c);
    })();
    return this.loaded;
  }

  private runc(args: string[]) {
    return run(this.runcPath, ['--root', this.runcRoot, ...args]);
  }

  async version(): Promise<RuntimeVersion> {
    const r = await run(this.runcPath, ['--version']);
    return { runtimeName: 'skiff-runc', runtimeVersion: r.stdout.match(/runc version (\S+)/)?.[1] ?? 'unknown', runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes

  private sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError('NotFound', `pod sandbox ${JSON.stringify(id)} not found`);
    return s;
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.ready();
    if (!config.metadata?.name || !config.metadata.namespace || !config.metadata.uid) throw new RuntimeError('InvalidConfig', 'pod sandbox metadata needs a name, a namespace and a uid');
    if (!config.hostname) throw new RuntimeError('InvalidConfig', `pod sandbox ${config.metadata.namespace}/${config.metadata.name}: hostname must not be empty`);
    const dup = [...this.sandboxes.values()].find((s) => s.config.metadata.uid === config.metadata.uid && s.config.metadata.attempt === config.metadata.attempt && s.config.metadata.name === config.metadata.name);
    if (dup) throw new RuntimeError('AlreadyExists', `pod sandbox ${config.metadata.namespace}/${config.metadata.name} attempt ${config.metadata.attempt} already exists (${dup.id})`);
    const id = newId();
    const dir = this.records.sandboxDir(id);
    await mkdir(dir, { recursive: true });
    try {
      await createNamespaces(dir, config);
      const hostResolv = (await readOptional('/etc/resolv.conf')) ?? '';
      await writeFile(join(dir, 'hosts'), hostsFile(config));
      await writeFile(join(dir, 'resolv.conf'), resolvConf(config, hostResolv));
      await writeFile(join(dir, 'hostname'), `${config.hostname}\n`);
      await mkdir(config.logDirectory, { recursive: true });
      const rec: SandboxRecord = { id, config, createdAt: Date.now(), state: 'ready' };
      await this.records.saveSandbox(rec);
      this.sandboxes.set(id, rec);
      return id;
    } catch (e) {
      await releaseNamespaces(dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw e instanceof RuntimeError ? e : new RuntimeError('Internal', (e as Error).message);
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.ready();
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of [...this.containers.values()].filter((c) => c.sandboxId === id)) await this.stopContainer(c.id, 0);
    await releaseNamespaces(this.records.sandboxDir(id));
    if (s.state !== 'notready') {
      s.state = 'notready';
      await this.records.saveSandbox(s);
    }
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.ready();
    if (!this.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    for (const c of [...this.containers.values()].filter((c) => c.sandboxId === id)) await this.removeContainer(c.id);
    await rm(this.records.sandboxDir(id), { recursive: true, force: true });
    this.sandboxes.delete(id);
  }

  private async sandboxStatus(s: SandboxRecord): Promise<PodSandboxStatus> {
    const dir = this.records.sandboxDir(s.id);
    const alive = s.state === 'ready' && (await Promise.all(ownNamespaces(s.config).map((ns) => namespaceAlive(dir, ns)))).every(Boolean);
    return {
      id: s.id,
      metadata: { ...s.config.metadata },
      state: alive ? 'ready' : 'notready',
      createdAt: s.createdAt,
      ...(s.config.hostNetwork ? {} : { netnsPath: nsPath(dir, 'net') }),
      labels: { ...s.config.labels },
      annotations: { ...s.config.annotations },
    };
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    await this.ready();
    return this.sandboxStatus(this.sandbox(id));
  }

  async listPodSandboxes(filter: SandboxFilter = {}): Promise<PodSandboxStatus[]> {
    await this.ready();
    const all = await Promise.all([...this.sandboxes.values()].filter((s) => (!filter.id || s.id === filter.id) && labelsMatch(s.config.labels ?? {}, filter.labelSelector)).map((s) => this.sandboxStatus(s)));
    return all.filter((s) => !filter.state || s.state === filter.state).sort((a, b) => a.createdAt - b.createdAt);
  }

  // ---- containers

  private container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${JSON.stringify(id)} not found`);
    return c;
  }

  private paths(id: string) {
    const dir = this.records.containerDir(id);
    return { dir, bundle: join(dir, 'bundle'), rootfs: join(dir, 'bundle', 'rootfs'), exitDir: join(dir, 'exits'), exitFile: join(dir, 'exits', id), persist: join(dir, 'persist'), pidFile: join(dir, 'container.pid'), attach: join(this.socketDir, id, 'attach'), ctl: join(dir, 'bundle', 'ctl') };
  }

  private async resolveImage(ref: string): Promise<LocalImage> {
    const img = await this.images.resolve(ref);
    if (!img) throw new RuntimeError('ImageNotPresent', `image ${JSON.stringify(ref)} is not present on this node; pull it first`);
    return img;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    await this.ready();
    const sb = this.sandbox(podSandboxId);
    if ((await this.sandboxStatus(sb)).state !== 'ready') throw new RuntimeError('CreateFailed', `pod sandbox ${podSandboxId} is not ready; cannot create container ${config.metadata?.name}`);
    if (!config.metadata?.name) throw new RuntimeError('InvalidConfig', 'container metadata needs a name');
    if (!config.logPath) throw new RuntimeError('InvalidConfig', `container ${config.metadata.name}: logPath must not be empty`);
    const clash = [...this.containers.values()].find((c) => c.sandboxId === podSandboxId && c.config.metadata.name === config.metadata.name && c.config.metadata.attempt === config.metadata.attempt);
    if (clash) throw new RuntimeError('AlreadyExists', `container ${config.metadata.name} attempt ${config.metadata.attempt} already exists in sandbox ${podSandboxId} (${clash.id})`);
    const image = await this.resolveImage(config.image);
    const id = newId();
    const p = this.paths(id);
    const snapshotKey = `container-${id}`;
    const sbDir = this.records.sandboxDir(podSandboxId);
    let mounted = false;
    try {
      await mkdir(p.rootfs, { recursive: true });
      await mkdir(p.exitDir, { recursive: true });
      await mkdir(p.persist, { recursive: true });
      const top = await unpackImage(this.snapshots, image);
      const mounts = await this.snapshots.prepare(snapshotKey, top, { labels: { 'skiff.io/container': id } });
      await mountAll(mounts, p.rootfs);
      mounted = true;
      const cgroupsPath = `/${(sb.config.cgroupParent ?? 'skiff').replace(/^\/+|\/+$/g, '')}/${id}`;
      const spec = buildSpec({
        image: image.config,
        container: config,
        sandbox: { ...sandboxConfig, hostNetwork: sb.config.hostNetwork, hostname: sb.config.hostname, cgroupParent: sb.config.cgroupParent },
        id,
        rootfs: 'rootfs',
        namespaces: Object.fromEntries(ownNamespaces(sb.config).map((ns) => [ns === 'net' ? 'network' : ns, nsPath(sbDir, ns)])),
        etc: { hosts: join(sbDir, 'hosts'), resolvConf: join(sbDir, 'resolv.conf'), hostname: join(sbDir, 'hostname') },
        passwd: await readOptional(join(p.rootfs, 'etc/passwd')),
        group: await readOptional(join(p.rootfs, 'etc/group')),
        cgroupVersion: await cgroupVersion(),
        hostNofileHard: await hostNofileHard(),
      });
      await writeFile(join(p.bundle, 'config.json'), JSON.stringify(spec));
      const logPath = join(sb.config.logDirectory, config.logPath);
      await mkdir(dirname(logPath), { recursive: true });
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
      await this.records.saveContainer(rec);
      this.containers.set(id, rec);
      return id;
    } catch (e) {
      if (mounted) await unmount(p.rootfs).catch(() => undefined);
      await this.snapshots.remove(snapshotKey).catch(() => undefined);
      await rm(p.dir, { recursive: true, force: true });
      if (e instanceof RuntimeError) throw e;
      if (e instanceof SpecError) throw new RuntimeError('InvalidConfig', e.message);
      throw new RuntimeError('CreateFailed', `creating container ${config.metadata.name}: ${(e as Error).message}`);
    }
  }

  async startContainer(id: string): Promise<void> {
    await this.ready();
    const c = this.container(id);
    if (c.startedAt || c.finishedAt) throw new RuntimeError('StartFailed', `container ${id} was already started; a container starts once`);
    const p = this.paths(id);
    try {
      c.pid = await startConmon({
        conmon: this.conmonPath,
        runc: this.runcPath,
        runcRoot: this.runcRoot,
        id,
        bundle: p.bundle,
        logPath: c.logPath,
        exitDir: p.exitDir,
        persistDir: p.persist,
        socketDir: this.socketDir,
        containerPidFile: p.pidFile,
        conmonPidFile: join(p.dir, 'conmon.pid'),
        conmonLog: join(p.dir, 'conmon.log'),
        stdin: c.config.stdin,
        stdinOnce: c.config.stdinOnce,
        tty: c.config.tty,
      });
      const startedAt = Date.now();
      const r = await this.runc(['start', id]);
      if (r.code !== 0) throw new ConmonError(runcMessage(r.stderr));
      c.startedAt = startedAt;
      await this.records.saveContainer(c);
    } catch (e) {
      if (!(e instanceof ConmonError)) throw e;
      await this.runc(['delete', '--force', id]);
      c.finishedAt = Date.now();
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = runcMessage(e.message);
      await this.records.saveContainer(c);
      throw new RuntimeError('StartFailed', `starting container ${c.config.metadata.name}: ${c.message}`);
    }
  }

  /** Reads the exit from conmon's files once the container has exited, and keeps it in the record. */
  private async settle(c: ContainerRecord): Promise<void> {
    if (c.finishedAt || !c.startedAt) return;
    const p = this.paths(c.id);
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
    await this.records.saveContainer(c);
  }

  private async status(c: ContainerRecord): Promise<ContainerStatus> {
    await this.settle(c);
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

  /** Resolves true once the container's exit file appears, false at the deadline. */
  private async waitExit(c: ContainerRecord, timeoutMs: number): Promise<boolean> {
    const p = this.paths(c.id);
    if (await exists(p.exitFile)) return true;
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

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.ready();
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${JSON.stringify(id)} not found`);
    await this.settle(c);
    if (!c.startedAt || c.finishedAt) return;
    if (timeoutSeconds > 0) {
      await this.runc(['kill', id, c.stopSignal]);
      if (await this.waitExit(c, timeoutSeconds * 1000)) return void (await this.settle(c));
    }
    await this.runc(['kill', '--all', id, 'KILL']);
    if (!(await this.waitExit(c, 10_000))) throw new RuntimeError('Internal', `container ${id} did not exit 10 s after SIGKILL`);
    await this.settle(c);
  }

  async removeContainer(id: string): Promise<void> {
    await this.ready();
    const c = this.containers.get(id);
    if (!c) return;
    await this.stopContainer(id, 0);
    const p = this.paths(id);
    const del = await this.runc(['delete', '--force', id]);
    if (del.code !== 0 && !/does not exist|not exist/.test(del.stderr)) throw new RuntimeError('Internal', `runc delete ${id}: ${runcMessage(del.stderr)}`);
    await unmount(p.rootfs);
    try {
      await this.snapshots.remove(c.snapshotKey);
    } catch (e) {
      if (!isSnapshotError(e, 'NotFound')) throw e;
    }
    await rm(join(this.socketDir, id), { force: true });
    await rm(p.dir, { recursive: true, force: true });
    this.containers.delete(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    await this.ready();
    const picked = [...this.containers.values()].filter((c) => (!filter.id || c.id === filter.id) && (!filter.podSandboxId || c.sandboxId === filter.podSandboxId) && labelsMatch(c.config.labels ?? {}, filter.labelSelector));
    const all = await Promise.all(picked.map((c) => this.status(c)));
    return all.filter((s) => !filter.state || s.state === filter.state).sort((a, b) => a.createdAt - b.createdAt);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    await this.ready();
    return this.status(this.container(id));
  }

  // ---- streaming

  private async running(id: string): Promise<ContainerRecord> {
    const c = this.container(id);
    await this.settle(c);
    if (!c.startedAt || c.finishedAt) throw new RuntimeError('InvalidConfig', `container ${id} is not running`);
    return c;
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    await this.ready();
    await this.running(id);
    if (!opts.cmd?.length) throw new RuntimeError('InvalidConfig', 'exec needs a command');
    const target = { runc: this.runcPath, runcRoot: this.runcRoot, id, workDir: this.paths(id).dir };
    if (!opts.tty) return execInContainer(target, opts);
    const spec = JSON.parse(await readFile(join(this.paths(id).bundle, 'config.json'), 'utf8')) as { process: Record<string, unknown> };
    return execTtyInContainer({ ...target, conmon: this.conmonPath, socketDir: this.socketDir, process: spec.process }, opts);
  }

  async attach(id: string, opts: StreamOptions): Promise<void> {
    await this.ready();
    const c = await this.running(id);
    const p = this.paths(id);
    return attachContainer({ socket: p.attach, ctl: p.ctl, stdin: c.config.stdin === true, tty: c.config.tty === true }, opts);
  }

  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    await this.ready();
    const s = this.sandbox(podSandboxId);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RuntimeError('InvalidConfig', `port ${port} is not a TCP port`);
    const status = await this.sandboxStatus(s);
    if (status.state !== 'ready') throw new RuntimeError('InvalidConfig', `pod sandbox ${podSandboxId} is not ready`);
    return portForwardInNetns(status.netnsPath, port, stream);
  }

  // ---- stats

  async containerStats(id: string): Promise<ContainerStats> {
    await this.ready();
    const c = this.container(id);
    const s = await readStats(c.cgroupsPath);
    return { id, timestamp: Date.now(), cpuUsageCoreNanoSeconds: s?.cpuUsageNanoSeconds ?? 0, memoryUsageBytes: s?.memoryUsageBytes ?? 0, memoryWorkingSetBytes: s?.memoryWorkingSetBytes ?? 0, memoryRssBytes: s?.memoryRssBytes ?? 0 };
  }

  async listContainerStats(filter: ContainerFilter = {}): Promise<ContainerStats[]> {
    const list = await this.listContainers(filter);
    return Promise.all(list.map((c) => this.containerStats(c.id)));
  }

  // ---- images

  async pullImage(image: ImageSpec, _auth?: AuthConfig): Promise<string> {
    try {
      return (await this.images.pull(image.image, _auth ? { auth: _auth } : {})).id;
    } catch (e) {
      throw new RuntimeError('ImagePull', `pulling image ${JSON.stringify(image.image)}: ${(e as Error).message}`);
    }
  }

  async imageStatus(image: ImageSpec): Promise<Image | null> {
    const img = await this.images.resolve(image.image);
    return img ? toImage(img) : null;
  }

  async listImages(): Promise<Image[]> {
    return (await this.images.list()).map(toImage);
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.images.remove(image.image);
  }

  async close(): Promise<void> {
    // Nothing is held open between calls: containers live on under conmon.
  }
}

function toImage(img: LocalImage): Image {
  const cfg = img.config.config;
  return { id: img.id, repoTags: [...img.repoTags], repoDigests: [...img.repoDigests], size: img.size, ...(cfg?.User ? { user: cfg.User } : {}), ...(cfg?.StopSignal ? { stopSignal: cfg.StopSignal } : {}) };
}
