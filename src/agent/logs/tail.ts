// Where the last N messages of a CRI log file start, found by reading
// backwards in blocks: a message ends at a line tagged `F`, so the start of
// the Nth-last message is just after the (N+1)th-last `F` line. Pieces
// (`P` lines) of a message still being written count as one message; a
// trailing fragment without its newline is not a line yet.

import type { FileHandle } from 'node:fs/promises';

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;

/** The byte offset in the file where the last `n` messages begin (0 when it holds fewer; the end for n <= 0). */
export async function findTailStart(fh: FileHandle, size: number, n: number, blockSize = BLOCK): Promise<number> {
  if (n <= 0) return size;
  let messages = 0;
  let pending = false; // lines seen after the last message boundary
  for await (const { start, line } of linesBackward(fh, size, blockSize)) {
    if (line.length === 0) continue;
    if (pending && isFullLine(line)) {
      messages++;
      if (messages === n) return start + line.length + 1;
    }
    pending = true;
  }
  return 0;
}

/** The file's newline-terminated lines, last first, with their offsets. */
async function* linesBackward(fh: FileHandle, size: number, blockSize: number): AsyncGenerator<{ start: number; line: Buffer }> {
  let end = size;
  let carry = Buffer.alloc(0); // a line's tail from a later block, without its newline
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - blockSize);
    const buf = Buffer.allocUnsafe(end - start);
    await fh.read(buf, 0, buf.length, start);
    const data = carry.length ? Buffer.concat([buf, carry]) : buf;
    let i = data.length; // end (exclusive) of the current line's content
    if (first) {
      // Skip the fragment after the last newline.
      first = false;
      const lastNL = data.lastIndexOf(NEWLINE);
      if (lastNL < 0) {
        if (start === 0) return;
        carry = Buffer.alloc(0);
        end = start;
        first = true;
        continue;
      }
      i = lastNL;
    }
    for (;;) {
      const nl = i === 0 ? -1 : data.lastIndexOf(NEWLINE, i - 1);
      if (nl < 0 && start > 0) break;
      yield { start: start + nl + 1, line: data.subarray(nl + 1, i) };
      if (nl < 0) return;
      i = nl;
    }
    carry = Buffer.from(data.subarray(0, i));
    end = start;
  }
}

function isFullLine(line: Buffer): boolean {
  // `<time> <stream> <tag> ...`: the tag's first character comes after the second space.
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return false;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return false;
  return line[s2 + 1] === 0x46; // 'F'
}
