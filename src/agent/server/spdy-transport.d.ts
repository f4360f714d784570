// The part of `spdy-transport` (untyped CommonJS) that the agent uses.
declare module 'spdy-transport' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';

  export interface SpdyStream extends Duplex {
    id: number;
    headers: Record<string, string>;
    respond(status: number, headers: Record<string, string>, callback?: (err?: Error) => void): void;
    abort(code?: string, callback?: () => void): void;
  }

  export interface SpdyConnection extends EventEmitter {
    start(version: number): void;
    end(callback?: () => void): void;
    destroyStreams(err?: Error): void;
    _setDefaultWindow: (settings: unknown) => void;
    _spdyState: { streamWindow: { send: { max: number; limit: number } }; parser: { onSynHeadFrame: (type: number, flags: number, body: unknown, callback: unknown) => void; parseKVs: (body: unknown, cb: (err: Error | null, headers?: Record<string, string>) => void) => void } };
  }

  const transport: {
    connection: {
      create(socket: Duplex, options: { protocol: 'spdy' | 'http2'; isServer: boolean; autoSpdy31?: boolean; windowSize?: number; maxChunk?: number | false }): SpdyConnection;
    };
  };
  export default transport;
}
