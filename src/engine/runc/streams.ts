// exec, attach and port-forward: the streaming calls, each a helper process
// whose stdio the engine pipes to the caller's streams.
//
// - exec without a TTY: `runc exec` hands its own stdio pipes to the process.
// - exec with a TTY: runc wants a console socket that receives the pty master
//   by SCM_RIGHTS, which Node cannot receive; conmon can. So a TTY exec is a
//   conmon exec session (`conmon -e --exec-attach -t`, podman's protocol):
//   conmon says on the attach pipe when its attach socket is up, we connect,
//   then tell it on the start pipe to run `runc exec`; resizes go to the
//   session's ctl FIFO; the exit code lands in the session's exit dir.
// - attach: conmon's attach socket is SOCK_SEQPACKET, which Node's net module
//   cannot open either; a few lines of core Perl (perl-base is Essential)
//   relay it, framing each packet (stream byte + length) on stdout.
// - port-forward: `nsenter --net=NETNS busybox nc 127.0.0.1 PORT` relays the
//   stream to the sandbox's loopback; busybox-static is a node dependency.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { ExecOptions, ExecResult, StreamOptions, TerminalSize } from '../runtime.ts';

export const BUSYBOX = '/usr/bin/busybox';

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function pipeIn(src: Readable | undefined, dst: Writable | null): void {
  if (!dst) return;
  if (!src) {
    dst.end();
    return;
  }
  src.on('error', () => dst.destroy());
  dst.on('error', () => undefined); // the process exited before reading everything
  src.pipe(dst);
}

function pipeOut(src: Readable | null, dst: Writable | undefined): Promise<void> {
  if (!src) return Promise.resolve();
  return new Promise((resolve) => {
    src.on('data', (d: Buffer) => dst?.write(d));
    src.on('end', resolve);
    src.on('error', () => resolve());
    src.on('close', resolve);
  });
}

async function resizeLoop(resize: AsyncIterable<TerminalSize> | undefined, apply: (s: TerminalSize) => Promise<void>, stopped: () => boolean): Promise<void> {
  if (!resize) return;
  try {
    for await (const size of resize) {
      if (stopped()) return;
      await apply(size).catch(() => undefined);
    }
  } catch {
    // the caller's resize stream failed: the session goes on at the last size
  }
}

export interface ExecTarget {
  runc: string;
  runcRoot: string;
  id: string;
  /** A directory of the container where exec may keep scratch files. */
  workDir: string;
}

