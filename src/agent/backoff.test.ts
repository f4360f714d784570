import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';

test('back-off doubles to its cap and resets after a quiet spell of twice the cap', () => {
  let now = 0;
  const b = new Backoff(10, 80, () => now);
  assert.equal(b.isInBackOffSince('k', 0), false, 'no entry: no back-off');
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    b.next('k', now);
    delays.push(b.get('k'));
    now += 1;
  }
  assert.deepEqual(delays, [10, 20, 40, 80, 80, 80]);
  assert.equal(b.isInBackOffSince('k', now), true);
  assert.equal(b.remaining('k', now), 80);
  now += 80;
  assert.equal(b.isInBackOffSince('k', now - 80), false);
  now += 200;
  b.next('k', now);
  assert.equal(b.get('k'), 10, 'reset after 2x the cap');
});
