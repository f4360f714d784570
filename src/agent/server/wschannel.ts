// Kubernetes' channel protocol over WebSocket (remotecommand): every message
// starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error/status,
// 4 resize — followed by the data. The base64 variants send text messages
// whose first character is the channel digit. v5 adds a close signal: a
// message [255, channel] means that channel's writer is done (stdin EOF).
// v4 and v5 carry a metav1.Status JSON on channel 3; older versions carry the
// error text only.

import { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { TerminalSize } from '../../engine/runtime.ts';
import { AsyncQueue } from './asyncqueue.ts';
import type { ExecStatus, ExecStreams } from './exec.ts';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE_SIGNAL = 255;

export interface ChannelProtocol {
  name: string;
  /** 1 (channel.k8s.io), 4 or 5. */
  version: 1 | 4 | 5;
  base64: boolean;
}

/** The remotecommand subprotocols this server speaks, preferred first. */
export const CHANNEL_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', version: 5, base64: false },
  { name: 'v4.channel.k8s.io', version: 4, base64: false },
  { name: 'v4.base64.channel.k8s.io', version: 4, base64: true },
  { name: 'channel.k8s.io', version: 1, base64: false },
  { name: 'base64.channel.k8s.io', version: 1, base64: true },
];

/** Picks the first protocol the client offers that this server speaks; a client offering none gets channel.k8s.io, as in Kubernetes. */
export function negotiateChannelProtocol(offered: Iterable<string>): ChannelProtocol | undefined {
  const list = [...offered];
  if (list.length === 0) return CHANNEL_PROTOCOLS.find((p) => p.name === 'channel.k8s.io');
  for (const name of list) {
    const p = CHANNEL_PROTOCOLS.find((c) => c.name === name);
    if (p) return p;
  }
  return undefined;
}

/** One message on a channel. */
export function encodeFrame(p: ChannelProtocol, channel: number, data: Uint8Array): Buffer | string {
  if (p.base64) return String.fromCharCode(0x30 + channel) + Buffer.from(data).toString('base64');
  const b = Buffer.allocUnsafe(data.length + 1);
  b[0] = channel;
  b.set(data, 1);
  return b;
}

export type Frame = { channel: number; data: Buffer } | { close: number };

/** Decodes a message; undefined for an empty one (ignored, as Kubernetes does). */
export function decodeFrame(p: ChannelProtocol, msg: Buffer, isBinary: boolean): Frame | undefined {
  if (msg.length === 0) return undefined;
  if (p.base64) {
    const s = isBinary ? msg.toString('latin1') : msg.toString('utf8');
    return { channel: s.charCodeAt(0) - 0x30, data: Buffer.from(s.slice(1), 'base64') };
  }
  if (p.version === 5 && msg[0] === CLOSE_SIGNAL) return { close: msg[1] ?? -1 };
  return { channel: msg[0]!, data: msg.subarray(1) };
}

/** The streams of one exec or attach session over a WebSocket. */
export class WebSocketChannels implements ExecStreams {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  readonly resize?: AsyncQueue<TerminalSize>;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly proto: ChannelProtocol,
    want: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean },
  ) {
    if (want.stdin) this.stdin = new Readable({ read: () => ws.isPaused && ws.resume() });
    if (want.stdout) this.stdout = this.writer(STDOUT);
    if (want.stderr && !want.tty) this.stderr = this.writer(STDERR);
    if (want.tty) this.resize = new AsyncQueue();
    ws.on('message', (msg: Buffer, isBinary: boolean) => this.onMessage(msg, isBinary));
    ws.on('close', () => {
      this.closed = true;
      this.stdin?.push(null);
      this.resize?.end();
    });
    ws.on('error', () => ws.terminate());
    // Tell the client the session is up: an empty message on the lowest channel it reads, as the kubelet does.
    const first = want.stdout ? STDOUT : want.stderr && !want.tty ? STDERR : ERROR;
    this.send(first, new Uint8Array(0));
  }

  private onMessage(msg: Buffer, isBinary: boolean): void {
    const f = decodeFrame(this.proto, msg, isBinary);
    if (!f) return;
    if ('close' in f) {
      if (f.close === STDIN) this.stdin?.push(null);
      return;
    }
    if (f.channel === STDIN) {
      if (this.stdin && !this.stdin.readableEnded && f.data.length && !this.stdin.push(Buffer.from(f.data))) this.ws.pause();
    } else if (f.channel === RESIZE && this.resize) {
      try {
        const size = JSON.parse(f.data.toString()) as { Width?: number; Height?: number };
        if (Number.isInteger(size.Width) && Number.isInteger(size.Height)) this.resize.push({ width: size.Width!, height: size.Height! });
      } catch {
        // A malformed resize is dropped; the session goes on.
      }
    }
  }

  private send(channel: number, data: Uint8Array, cb?: (err?: Error) => void): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return cb?.();
    this.ws.send(encodeFrame(this.proto, channel, data), { binary: !this.proto.base64 }, cb);
  }

  private writer(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => this.send(channel, chunk, () => cb()),
    });
  }

  async writeStatus(s: ExecStatus): Promise<void> {
    // Version 1 carries only the text of a failure.
    const body = this.proto.version >= 4 ? JSON.stringify(s) : s.status === 'Success' ? '' : (s.message ?? '');
    if (!body) return;
    await new Promise<void>((resolve) => this.send(ERROR, Buffer.from(body), () => resolve()));
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    this.resize?.end();
  }
}