export async function execInContainer(t: ExecTarget, opts: ExecOptions): Promise<ExecResult> {
  const scratch = await mkdtemp(join(t.workDir, 'exec-'));
  const pidFile = join(scratch, 'pid');
  try {
    const child = spawn(t.runc, ['--root', t.runcRoot, 'exec', '--pid-file', pidFile, t.id, ...opts.cmd], { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    pipeIn(opts.stdin, child.stdin);
    const out = pipeOut(child.stdout, opts.stdout);
    const err = pipeOut(child.stderr, opts.stderr);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          void killPidFile(pidFile).then(() => child.kill('SIGKILL'));
        }, opts.timeoutMs)
      : undefined;
    const { code, signal } = await exited;
    if (timer) clearTimeout(timer);
    await Promise.all([out, err]);
    return { exitCode: code ?? (signal ? 137 : 1), ...(timedOut ? { timedOut: true } : {}) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function killPidFile(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface TtyExecTarget extends ExecTarget {
  conmon: string;
  socketDir: string;
  /** The container's process spec (from its config.json), the template of the exec'd process. */
  process: Record<string, unknown>;
}

/** Reads one `{"data": N, "message": "..."}` from a conmon pipe. */
function readConmonMessage(pipe: Readable): Promise<{ data: number; message?: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      const end = text.indexOf('}');
      if (end < 0) return;
      pipe.off('data', onData);
      pipe.pause();
      try {
        resolve(JSON.parse(text.slice(0, end + 1)) as { data: number; message?: string });
      } catch (e) {
        reject(e as Error);
      }
    };
    pipe.on('data', onData);
    pipe.resume(); // a pipe paused by the previous message stays paused otherwise
    pipe.once('close', () => reject(new Error(`conmon closed its pipe: ${JSON.stringify(text)}`)));
  });
}

export async function execTtyInContainer(t: TtyExecTarget, opts: ExecOptions): Promise<ExecResult> {
  const execId = randomBytes(8).toString('hex');
  const session = await mkdtemp(join(t.workDir, 'exec-'));
  try {
    await writeFile(join(session, 'process.json'), JSON.stringify({ ...t.process, args: opts.cmd, terminal: true, consoleSize: { height: 24, width: 80 } }));
    const errFd = openSync(join(session, 'conmon.log'), 'a');
    const args = ['--api-version', '1', '-c', t.id, '-u', execId, '-r', t.runc, '--runtime-arg', '--root', '--runtime-arg', t.runcRoot, '-b', session, '-p', join(session, 'pid'), '-l', `k8s-file:${join(session, 'log')}`, '--exit-dir', session, '--socket-dir-path', t.socketDir, '-e', '--exec-process-spec', join(session, 'process.json'), '--exec-attach', '-t', '--log-level', 'error'];
    if (opts.stdin) args.push('-i');
    const child = spawn(t.conmon, args, { stdio: ['ignore', 'ignore', errFd, 'pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_ATTACHPIPE: '4', _OCI_STARTPIPE: '5' } });
    closeSync(errFd);
    child.on('error', () => undefined);
    const stdio = child.stdio as unknown as (Readable & Writable)[];
    const [sync, attachPipe, startPipe] = [stdio[3]!, stdio[4]!, stdio[5]!];
    try {
      // conmon reads the start pipe twice: once before it sets up (podman moves it to a cgroup first), once before `runc exec`
      startPipe.write('{"data":0}\n');
      const ready = await readConmonMessage(attachPipe);
      if (ready.data < 0) throw new Error(ready.message ?? 'conmon could not set up the exec session');
      const relay = openRelay(join(t.socketDir, execId, 'attach'), opts.stdin, (_kind, data) => opts.stdout?.write(data));
      await relay.ready;
      startPipe.write('{"data":0}\n');
      let done = false;
      void resizeLoop(opts.resize, (s) => writeFile(join(session, 'ctl'), `1 ${s.height} ${s.width}\n`), () => done);
      const started = await readConmonMessage(sync).catch(() => ({ data: -1, message: 'conmon exited' }));
      let timedOut = false;
      const timer =
        opts.timeoutMs && started.data > 0
          ? setTimeout(() => {
              timedOut = true;
              try {
                process.kill(started.data, 'SIGKILL');
              } catch {
                // gone
              }
            }, opts.timeoutMs)
          : undefined;
      if (started.data <= 0) {
        relay.close();
        opts.stdout?.write(`${runcMessageText(started.message ?? '')}\r\n`);
        return { exitCode: 126 };
      }
      await relay.closed;
      done = true;
      if (timer) clearTimeout(timer);
      // conmon reports the exec'd process' exit on the attach pipe (and, by version, the sync pipe)
      // ... and always in the exit dir: a file named after the exec session, which a message lost to a
      // closing pipe cannot take away.
      const exitFile = join(session, execId);
      const fromFile = (async () => {
        for (let i = 0; i < 500; i++) {
          const text = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
          if (text !== '' && Number.isFinite(Number(text))) return { data: Number(text) };
          await new Promise((r) => setTimeout(r, 20));
        }
        return undefined;
      })();
      const fromPipe = (p: Readable) => readConmonMessage(p).catch(() => new Promise<never>(() => {}));
      const exit = await Promise.race([fromPipe(attachPipe), fromPipe(sync), fromFile]);
      const code = exit?.data;
      return { exitCode: code !== undefined && Number.isFinite(code) && code >= 0 ? code : 255, ...(timedOut ? { timedOut: true } : {}) };
    } finally {
      sync.destroy();
      attachPipe.destroy();
      startPipe.destroy();
      child.unref();
    }
  } finally {
    await rm(join(t.socketDir, execId), { force: true });
    await rm(session, { recursive: true, force: true });
  }
}

function runcMessageText(s: string): string {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(s);
  return m ? m[1]!.replace(/\\"/g, '"') : s.trim();
}


const ATTACH_RELAY = `
use strict; use warnings; use IO::Socket::UNIX; use IO::Select; use Socket;
my $s = IO::Socket::UNIX->new(Type => SOCK_SEQPACKET, Peer => $ARGV[0]) or die "attach socket $ARGV[0]: $!\\n";
binmode STDIN; binmode STDOUT;
syswrite(STDOUT, pack('CN', 0, 0));
my $sel = IO::Select->new($s, \\*STDIN);
sub out { my $d = shift; while (length $d) { my $n = syswrite(STDOUT, $d); exit 0 unless defined $n; substr($d, 0, $n) = ''; } }
while (1) {
  for my $fh ($sel->can_read) {
    my $buf;
    if ($fh == $s) {
      my $n = sysread($s, $buf, 65536);
      exit 0 unless $n;
      out(pack('CN', ord(substr($buf, 0, 1)), length($buf) - 1) . substr($buf, 1));
    } else {
      my $n = sysread(STDIN, $buf, 32768);
      if (!$n) { $sel->remove(\\*STDIN); next; }
      while (length $buf) { my $w = syswrite($s, $buf); exit 0 unless defined $w; substr($buf, 0, $w) = ''; }
    }
  }
}
`;

interface Relay {
  /** Resolves once connected to the socket. */
  ready: Promise<void>;
  /** Resolves when the socket closes (the process ended) or the relay was closed. */
  closed: Promise<void>;
  close(): void;
}

/** Connects to a conmon attach socket through the Perl relay; frames of kind 2 (stdout) and 3 (stderr) go to onData. */
function openRelay(socket: string, stdin: Readable | undefined, onData: (kind: number, data: Buffer) => void): Relay {
  const child = spawn('perl', ['-e', ATTACH_RELAY, socket], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let markReady: () => void = () => undefined;
  let failReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
  ready.catch(() => undefined);
  let buf = Buffer.alloc(0);
  child.stdout.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const kind = buf[0]!;
      const data = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      if (kind === 0) markReady();
      else onData(kind, data);
    }
  });
  child.stdin.on('error', () => undefined);
  if (stdin) {
    stdin.on('error', () => undefined);
    stdin.pipe(child.stdin);
  } else child.stdin.end();
  let closedByUs = false;
  const closed = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      failReady(new Error(`attach: ${stderr.trim() || `relay exited ${code ?? signal}`}`));
      if (code === 0 || closedByUs) resolve();
      else reject(new Error(`attach: ${stderr.trim() || `relay exited ${code ?? signal}`}`));
    });
  });
  return {
    ready,
    closed,
    close() {
      closedByUs = true;
      child.kill('SIGTERM');
    },
  };
}

