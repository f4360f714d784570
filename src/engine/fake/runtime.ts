// The fake Runtime: sandboxes and containers in memory whose processes are
// simulated (see script.ts), for agent tests and hollow nodes. It keeps the
// contract of the real engine where the agent can tell: states and exit
// codes, CRI-format log files at the configured path, stop with a grace
// period, exec, port-forward to "listening" processes, image presence and
// pulls from a configured registry. Per-image behaviours let a test script
// exits, crashes, start failures, OOM kills and exec answers.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
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
import { FakeImageStore, imageId, normalizeImageName, toImage, type FakeImage } from './images.ts';
import { Killed, programKnown, runProgram, type ExitOutcome, type FakeFs, type PortHandler, type ProcessContext } from './script.ts';

export type { FakeImage } from './images.ts';
export type { PortHandler } from './script.ts';
export { httpResponse } from './script.ts';

/** What a container of an image does instead of interpreting its command. */
export interface FakeBehaviour {
  /** Start fails with this message (RuntimeError StartFailed), as runc's "executable file not found". */
  startError?: string;
  /** Exit with this code after exitAfterMs (default 0 ms). Without it (and without oom) the command is interpreted. */
  exitCode?: number;
  exitAfterMs?: number;
  /** Killed by the OOM killer (exit 137, reason OOMKilled) after exitAfterMs. */
  oom?: boolean;
  /** Run until stopped, whatever the command says. */
  runForever?: boolean;
  /** Ignore SIGTERM: stopContainer waits the whole grace period, then kills. */
  ignoreSigterm?: boolean;
  /** Lines written to stdout at start. */
  logs?: string[];
  /** Answers exec; undefined falls back to interpreting the command. */
  exec?: (cmd: string[], container: ContainerStatus) => FakeExecAnswer | undefined;
  /** Listening ports, for port-forward and httpGet/tcpSocket probes. */
  ports?: Record<number, PortHandler>;
}

export interface FakeExecAnswer {
  exitCode: number;
  stdout?: string;
  stderr?: string;
  delayMs?: number;
}

export interface FakeRuntimeOptions {
  /** Images present on the machine. */
  images?: (string | FakeImage)[];
  /** Images the "registry" serves (a pull of anything else fails with ImagePull). */
  registry?: (string | FakeImage)[];
  pullDelayMs?: number;
  /** Behaviours by image name (normalized). */
  behaviours?: Record<string, FakeBehaviour>;
  /** Behaviour by container, consulted before `behaviours`. */
  behaviourFor?: (config: ContainerConfig, sandbox: PodSandboxConfig) => FakeBehaviour | undefined;
  /** Give sandboxes an IP from 10.244.<n>.0/24 (default true); false = loopback-only like the first real engine. */
  podIPs?: boolean;
  /** Third octet of pod IPs (hollow nodes use one per node). */
  podSubnet?: number;
  /** Write CRI log lines to the log files (default true). */
  writeLogs?: boolean;
  runtimeName?: string;
  runtimeVersion?: string;
}

interface SandboxRec {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
}

interface Proc {
  abort: AbortController;
  ignoreTerm: boolean;
  done: Promise<void>;
}

interface ContainerRec {
  status: ContainerStatus;
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
  argv: string[];
  env: Map<string, string>;
  behaviour?: FakeBehaviour;
  proc?: Proc;
  files: Map<string, string>;
  ports: Map<number, PortHandler>;
  cpuNanos: number;
}

const newId = () => randomBytes(32).toString('hex');

function matches(labels: Record<string, string>, sel?: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  return true;
}

export class FakeRuntime implements Runtime {
  readonly images: FakeImageStore;
  private readonly sandboxes = new Map<string, SandboxRec>();
  private readonly containers = new Map<string, ContainerRec>();
  private nextIP = 2;
  /** Calls by method name, for tests that assert what the agent asked. */
  readonly calls = new Map<string, number>();
  /** Behaviours by normalized image name; tests may change them at any time. */
  readonly behaviours = new Map<string, FakeBehaviour>();

