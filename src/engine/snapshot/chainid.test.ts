import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIDs } from './chainid.ts';

test('chain IDs: the first is the diffID, each next hashes the previous chain ID, a space and the diffID', () => {
  const a = `sha256:${'a'.repeat(64)}`;
  const b = `sha256:${'b'.repeat(64)}`;
  const ab = `sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`;
  assert.deepEqual(chainIDs([a, b]), [a, ab]);
  assert.deepEqual(chainIDs([]), []);
  assert.notEqual(chainIDs([b, a])[1], ab);
});
