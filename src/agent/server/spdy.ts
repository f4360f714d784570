// SPDY/3.1 server connections for Kubernetes' streaming protocols, on
// `spdy-transport`. Kubernetes' clients (spdystream) open streams whose
// SYN_STREAM carries only their own headers (`streamtype`, `port`,
// `requestid`), no HTTP `:method`/`:path`; spdy-transport, written for
// HTTP over SPDY, refuses those, so each connection's parser fills in
// placeholders before its check. Streams are answered (SYN_REPLY) as they
// arrive: the client waits for that reply before using a stream.
//
// spdystream does no flow control: it never sends WINDOW_UPDATE, so a sender
// that honours the 64 KiB initial window stalls after 64 KiB (a port-forward
// download hangs). The server's send windows are therefore unbounded, as the
// kubelet's (spdystream's own) are.

import type { Duplex } from 'node:stream';
import transport, { type SpdyConnection, type SpdyStream } from 'spdy-transport';

export type { SpdyStream } from 'spdy-transport';

/** Runs a SPDY server session on `socket`; `onStream` gets every stream the client opens, already answered. */
export function serveSPDY(socket: Duplex, onStream: (s: SpdyStream) => void): SpdyConnection {
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true });
  const parser = conn._spdyState.parser;
  const onSynHeadFrame = parser.onSynHeadFrame;
  parser.onSynHeadFrame = function (this: typeof parser, type, flags, body, callback) {
    const parseKVs = this.parseKVs;
    // The override lives only for this synchronous call; parseKVs' callback keeps it.
    this.parseKVs = (b, cb) =>
      parseKVs.call(this, b, (err, headers) => {
        if (headers && type === 0x01) {
          headers[':method'] ??= 'POST';
          headers[':path'] ??= '/';
        }
        cb(err, headers);
      });
    try {
      onSynHeadFrame.call(this, type, flags, body, callback);
    } finally {
      this.parseKVs = parseKVs;
    }
  };
  const sendWindow = conn._spdyState.streamWindow.send;
  sendWindow.max = 2 ** 52;
  sendWindow.limit = Infinity;
  conn._setDefaultWindow = () => undefined;
  conn.start(3);
  conn.on('error', () => socket.destroy());
  socket.on('error', () => conn.destroyStreams());
  conn.on('stream', (s: SpdyStream) => {
    s.on('error', () => undefined);
    s.respond(200, {});
    onStream(s);
  });
  return conn;
}

/** Ends a session: GOAWAY once streams are done, then the socket. */
export function closeSPDY(conn: SpdyConnection, socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), 5000);
  timer.unref();
  conn.end(() => {
    clearTimeout(timer);
    socket.end();
  });
}

/** The value of a SPDY stream header, by lower-case name. */
export function header(s: SpdyStream, name: string): string | undefined {
  const v = s.headers[name];
  return v === undefined ? undefined : String(v);
}
