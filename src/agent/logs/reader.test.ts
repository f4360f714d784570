import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { formatCRILogLine, formatRFC3339Nano, parseCRILogLine, parseRFC3339Nano } from './crilog.ts';
import { readContainerLogs, type ReadLogsOptions } from './reader.ts';
import { findTailStart } from './tail.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string) => {
  const p = join(dir, `${n++}.log`);
  writeFileSync(p, content);
  return p;
};

const T0 = 1_795_000_000_000; // ms
const at = (s: number) => new Date(T0 + s * 1000);
const F = (s: number, text: string, stream: 'stdout' | 'stderr' = 'stdout') => formatCRILogLine(at(s), stream, true, text);
const P = (s: number, text: string) => formatCRILogLine(at(s), 'stdout', false, text);

function collect(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString() };
}

async function read(path: string, opts: ReadLogsOptions = {}): Promise<string> {
  const c = collect();
  await readContainerLogs(path, c.out, opts);
  return c.text();
}

describe('CRI log lines', () => {
  test('parses full and partial lines with nanosecond times', () => {
    const l = parseCRILogLine(Buffer.from('2026-11-22T02:13:15.647716484+00:00 stdout F hello world'))!;
    assert.equal(l.stream, 'stdout');
    assert.equal(l.full, true);
    assert.equal(l.content.toString(), 'hello world');
    assert.equal(l.time, '2026-11-22T02:13:15.647716484Z');
    const p = parseCRILogLine(Buffer.from('2026-11-22T02:13:15.000000000Z stderr P part'))!;
    assert.equal(p.full, false);
    assert.equal(p.stream, 'stderr');
    assert.equal(p.time, '2026-11-22T02:13:15Z');
  });

  test('an empty message and several tags', () => {
    assert.equal(parseCRILogLine(Buffer.from('2026-11-22T02:13:15.5+00:00 stdout F'))!.content.length, 0);
    assert.equal(parseCRILogLine(Buffer.from('2026-11-22T02:13:15.5+00:00 stdout F '))!.content.length, 0);
    assert.equal(parseCRILogLine(Buffer.from('2026-11-22T02:13:15.5+00:00 stdout P:x  two spaces'))!.content.toString(), ' two spaces');
  });

  test('rejects what is not CRI format', () => {
    for (const s of ['', 'hello', 'notatime stdout F x', '2026-11-22T02:13:15Z stdin F x', '2026-11-22T02:13:15Z stdout X x']) {
      assert.equal(parseCRILogLine(Buffer.from(s)), undefined, s);
    }
  });

  test('times in other zones become UTC; the fraction keeps nanoseconds', () => {
    const t = parseRFC3339Nano('2026-11-22T04:13:15.000000100+02:00')!;
    assert.equal(t.text, '2026-11-22T02:13:15.0000001Z');
    assert.equal(formatRFC3339Nano(t.ns + 900n), '2026-11-22T02:13:15.000001Z');
  });
});

describe('reading a log file', () => {
  test('messages without and with timestamps; partial pieces joined', async () => {
    const p = file(F(0, 'one') + P(1, 'tw') + P(1, 'o-') + F(2, 'end') + F(3, 'err', 'stderr') + F(4, ''));
    assert.equal(await read(p), 'one\ntwo-end\nerr\n\n');
    const ts = await read(p, { timestamps: true });
    assert.equal(ts.split('\n')[1], `${formatRFC3339Nano(BigInt(at(1).getTime()) * 1_000_000n)} two-end`);
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ one\n/);
  });

  test('lines that are not CRI format are skipped', async () => {
    assert.equal(await read(file(F(0, 'a') + 'garbage\n\n' + F(1, 'b'))), 'a\nb\n');
  });

  test('a trailing partial message is shown without a newline', async () => {
    assert.equal(await read(file(F(0, 'a') + P(1, 'half'))), 'a\nhalf');
  });

  test('tailLines counts messages, not pieces', async () => {
    const p = file(F(0, 'l1') + F(1, 'l2') + P(2, 'l3a') + F(2, 'l3b') + F(3, 'l4'));
    assert.equal(await read(p, { tailLines: 1 }), 'l4\n');
    assert.equal(await read(p, { tailLines: 2 }), 'l3al3b\nl4\n');
    assert.equal(await read(p, { tailLines: 3 }), 'l2\nl3al3b\nl4\n');
    assert.equal(await read(p, { tailLines: 10 }), 'l1\nl2\nl3al3b\nl4\n');
    assert.equal(await read(p, { tailLines: 0 }), '');
  });

  test('tail across block boundaries', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => F(i, `line-${i}-${'x'.repeat(i % 37)}`));
    const p = file(lines.join('') + P(300, 'tail-piece'));
    const fh = await open(p, 'r');
    try {
      const size = (await fh.stat()).size;
      for (const block of [7, 64, 100, 4096]) {
        for (const k of [1, 2, 17, 150]) {
          const off = await findTailStart(fh, size, k, block);
          // The trailing piece counts as one message.
          assert.equal(off, lines.slice(0, 200 - (k - 1)).join('').length, `block ${block} tail ${k}`);
        }
        assert.equal(await findTailStart(fh, size, 500, block), 0);
      }
    } finally {
      await fh.close();
    }
  });

  test('sinceNs keeps messages from that time on; combines with tail', async () => {
    const p = file(F(0, 'a') + F(10, 'b') + F(20, 'c') + F(30, 'd'));
    const since = BigInt(at(10).getTime()) * 1_000_000n;
    assert.equal(await read(p, { sinceNs: since }), 'b\nc\nd\n');
    assert.equal(await read(p, { sinceNs: since, tailLines: 2 }), 'c\nd\n');
    assert.equal(await read(p, { sinceNs: since + 1n }), 'c\nd\n');
  });

  test('limitBytes cuts the output, mid-message if need be', async () => {
    const p = file(F(0, 'hello') + F(1, 'world'));
    assert.equal(await read(p, { limitBytes: 8 }), 'hello\nwo');
    assert.equal(await read(p, { limitBytes: 6 }), 'hello\n');
    assert.equal(await read(p, { limitBytes: 1000 }), 'hello\nworld\n');
    const ts = await read(p, { limitBytes: 10, timestamps: true });
    assert.equal(ts.length, 10);
  });

  test('a missing file is an error', async () => {
    await assert.rejects(read(join(dir, 'absent.log')), /ENOENT/);
  });
});

