// A test-only Runtime whose "containers" are host processes (`sh -c`), for
// the streaming tests: real stdin, a real pty for tty sessions (`script`),
// real TCP for port-forward (loopback), and CRI-format log files written as
// conmon writes them. Only what the agent's HTTPS API uses is implemented;
// the lead moves these tests to the fake/runc runtimes as they gain stdin
// and tty.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { PassThrough, type Duplex, type Writable } from 'node:stream';
import { formatCRILogLine } from '../../src/agent/logs/crilog.ts';
import {
  RuntimeError,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type PodSandboxStatus,
  type Runtime,
  type SandboxFilter,
  type StreamOptions,
} from '../../src/engine/runtime.ts';

interface HostContainer {
  status: ContainerStatus;
  proc?: ChildProcess;
  /** Attached clients' outputs. */
  attached: Set<{ stdout?: Writable; stderr?: Writable; tty?: boolean }>;
  exited: Promise<void>;
}

let seq = 0;
const notImplemented = (m: string) => () => Promise.reject(new RuntimeError('Internal', `${m} is not implemented by the host test runtime`));

export class HostRuntime implements Runtime {
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, HostContainer>();
  /** Commands exec'd, for assertions. */
  readonly execs: string[][] = [];
  /** Terminal sizes tty sessions were given. */
  readonly resizes: { width: number; height: number }[] = [];

  addSandbox(name: string, namespace = 'default'): string {
    const id = `sb-${++seq}`;
    this.sandboxes.set(id, { id, metadata: { name, namespace, uid: `uid-${id}`, attempt: 0 }, state: 'ready', createdAt: Date.now(), labels: {}, annotations: {} });
    return id;
  }