  constructor(private readonly opts: FakeRuntimeOptions = {}) {
    this.images = new FakeImageStore(opts.images, opts.registry);
    for (const [k, v] of Object.entries(opts.behaviours ?? {})) this.behaviours.set(normalizeImageName(k), v);
  }

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: this.opts.runtimeName ?? 'fake', runtimeVersion: this.opts.runtimeVersion ?? '0.1.0', runtimeApiVersion: 'v1' };
  }

  // --- sandboxes ---------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.count('runPodSandbox');
    const id = newId();
    let ip: string | undefined;
    if (this.opts.podIPs !== false && !config.hostNetwork) {
      const n = this.nextIP++;
      ip = `10.244.${(this.opts.podSubnet ?? 0) + Math.floor(n / 254)}.${(n % 254) + 1}`;
    }
    if (config.logDirectory) mkdirSync(config.logDirectory, { recursive: true });
    this.sandboxes.set(id, {
      config,
      status: { id, metadata: { ...config.metadata }, state: 'ready', createdAt: Date.now(), ip, netnsPath: config.hostNetwork ? undefined : `/var/run/netns/fake-${id.slice(0, 12)}`, labels: { ...config.labels }, annotations: { ...config.annotations } },
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.count('stopPodSandbox');
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await Promise.all([...this.containers.values()].filter((c) => c.status.podSandboxId === id).map((c) => this.kill(c, 137)));
    sb.status.state = 'notready';
  }

  async removePodSandbox(id: string): Promise<void> {
    this.count('removePodSandbox');
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    for (const c of [...this.containers.values()]) {
      if (c.status.podSandboxId !== id) continue;
      await this.kill(c, 137);
      this.containers.delete(c.status.id);
    }
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox ${id} not found`);
    return structuredClone(sb.status);
  }

  async listPodSandboxes(filter: SandboxFilter = {}): Promise<PodSandboxStatus[]> {
    this.count('listPodSandboxes');
    const out: PodSandboxStatus[] = [];
    for (const sb of this.sandboxes.values()) {
      if (filter.id && sb.status.id !== filter.id) continue;
      if (filter.state && sb.status.state !== filter.state) continue;
      if (!matches(sb.status.labels, filter.labelSelector)) continue;
      out.push(structuredClone(sb.status));
    }
    return out;
  }

  // --- containers --------------------------------------------------------------

  private behaviourOf(config: ContainerConfig, sandbox: PodSandboxConfig): FakeBehaviour | undefined {
    return this.opts.behaviourFor?.(config, sandbox) ?? this.behaviours.get(normalizeImageName(config.image));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.count('createContainer');
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox ${podSandboxId} not found`);
    if (sb.status.state !== 'ready') throw new RuntimeError('CreateFailed', `pod sandbox ${podSandboxId} is not ready`);
    const img = this.images.local(config.image);
    if (!img) throw new RuntimeError('ImageNotPresent', `image "${config.image}" is not present on this node`);
    for (const c of this.containers.values()) {
      const m = c.status.metadata;
      if (c.status.podSandboxId === podSandboxId && m.name === config.metadata.name && m.attempt === config.metadata.attempt) {
        throw new RuntimeError('AlreadyExists', `container ${m.name} attempt ${m.attempt} already exists in sandbox ${podSandboxId} (${c.status.id})`);
      }
    }
    // Kubernetes: command replaces ENTRYPOINT, args replace CMD; a command alone drops the image's CMD.
    const entry = config.command?.length ? config.command : (img.entrypoint ?? []);
    const cmd = config.args?.length ? config.args : config.command?.length ? [] : (img.cmd ?? (img.entrypoint ? [] : ['sleep', 'infinity']));
    const argv = [...entry, ...cmd];
    const behaviour = this.behaviourOf(config, sandboxConfig);
    if (argv.length === 0 && !behaviour) throw new RuntimeError('CreateFailed', 'failed to create container: no command specified');
    const env = new Map<string, string>([['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', sandboxConfig.hostname]]);
    for (const e of img.env ?? []) {
      const i = e.indexOf('=');
      if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
    }
    for (const e of config.envs ?? []) env.set(e.name, e.value);
    const id = newId();
    const logPath = join(sandboxConfig.logDirectory, config.logPath);
    this.containers.set(id, {
      config: structuredClone(config),
      sandboxConfig,
      argv,
      env,
      behaviour,
      files: new Map(),
      ports: new Map(),
      cpuNanos: 0,
      status: {
        id,
        podSandboxId,
        metadata: { ...config.metadata },
        state: 'created',
        createdAt: Date.now(),
        startedAt: 0,
        finishedAt: 0,
        exitCode: 0,
        image: config.image,
        imageRef: imageId(img),
        logPath,
        labels: { ...config.labels },
        annotations: { ...config.annotations },
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.count('startContainer');
    const c = this.mustContainer(id);
    if (c.status.state !== 'created') throw new RuntimeError('StartFailed', `container ${id} is ${c.status.state}, not created`);
    const b = c.behaviour;
    const notFound = !b && c.argv.length > 0 && !programKnown(c.argv[0]!);
    const startError = b?.startError ?? (notFound ? `runc create failed: unable to start container process: exec: "${c.argv[0]}": executable file not found in $PATH` : undefined);
    if (startError) {
      Object.assign(c.status, { state: 'exited', startedAt: 0, finishedAt: Date.now(), exitCode: 128, reason: 'StartError', message: startError });
      throw new RuntimeError('StartFailed', startError);
    }
    if (this.opts.writeLogs !== false) mkdirSync(dirname(c.status.logPath), { recursive: true });
    c.status.state = 'running';
    c.status.startedAt = Date.now();
    c.status.pid = 10_000 + Math.floor(Math.random() * 50_000);
    for (const [port, h] of Object.entries(b?.ports ?? {})) c.ports.set(Number(port), h);
    const abort = new AbortController();
    const proc: Proc = { abort, ignoreTerm: !!b?.ignoreSigterm, done: Promise.resolve() };
    c.proc = proc;
    const ctx = this.processContext(c, proc);
    for (const l of b?.logs ?? []) ctx.stdout(l);
    proc.done = this.runBehaviour(c, ctx).then(
      (out) => this.exited(c, proc, out),
      (e) => {
        if (!(e instanceof Killed)) this.exited(c, proc, { exitCode: 1 });
      },
    );
  }

  private async runBehaviour(c: ContainerRec, ctx: ProcessContext): Promise<ExitOutcome> {
    const b = c.behaviour;
    const wait = (ms: number) =>
      new Promise<void>((resolve, reject) => {
        if (ctx.signal.aborted) return reject(new Killed());
        const t = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
        t?.unref();
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(new Killed())), { once: true });
      });
    if (b?.oom) {
      await wait(b.exitAfterMs ?? 0);
      return { exitCode: 137, reason: 'OOMKilled' };
    }
    if (b?.exitCode !== undefined) {
      await wait(b.exitAfterMs ?? 0);
      return { exitCode: b.exitCode };
    }
    if (b?.runForever) {
      await wait(Infinity);
    }
    return runProgram(c.argv, ctx);
  }

  private exited(c: ContainerRec, proc: Proc, out: ExitOutcome): void {
    if (c.proc !== proc || c.status.state !== 'running') return;
    c.proc = undefined;
    c.ports.clear();
    Object.assign(c.status, { state: 'exited', finishedAt: Date.now(), exitCode: out.exitCode, reason: out.reason ?? (out.exitCode === 0 ? 'Completed' : 'Error'), pid: undefined });
  }

  private processContext(c: ContainerRec, proc: Proc): ProcessContext {
    const write = (stream: 'stdout' | 'stderr', line: string) => {
      if (this.opts.writeLogs === false) return;
      appendFileSync(c.status.logPath, `${criTimestamp()} ${stream} F ${line}\n`);
    };
    return {
      env: c.env,
      stdout: (l) => write('stdout', l),
      stderr: (l) => write('stderr', l),
      fs: this.fsOf(c),
      memoryLimitBytes: c.config.resources?.memoryLimitBytes,
      signal: proc.abort.signal,
      ignoreTerm: () => (proc.ignoreTerm = true),
      listen: (port, handler) => c.ports.set(port, handler),
    };
  }

  /** The container's file view: its mounts (on the host), then a private in-memory root. */
  private fsOf(c: ContainerRec): FakeFs {
    const mounts = [...(c.config.mounts ?? [])].sort((a, b) => b.containerPath.length - a.containerPath.length);
    const resolve = (p: string): { host?: string; readonly?: boolean } => {
      for (const m of mounts) {
        const cp = m.containerPath.replace(/\/$/, '');
        if (p === cp || p.startsWith(cp + '/')) return { host: m.hostPath + p.slice(cp.length), readonly: m.readonly };
      }
      return {};
    };
    return {
      read: (p) => {
        const r = resolve(p);
        if (r.host) {
          try {
            return readFileSync(r.host, 'utf8');
          } catch {
            return undefined;
          }
        }
        return c.files.get(p);
      },
      write: (p, data, append) => {
        const r = resolve(p);
        if (r.host) {
          if (r.readonly) return;
          if (append) appendFileSync(r.host, data);
          else writeFileSync(r.host, data);
          return;
        }
        c.files.set(p, append ? (c.files.get(p) ?? '') + data : data);
      },
      exists: (p) => {
        const r = resolve(p);
        if (r.host) return existsSync(r.host);
        if (c.files.has(p)) return true;
        for (const k of c.files.keys()) if (k.startsWith(p.replace(/\/$/, '') + '/')) return true;
        return false;
      },
      remove: (p) => {
        const r = resolve(p);
        if (r.host) {
          if (!r.readonly) rmSync(r.host, { force: true, recursive: existsSync(r.host) && statSync(r.host).isDirectory() });
          return;
        }
        c.files.delete(p);
      },
    };
  }

  /** Ends the process: SIGTERM (143) unless ignored, or SIGKILL (137). */
  private async kill(c: ContainerRec, exitCode: 137 | 143): Promise<void> {
    const proc = c.proc;
    if (!proc || c.status.state !== 'running') {
      if (c.status.state === 'created') Object.assign(c.status, { state: 'exited', exitCode: 0, finishedAt: Date.now(), reason: 'Completed' });
      return;
    }
    this.exited(c, proc, { exitCode });
    proc.abort.abort();
    await proc.done;
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.count('stopContainer');
    const c = this.mustContainer(id);
    const proc = c.proc;
    if (!proc || c.status.state !== 'running') return this.kill(c, 137);
    if (timeoutSeconds > 0 && !proc.ignoreTerm) return this.kill(c, 143);
    if (timeoutSeconds > 0) {
      // SIGTERM is ignored: wait out the grace period unless the process ends on its own.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([proc.done, new Promise<void>((r) => (timer = setTimeout(r, timeoutSeconds * 1000)))]);
      clearTimeout(timer);
    }
    return this.kill(c, 137);
  }

  async removeContainer(id: string): Promise<void> {
    this.count('removeContainer');
    const c = this.containers.get(id);
    if (!c) return;
    await this.kill(c, 137);
    this.containers.delete(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    this.count('listContainers');
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      const s = c.status;
      if (filter.id && s.id !== filter.id) continue;
      if (filter.podSandboxId && s.podSandboxId !== filter.podSandboxId) continue;
      if (filter.state && s.state !== filter.state) continue;
      if (!matches(s.labels, filter.labelSelector)) continue;
      out.push({ ...s, metadata: { ...s.metadata } });
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const s = this.mustContainer(id).status;
    return { ...s, metadata: { ...s.metadata } };
  }

  private mustContainer(id: string): ContainerRec {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${id} not found`);
    return c;
  }

  /** The config the agent created a container with (tests check env, mounts, resources). */
  containerConfig(id: string): ContainerConfig {
    return this.mustContainer(id).config;
  }

  sandboxConfig(id: string): PodSandboxConfig {
    const sb = this.sandboxes.get(id);
    if (!sb) throw new RuntimeError('NotFound', `pod sandbox ${id} not found`);
    return sb.config;
  }

  // --- streaming ---------------------------------------------------------------

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    this.count('exec');
    const c = this.mustContainer(id);
    if (c.status.state !== 'running') throw new RuntimeError('Internal', `container ${id} is not running`);
    const answer = c.behaviour?.exec?.(opts.cmd, { ...c.status });
    const out = (w: typeof opts.stdout, s: string | undefined) => {
      if (w && s) w.write(s);
    };
    if (answer) {
      if (answer.delayMs) {
        const timedOut = await new Promise<boolean>((r) => {
          const t = setTimeout(() => r(false), answer.delayMs);
          if (opts.timeoutMs !== undefined && opts.timeoutMs < answer.delayMs!) setTimeout(() => (clearTimeout(t), r(true)), opts.timeoutMs);
        });
        if (timedOut) return { exitCode: 137, timedOut: true };
      }
      out(opts.stdout, answer.stdout);
      out(opts.tty ? opts.stdout : opts.stderr, answer.stderr);
      return { exitCode: answer.exitCode };
    }
    if (opts.cmd.length === 0 || !programKnown(opts.cmd[0]!)) {
      throw new RuntimeError('Internal', `exec failed: unable to start container process: exec: "${opts.cmd[0] ?? ''}": executable file not found in $PATH`);
    }
    const abort = new AbortController();
    const proc: Proc = { abort, ignoreTerm: false, done: Promise.resolve() };
    const ctx: ProcessContext = {
      ...this.processContext(c, proc),
      stdout: (l) => out(opts.stdout, l + '\n'),
      stderr: (l) => out(opts.tty ? opts.stdout : opts.stderr, l + '\n'),
    };
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => ((timedOut = true), abort.abort()), opts.timeoutMs);
    // The exec ends with its container.
    const onExit = setInterval(() => c.status.state !== 'running' && abort.abort(), 50);
    onExit.unref();
    try {
      const r = await runProgram(opts.cmd, ctx);
      return { exitCode: r.exitCode };
    } catch (e) {
      if (e instanceof Killed) return { exitCode: 137, timedOut };
      throw e;
    } finally {
      clearTimeout(timer);
      clearInterval(onExit);
    }
  }

  async attach(id: string, opts: StreamOptions): Promise<void> {
    const c = this.mustContainer(id);
    // Attach sees the container's output from now on: follow its log file until it exits.
    let offset = existsSync(c.status.logPath) ? statSync(c.status.logPath).size : 0;
    for (;;) {
      if (existsSync(c.status.logPath)) {
        const buf = readFileSync(c.status.logPath);
        if (buf.length > offset) {
          for (const line of buf.subarray(offset).toString().split('\n')) {
            const m = /^\S+ (stdout|stderr) [FP] (.*)$/.exec(line);
            if (m) (m[1] === 'stderr' && !opts.tty ? opts.stderr : opts.stdout)?.write(m[2] + '\n');
          }
          offset = buf.length;
        }
      }
      if (c.status.state !== 'running') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    this.count('portForward');
    if (!this.sandboxes.has(podSandboxId)) throw new RuntimeError('NotFound', `pod sandbox ${podSandboxId} not found`);
    let handler: PortHandler | undefined;
    for (const c of this.containers.values()) {
      if (c.status.podSandboxId === podSandboxId && c.status.state === 'running' && c.ports.has(port)) handler = c.ports.get(port);
    }
    if (!handler) throw new RuntimeError('Internal', `dial tcp 127.0.0.1:${port}: connect: connection refused`);
    const request = await readRequest(stream);
    const answer = await handler(request);
    await new Promise<void>((resolve) => {
      stream.once('error', () => resolve());
      if (answer !== null) stream.end(answer, () => resolve());
      else stream.end(() => resolve());
    });
  }

  // --- stats -------------------------------------------------------------------

  async containerStats(id: string): Promise<ContainerStats> {
    return this.statsOf(this.mustContainer(id));
  }

  async listContainerStats(filter: ContainerFilter = {}): Promise<ContainerStats[]> {
    // Every listed container, as the runc engine answers (an exited one's CPU counter stands still).
    const ids = (await this.listContainers(filter)).map((s) => s.id);
    return ids.map((id) => this.statsOf(this.containers.get(id)!));
  }

  private statsOf(c: ContainerRec): ContainerStats {
    if (c.status.state === 'running') c.cpuNanos += 1_000_000;
    const mem = 1_000_000 + (c.config.metadata.name.length % 7) * 100_000;
    return { id: c.status.id, timestamp: Date.now(), cpuUsageCoreNanoSeconds: c.cpuNanos, memoryUsageBytes: mem, memoryWorkingSetBytes: mem, memoryRssBytes: mem };
  }

  // --- images ------------------------------------------------------------------

  async pullImage(image: ImageSpec, _auth?: AuthConfig): Promise<string> {
    this.count('pullImage');
    if (this.opts.pullDelayMs) await new Promise((r) => setTimeout(r, this.opts.pullDelayMs));
    const name = normalizeImageName(image.image);
    const remote = this.images.remote(image.image);
    if (!remote) {
      throw new RuntimeError('ImagePull', `failed to pull and unpack image "${name}": failed to resolve reference "${name}": ${name}: not found`);
    }
    this.images.addPresent({ ...remote, name });
    return imageId(remote);
  }

  async imageStatus(image: ImageSpec): Promise<Image | null> {
    const img = this.images.local(image.image);
    return img ? toImage(img) : null;
  }

  async listImages(): Promise<Image[]> {
    return this.images.list().map(toImage);
  }

  async removeImage(image: ImageSpec): Promise<void> {
    this.images.remove(image.image);
  }

  async close(): Promise<void> {}

  /** Ends every process at once (a test's cleanup; a real machine's reboot). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.containers.values()].map((c) => this.kill(c, 137)));
  }
}

/** RFC 3339 with nanoseconds, as conmon writes CRI log lines. */
function criTimestamp(): string {
  const iso = new Date().toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}${String(process.hrtime()[1] % 1_000_000).padStart(6, '0')}Z`);
}

/** Reads an HTTP request head (or whatever a plain TCP client sends first, until it half-closes). */
function readRequest(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      stream.off('data', onData);
      stream.off('end', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve(Buffer.concat(chunks));
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).includes('\r\n\r\n')) done();
    };
    stream.on('data', onData);
    stream.on('end', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}
