// The Job controller's pure math: failure backoff and completion-index sets.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { remainingBackoffMs, updateBackoff } from './backoff.ts';
import { formatIndexes, parseIndexes, pendingIndexes } from './indexed.ts';

describe('pod failure backoff', () => {
  const d = { baseMs: 10_000, maxMs: 600_000 };
  test('none before a failure; 10 s after the first, doubling, capped at 10 min', () => {
    assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 0 }, 0, d), 0);
    const waits = [1, 2, 3, 4, 7, 8, 20].map((n) => remainingBackoffMs({ failuresAfterLastSuccess: n, lastFailureTime: 0 }, 0, d));
    assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 600_000, 600_000, 600_000]);
  });
  test('time since the last failure counts down the wait', () => {
    assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 2, lastFailureTime: 1_000 }, 16_000, d), 5_000);
    assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 2, lastFailureTime: 1_000 }, 30_000, d), 0);
  });
  test('a success resets the count; only later failures count', () => {
    let r = updateBackoff({ failuresAfterLastSuccess: 0 }, [], [100, 200]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: 200 });
    r = updateBackoff(r, [300], [250, 400]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: 400 });
    r = updateBackoff(r, [500], []);
    assert.deepEqual(r, { failuresAfterLastSuccess: 0, lastFailureTime: undefined });
  });
});

describe('completion indexes', () => {
  test('format folds runs; parse inverts it and drops indexes out of range', () => {
    assert.equal(formatIndexes([7, 1, 3, 4, 5]), '1,3-5,7');
    assert.equal(formatIndexes([]), '');
    assert.deepEqual([...parseIndexes('1,3-5,7', 6)].sort(), [1, 3, 4, 5]);
    assert.deepEqual([...parseIndexes(undefined, 3)], []);
  });
  test('pending: lowest free indexes first', () => {
    assert.deepEqual(pendingIndexes(6, new Set([0, 2]), new Set([1]), 2), [3, 4]);
    assert.deepEqual(pendingIndexes(3, new Set([0, 1, 2]), new Set(), 5), []);
  });
});