  /** Starts `sh -c script` as container `name` of the sandbox, logging to `logPath` in CRI format. */
  startContainer2(sandboxId: string, name: string, script: string, logPath: string, o: { stdin?: boolean; attempt?: number } = {}): string {
    const id = `c-${++seq}`;
    mkdirSync(dirname(logPath), { recursive: true });
    const proc = spawn('sh', ['-c', script], { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const c: HostContainer = {
      status: { id, podSandboxId: sandboxId, metadata: { name, attempt: o.attempt ?? 0 }, state: 'running', createdAt: Date.now(), startedAt: Date.now(), finishedAt: 0, exitCode: 0, image: 'host', imageRef: 'sha256:host', logPath, labels: {}, annotations: {}, pid: proc.pid },
      proc,
      attached: new Set(),
      exited: Promise.resolve(),
    };
    const log = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      proc[stream]!.on('data', (d: Buffer) => {
        for (const a of c.attached) (stream === 'stderr' && !a.tty ? a.stderr : a.stdout)?.write(d);
        const text = partial + d.toString();
        const lines = text.split('\n');
        partial = lines.pop()!;
        for (const l of lines) appendFileSync(logPath, formatCRILogLine(new Date(), stream, true, l));
      });
    };
    log('stdout');
    log('stderr');
    c.exited = new Promise((resolve) =>
      proc.once('close', (code, signal) => {
        Object.assign(c.status, { state: 'exited', finishedAt: Date.now(), exitCode: code ?? (signal ? 137 : 1), pid: undefined });
        resolve();
      }),
    );
    this.containers.set(id, c);
    return id;
  }

  /** A container that has exited, known only by its log (a previous attempt). */
  addExited(sandboxId: string, name: string, logPath: string, attempt: number): string {
    const id = `c-${++seq}`;
    this.containers.set(id, {
      status: { id, podSandboxId: sandboxId, metadata: { name, attempt }, state: 'exited', createdAt: Date.now(), startedAt: Date.now(), finishedAt: Date.now(), exitCode: 1, image: 'host', imageRef: 'sha256:host', logPath, labels: {}, annotations: {} },
      attached: new Set(),
      exited: Promise.resolve(),
    });
    return id;
  }

  private must(id: string): HostContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${id} not found`);
    return c;
  }

  async version() {
    return { runtimeName: 'host-test', runtimeVersion: '0', runtimeApiVersion: 'v1' };
  }

  runPodSandbox = notImplemented('runPodSandbox') as Runtime['runPodSandbox'];
  stopPodSandbox = notImplemented('stopPodSandbox') as Runtime['stopPodSandbox'];
  removePodSandbox = notImplemented('removePodSandbox') as Runtime['removePodSandbox'];
  createContainer = notImplemented('createContainer') as Runtime['createContainer'];
  startContainer = notImplemented('startContainer') as Runtime['startContainer'];
  removeContainer = notImplemented('removeContainer') as Runtime['removeContainer'];
  pullImage = notImplemented('pullImage') as Runtime['pullImage'];
  listImages = notImplemented('listImages') as Runtime['listImages'];
  removeImage = notImplemented('removeImage') as Runtime['removeImage'];
  async imageStatus() {
    return null;
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError('NotFound', `sandbox ${id} not found`);
    return s;
  }

  async listPodSandboxes(f: SandboxFilter = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].filter((s) => (!f.id || s.id === f.id) && (!f.state || s.state === f.state));
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.must(id);
    c.proc?.kill('SIGKILL');
    await c.exited;
  }

  async listContainers(f: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()].map((c) => c.status).filter((s) => (!f.id || s.id === f.id) && (!f.podSandboxId || s.podSandboxId === f.podSandboxId) && (!f.state || s.state === f.state));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return { ...this.must(id).status };
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    const c = this.must(id);
    if (c.status.state !== 'running') throw new RuntimeError('NotFound', `container ${id} is not running`);
    this.execs.push(opts.cmd);
    if (opts.resize) void (async () => {
      for await (const size of opts.resize!) this.resizes.push(size);
    })();
    // A tty session gets a real pty from script(1); its exit code is the command's (-e).
    const quoted = opts.cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = opts.tty ? spawn('script', ['-qfec', quoted, '/dev/null'], { stdio: 'pipe' }) : spawn(opts.cmd[0]!, opts.cmd.slice(1), { stdio: 'pipe' });
    const started = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new RuntimeError('Internal', `exec failed: unable to start container process: exec: "${opts.cmd[0]}": ${e.message}`)));
    });
    await started;
    if (opts.stdin) opts.stdin.pipe(child.stdin);
    else child.stdin.end();
    const outDone = pipeTo(child.stdout, opts.stdout);
    const errDone = pipeTo(child.stderr, opts.tty ? opts.stdout : opts.stderr);
    const code = await new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 137 : 1))));
    opts.stdin?.unpipe(child.stdin);
    await Promise.all([outDone, errDone]);
    return { exitCode: code };
  }

  async attach(id: string, opts: StreamOptions): Promise<void> {
    const c = this.must(id);
    if (c.status.state !== 'running') return;
    const a = { stdout: opts.stdout, stderr: opts.stderr, tty: opts.tty };
    c.attached.add(a);
    if (opts.stdin && c.proc?.stdin) opts.stdin.on('data', (d: Buffer) => c.proc!.stdin!.write(d));
    const detached = new Promise<void>((r) => opts.stdin?.once('end', r));
    await Promise.race([c.exited, opts.stdin ? detached : new Promise(() => undefined)]);
    c.attached.delete(a);
  }

  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    if (!this.sandboxes.has(podSandboxId)) throw new RuntimeError('NotFound', `pod sandbox ${podSandboxId} not found`);
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', (e) => reject(new RuntimeError('Internal', `dial tcp 127.0.0.1:${port}: ${e.message}`)));
    });
    await new Promise<void>((resolve) => {
      stream.pipe(sock);
      sock.pipe(stream);
      sock.once('close', () => resolve());
      stream.once('close', () => {
        sock.destroy();
        resolve();
      });
    });
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const c = this.must(id);
    return { id, timestamp: Date.now(), cpuUsageCoreNanoSeconds: (Date.now() - c.status.startedAt) * 1000, memoryUsageBytes: 4 << 20, memoryWorkingSetBytes: 3 << 20 };
  }

  async listContainerStats(f: ContainerFilter = {}): Promise<ContainerStats[]> {
    return Promise.all((await this.listContainers(f)).map((s) => this.containerStats(s.id)));
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) c.proc?.kill('SIGKILL');
    await Promise.all([...this.containers.values()].map((c) => c.exited));
  }
}

/** Copies a child's output to the session without ending the session's stream; resolves at the child's EOF. */
function pipeTo(from: NodeJS.ReadableStream, to: Writable | undefined): Promise<void> {
  return new Promise((resolve) => {
    const sink = to ?? new PassThrough().resume();
    from.on('data', (d: Buffer) => {
      if (!sink.write(d)) {
        from.pause();
        sink.once('drain', () => from.resume());
      }
    });
    from.once('end', () => resolve());
    from.once('error', () => resolve());
  });
}
