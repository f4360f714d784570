// A watch as an async iterable: one HTTP response, one JSON event per line,
// split across chunks however the network cut them. close() (or a `break` out
// of for-await) ends the request; iteration then simply stops.

import type { ClientRequest, IncomingMessage } from 'node:http';
import { errorFromResponse } from './errors.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = unknown> {
  type: WatchEventType;
  /** The object; for ERROR, a Status. */
  object: T;
}

/** What an informer needs of a watch: events, and a way to end it early. */
export interface Watch<T> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

/** Splits a byte stream into lines; keeps the unfinished tail (and partial UTF-8) for the next chunk. */
export class LineSplitter {
  private tail = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    const text = this.tail + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.tail = lines.pop()!;
    return lines.filter((l) => l.trim() !== '');
  }

  /** The last line when the stream ends without a newline. */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest.trim() ? [rest] : [];
  }
}

export class WatchStream<T> implements Watch<T> {
  private closed = false;
  private iterated = false;
  private readonly response: Promise<IncomingMessage>;

  /** `start` sends the request; the stream owns it from then on. */
  constructor(
    private readonly req: ClientRequest,
    private readonly what: string,
  ) {
    this.response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    // Until someone iterates, a failed request must not be an unhandled rejection.
    this.response.catch(() => {});
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.req.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>> {
    if (this.iterated) throw new Error(`${this.what}: a watch can be iterated only once`);
    this.iterated = true;
    try {
      let res: IncomingMessage;
      try {
        res = await this.response;
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        throw errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString(), this.what);
      }
      const lines = new LineSplitter();
      try {
        for await (const chunk of res) {
          for (const line of lines.push(chunk as Buffer)) yield this.parse(line);
        }
      } catch (e) {
        // Closing destroys the socket under the reader: that is a normal end.
        if (this.closed) return;
        throw e;
      }
      if (this.closed) return;
      // A response cut off mid-stream (server died) is an error, not a clean end.
      if (!res.complete) throw new Error(`${this.what}: the watch connection was cut off`);
      for (const line of lines.end()) yield this.parse(line);
    } finally {
      this.close();
    }
  }

  private parse(line: string): WatchEvent<T> {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new Error(`${this.what}: malformed watch event: ${line.slice(0, 200)}`);
    }
    if (typeof ev !== 'object' || ev === null || typeof (ev as WatchEvent).type !== 'string') {
      throw new Error(`${this.what}: malformed watch event: ${line.slice(0, 200)}`);
    }
    return ev as WatchEvent<T>;
  }
}