describe('following a log file', () => {
  /** Resolves once the collected output satisfies `cond`, or fails after the deadline. */
  async function until(text: () => string, cond: (s: string) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!cond(text())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(text())}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  test('sees appended lines and ends when the container is gone', async () => {
    const p = file(F(0, 'first'));
    let running = true;
    const c = collect();
    const done = readContainerLogs(p, c.out, { follow: true, isRunning: () => running, pollIntervalMs: 20, runningCheckMs: 20 });
    await until(c.text, (s) => s === 'first\n', 'the first line');
    appendFileSync(p, P(1, 'sec'));
    appendFileSync(p, F(1, 'ond'));
    await until(c.text, (s) => s === 'first\nsecond\n', 'the appended line');
    // A line written half at a time is shown once whole.
    appendFileSync(p, F(2, 'third').slice(0, 20));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.text(), 'first\nsecond\n');
    appendFileSync(p, F(2, 'third').slice(20));
    await until(c.text, (s) => s.endsWith('third\n'), 'the completed line');
    running = false;
    await done;
    assert.equal(c.text(), 'first\nsecond\nthird\n');
  });

  test('with tailLines 0 shows only new messages', async () => {
    const p = file(F(0, 'old'));
    const ac = new AbortController();
    const c = collect();
    const done = readContainerLogs(p, c.out, { follow: true, tailLines: 0, signal: ac.signal, pollIntervalMs: 20 });
    // The reader opens the file asynchronously; a line written before that is "existing" for it.
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(p, F(1, 'new'));
    await until(c.text, (s) => s === 'new\n', 'the new line');
    ac.abort();
    await done;
  });

  test('survives rotation and truncation of the file by path', async () => {
    const p = file(F(0, 'gen1'));
    const ac = new AbortController();
    const c = collect();
    const done = readContainerLogs(p, c.out, { follow: true, signal: ac.signal, pollIntervalMs: 20 });
    await until(c.text, (s) => s === 'gen1\n', 'gen1');
    appendFileSync(p, F(1, 'gen1-last'));
    renameSync(p, p + '.1');
    writeFileSync(p, F(2, 'gen2'));
    await until(c.text, (s) => s === 'gen1\ngen1-last\ngen2\n', 'the rotated file');
    truncateSync(p, 0);
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(p, F(3, 'after-truncate'));
    await until(c.text, (s) => s.endsWith('gen2\nafter-truncate\n'), 'the truncated file read again');
    ac.abort();
    await done;
  });

  test('stops when the reader closes its end, and at limitBytes', async () => {
    const p = file(F(0, 'abc'));
    const c = collect();
    const done = readContainerLogs(p, c.out, { follow: true, pollIntervalMs: 20 });
    await until(c.text, (s) => s === 'abc\n', 'abc');
    c.out.destroy();
    appendFileSync(p, F(1, 'more'));
    await done;
    const c2 = collect();
    await readContainerLogs(p, c2.out, { follow: true, limitBytes: 6, pollIntervalMs: 20 });
    assert.equal(c2.text(), 'abc\nmo');
  });
});