export interface AttachTarget {
  socket: string;
  /** conmon's control FIFO in the bundle (resize: `1 ROWS COLS`). */
  ctl: string;
  stdin: boolean;
  tty: boolean;
}

/** Streams the container's output (from now on) to opts, and opts.stdin to it when it has stdin; resolves when it exits or the caller ends stdin (a detach). */
export async function attachContainer(t: AttachTarget, opts: StreamOptions): Promise<void> {
  const stdin = t.stdin ? opts.stdin : undefined;
  const relay = openRelay(t.socket, stdin, (kind, data) => (kind === 3 && !t.tty ? opts.stderr : opts.stdout)?.write(data));
  // the caller closing stdin is a detach: the relay goes, the container stays
  stdin?.on('end', () => setImmediate(() => relay.close()));
  let done = false;
  if (t.tty) void resizeLoop(opts.resize, (s) => writeFile(t.ctl, `1 ${s.height} ${s.width}\n`), () => done);
  try {
    await relay.closed;
  } finally {
    done = true;
  }
}

/** Connects `stream` to 127.0.0.1:port inside network namespace `netns` (the host's when absent); resolves when either side ends. */
export function portForwardInNetns(netns: string | undefined, port: number, stream: Duplex): Promise<void> {
  if (!netns) {
    return new Promise((resolve) => {
      const sock = connect(port, '127.0.0.1');
      stream.pipe(sock).on('error', () => undefined);
      sock.pipe(stream).on('error', () => undefined);
      const end = () => {
        sock.destroy();
        resolve();
      };
      sock.on('close', end);
      sock.on('error', end);
      stream.on('close', end);
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netns}`, BUSYBOX, 'nc', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    stream.pipe(child.stdin).on('error', () => undefined);
    child.stdout.pipe(stream, { end: true });
    stream.on('close', () => child.kill('SIGTERM'));
    stream.on('error', () => child.kill('SIGTERM'));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 || signal === 'SIGTERM') resolve();
      else {
        const err = new Error(`port-forward to port ${port}: ${stderr.trim() || `exit ${code}`}`);
        stream.destroy(err);
        reject(err);
      }
    });
  });
}
