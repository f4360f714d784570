// Port-forward over SPDY (raw, or tunnelled in a WebSocket as
// `SPDY/3.1+portforward.k8s.io`): for every connection kubectl accepts
// locally it opens two streams with the same `requestid` and `port` headers,
// `streamtype` error then data. The data stream is joined to the port on the
// pod's loopback through the runtime; a failure is written as text on the
// error stream.

import type { Duplex } from 'node:stream';
import type { Runtime } from '../../engine/runtime.ts';
import { header, serveSPDY, type SpdyStream } from './spdy.ts';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

const PAIR_WAIT_MS = 30_000;

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

export function servePortForward(socket: Duplex, runtime: Runtime, sandboxId: string, podName: string): void {
  const pairs = new Map<string, Pair>();
  serveSPDY(socket, (s) => {
    const type = header(s, 'streamtype');
    // Clients before requestID paired streams by id: data = error + 2.
    const requestId = header(s, 'requestid') ?? String(type === 'data' ? s.id - 2 : s.id);
    if (type !== 'error' && type !== 'data') {
      s.end();
      return;
    }
    let p = pairs.get(requestId);
    if (!p) {
      p = { timer: setTimeout(() => abandon(requestId), PAIR_WAIT_MS) };
      p.timer.unref();
      pairs.set(requestId, p);
    }
    p[type] = s;
    if (p.error && p.data) {
      clearTimeout(p.timer);
      pairs.delete(requestId);
      void forward(p.error, p.data, header(s, 'port') ?? '');
    }
  });
  socket.once('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
  });

  function abandon(requestId: string): void {
    const p = pairs.get(requestId);
    pairs.delete(requestId);
    p?.error?.end(`timed out waiting for the data stream of request ${requestId}`);
    p?.data?.end();
  }

  async function forward(error: SpdyStream, data: SpdyStream, portHeader: string): Promise<void> {
    const port = Number(portHeader);
    if (!/^\d+$/.test(portHeader) || port < 1 || port > 65535) {
      error.end(`unable to parse "${portHeader}" as a port: must be an integer between 1 and 65535`);
      data.end();
      return;
    }
    try {
      await runtime.portForward(sandboxId, port, data);
      error.end();
    } catch (e) {
      error.end(`error forwarding port ${port} to pod ${podName}: ${(e as Error).message}`);
    }
    if (!data.writableEnded) data.end();
  }
}
