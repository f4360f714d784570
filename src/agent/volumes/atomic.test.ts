import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadError, writeAtomic } from './atomic.ts';

const payload = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, { data: Buffer.from(v), mode: 0o644 }]));

test('atomic writer: ..data swap, visible symlinks, no-op when unchanged, stale entries removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  assert.equal(writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), true);
  const first = readlinkSync(join(dir, '..data'));
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
  assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
  assert.equal(writeAtomic(dir, payload({ a: '1', 'sub/b': '2' })), false);
  assert.equal(readlinkSync(join(dir, '..data')), first);
  assert.equal(writeAtomic(dir, payload({ a: '9' })), true);
  assert.notEqual(readlinkSync(join(dir, '..data')), first);
  assert.ok(!existsSync(join(dir, first)), 'the old generation is gone');
  assert.ok(!existsSync(join(dir, 'sub')), 'entries no longer in the payload are gone');
  assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['a']);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '9');
});

test('atomic writer refuses paths that escape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  for (const p of ['/etc/passwd', '../x', 'a/../../x', '..data']) assert.throws(() => writeAtomic(dir, payload({ [p]: 'x' })), PayloadError, p);
});
