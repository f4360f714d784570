import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration } from './duration.ts';

test('durations print as Go prints time.Duration', () => {
  for (const [ms, want] of [
    [0, '0s'],
    [15_000, '15s'],
    [15_002, '15.002s'],
    [60_500, '1m0.5s'],
    [3_600_000, '1h0m0s'],
    [250, '250ms'],
    [1.5, '1.5ms'],
    [0.002, '2µs'],
    [-2_000, '-2s'],
  ] as const) {
    assert.equal(goDuration(ms), want, `${ms} ms`);
  }
});
