// Reads a container's CRI log file as `kubectl logs` shows it: messages
// (partial pieces joined), optionally from the last N messages (tailLines) or
// from a time on (sinceTime/sinceSeconds), prefixed with their timestamps,
// cut at limitBytes, and followed as the container writes more. Following is
// by path: a rotated file (renamed away, a new one created) is drained and
// the new one opened; a truncated one is read again from its start. fs.watch
// wakes the reader early; a size poll catches what the watch misses (network
// filesystems, renames).

import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseCRILogLine, type CRILogLine } from './crilog.ts';
import { findTailStart } from './tail.ts';

export interface ReadLogsOptions {
  follow?: boolean;
  /** Only the last N messages (0: none of the existing ones). */
  tailLines?: number;
  /** Only messages written at or after this time (nanoseconds since the epoch). */
  sinceNs?: bigint;
  /** Prefix each message with its RFC3339Nano time and a space. */
  timestamps?: boolean;
  /** Stop after writing this many bytes. */
  limitBytes?: number;
  /** While following at the end of the file: once this says false and nothing more was written, the stream ends. */
  isRunning?: () => boolean | Promise<boolean>;
  signal?: AbortSignal;
  /** How often a follower checks the file when no watch event came (default 250 ms). */
  pollIntervalMs?: number;
  /** How often a follower asks isRunning while idle (default 1000 ms). */
  runningCheckMs?: number;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Writes the log at `path` to `out` as options say; resolves when done (not following, limit reached, container gone, aborted, or `out` closed). */
export async function readContainerLogs(path: string, out: Writable, opts: ReadLogsOptions = {}): Promise<void> {
  const sink = new Sink(out, opts);
  let file = await LogFile.open(path);
  try {
    if (opts.tailLines !== undefined) file.offset = await findTailStart(file.fh, file.size, opts.tailLines);
    let lastRunningCheck = Date.now();
    for (;;) {
      if (sink.done || opts.signal?.aborted) return;
      if (await file.readLines((l) => sink.line(l))) continue;
      // At the end of what is written.
      if (!opts.follow) {
        await sink.flushIncomplete();
        return;
      }
      await file.waitForChange(opts.pollIntervalMs ?? 250, opts.signal);
      if (opts.signal?.aborted || sink.done) return;
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== file.ino) {
        // Rotated: finish the old file (a last write may have landed after our read), then move on.
        while (await file.readLines((l) => sink.line(l)));
        await file.close();
        file = await LogFile.open(path);
        continue;
      }
      if (now && now.size < file.offset) {
        file.offset = 0; // truncated in place (copytruncate)
        file.pending = Buffer.alloc(0);
        continue;
      }
      if (now && now.size > file.offset) continue;
      if (opts.isRunning && Date.now() - lastRunningCheck >= (opts.runningCheckMs ?? 1000)) {
        lastRunningCheck = Date.now();
        if (!(await opts.isRunning())) {
          // The container is gone: whatever it wrote last is in the file now.
          while (await file.readLines((l) => sink.line(l)));
          await sink.flushIncomplete();
          return;
        }
      }
    }
  } finally {
    await file.close();
  }
}

/** One opened generation of the log file. */
class LogFile {
  offset = 0;
  pending: Buffer = Buffer.alloc(0);
  private watcher?: FSWatcher;
  private wake?: () => void;

  private constructor(
    readonly fh: FileHandle,
    readonly ino: number,
    readonly size: number,
    path: string,
  ) {
    try {
      this.watcher = watch(path, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch (file gone already, or watches exhausted): the poll still works.
    }
  }

  static async open(path: string): Promise<LogFile> {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    return new LogFile(fh, st.ino, st.size, path);
  }

  /** Reads one chunk and hands every complete line to `onLine`; false at the end of the file. */
  async readLines(onLine: (line: Buffer) => Promise<void>): Promise<boolean> {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await this.fh.read(buf, 0, CHUNK, this.offset);
    if (bytesRead === 0) return false;
    this.offset += bytesRead;
    let data = buf.subarray(0, bytesRead);
    if (this.pending.length) data = Buffer.concat([this.pending, data]);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      await onLine(data.subarray(start, nl));
      start = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
    return true;
  }

  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.wake?.();
    await this.fh.close().catch(() => undefined);
  }
}

/** Turns CRI lines into the bytes the client sees: joins pieces, filters by time, prefixes, limits. */
class Sink {
  done = false;
  private pieces: CRILogLine[] = [];
  private remaining: number;

  constructor(
    private readonly out: Writable,
    private readonly opts: ReadLogsOptions,
  ) {
    this.remaining = opts.limitBytes ?? Infinity;
    out.once('close', () => (this.done = true));
  }

  async line(raw: Buffer): Promise<void> {
    if (this.done) return;
    const l = parseCRILogLine(raw);
    if (!l) return; // not CRI format: skipped, as the kubelet does
    this.pieces.push(l);
    if (l.full) await this.emit(true);
  }

  /** A message whose last piece has not been written yet, at the end of a non-following read. */
  async flushIncomplete(): Promise<void> {
    if (this.pieces.length) await this.emit(false);
  }

  private async emit(complete: boolean): Promise<void> {
    const pieces = this.pieces;
    this.pieces = [];
    const first = pieces[0]!;
    if (this.opts.sinceNs !== undefined && first.timeNs < this.opts.sinceNs) return;
    const parts = pieces.map((p) => p.content);
    if (this.opts.timestamps) parts.unshift(Buffer.from(first.time + ' '));
    if (complete) parts.push(Buffer.from('\n'));
    await this.write(Buffer.concat(parts));
  }

  private async write(b: Buffer): Promise<void> {
    if (this.done) return;
    if (b.length >= this.remaining) {
      b = b.subarray(0, this.remaining);
      this.done = true;
    }
    this.remaining -= b.length;
    if (b.length === 0) return;
    if (this.out.destroyed || this.out.writableEnded) {
      this.done = true;
      return;
    }
    if (!this.out.write(b)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          this.out.off('drain', go);
          this.out.off('close', go);
          resolve();
        };
        this.out.on('drain', go);
        this.out.on('close', go);
      });
    }
  }
}
