import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStartBatch } from './slowstart.ts';

test('slow start: batches of 1, 2, 4... and no new batch after a failure', async () => {
  const calls: number[] = [];
  const ok = await slowStartBatch(10, 1, async (i) => void calls.push(i));
  assert.deepEqual(ok, { succeeded: 10 });
  assert.equal(calls.length, 10);
  let n = 0;
  const failing = await slowStartBatch(100, 1, async () => {
    if (++n === 7) throw new Error('quota');
  });
  // 1 ok, 2 ok, then a batch of 4 where the 4th call fails: 3 + 3 succeeded, nothing after.
  assert.equal(failing.succeeded, 6);
  assert.equal(n, 7);
  assert.match(String((failing.error as Error).message), /quota/);
});
