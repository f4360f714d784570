// A Writable that keeps what is written to it, for tests reading a
// container's output (exec, attach, logs) back as text.

import { Writable } from 'node:stream';

export class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(c));
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
