// exec and attach over SPDY (what kubectl falls back to when the WebSocket
// upgrade fails, and what kubectl 1.29 and older use first): the client opens
// one stream per purpose, named by its `streamtype` header — error, stdin,
// stdout, stderr, resize. The session starts once every expected stream is
// there. v4 carries a metav1.Status JSON on the error stream; v2/v3 and v1
// carry the error text only; resize (v3+) is a sequence of JSON objects.

import type { Duplex } from 'node:stream';
import type { TerminalSize } from '../../engine/runtime.ts';
import { AsyncQueue } from './asyncqueue.ts';
import type { ExecStatus, ExecStreams } from './exec.ts';
import { closeSPDY, header, serveSPDY, type SpdyStream } from './spdy.ts';

/** The SPDY remotecommand protocol versions this server speaks, preferred first. */
export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

const STREAM_WAIT_MS = 30_000;

/** The first of the client's offered versions this server speaks. */
export function negotiateSPDYExec(offered: string[]): string | undefined {
  return offered.find((p) => SPDY_EXEC_PROTOCOLS.includes(p));
}

/** Accepts the client's streams on `socket` and hands them to `run` as an exec session. */
export function serveSPDYExec(
  socket: Duplex,
  protocol: string,
  want: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean },
  run: (s: ExecStreams) => Promise<void>,
): void {
  const streams = new Map<string, SpdyStream>();
  const version = protocol === 'channel.k8s.io' ? 1 : Number(protocol[1]);
  const needed = ['error'];
  if (want.stdin) needed.push('stdin');
  if (want.stdout) needed.push('stdout');
  if (want.stderr && !want.tty) needed.push('stderr');
  if (want.tty && version >= 3) needed.push('resize');
  let started = false;
  const timer = setTimeout(() => {
    if (!started) closeSPDY(conn, socket);
  }, STREAM_WAIT_MS);
  const conn = serveSPDY(socket, (s) => {
    const type = header(s, 'streamtype') ?? '';
    streams.set(type, s);
    if (started || !needed.every((t) => streams.has(t))) return;
    started = true;
    clearTimeout(timer);
    void run(sessionStreams(streams, version, () => closeSPDY(conn, socket)));
  });
  socket.once('close', () => clearTimeout(timer));
}

function sessionStreams(streams: Map<string, SpdyStream>, version: number, close: () => void): ExecStreams {
  const error = streams.get('error')!;
  const resizeStream = streams.get('resize');
  let resize: AsyncQueue<TerminalSize> | undefined;
  if (resizeStream) {
    resize = new AsyncQueue();
    const q = resize;
    let buf = '';
    resizeStream.on('data', (c: Buffer) => {
      buf += c.toString();
      // The client writes one JSON object per resize, back to back.
      for (;;) {
        const end = buf.indexOf('}');
        if (end < 0) break;
        const one = buf.slice(0, end + 1);
        buf = buf.slice(end + 1);
        try {
          const s = JSON.parse(one.slice(one.indexOf('{'))) as { Width?: number; Height?: number };
          if (Number.isInteger(s.Width) && Number.isInteger(s.Height)) q.push({ width: s.Width!, height: s.Height! });
        } catch {
          // dropped
        }
      }
    });
    resizeStream.on('end', () => q.end());
    resizeStream.on('close', () => q.end());
  }
  return {
    stdin: streams.get('stdin'),
    stdout: streams.get('stdout'),
    stderr: streams.get('stderr'),
    resize,
    writeStatus: (s: ExecStatus) =>
      new Promise<void>((resolve) => {
        const body = version >= 4 ? JSON.stringify(s) : s.status === 'Success' ? '' : (s.message ?? '');
        error.end(body, () => resolve());
      }),
    close: () => {
      resize?.end();
      for (const s of streams.values()) if (!s.writableEnded) s.end();
      close();
    },
  };
}
