// The fake clock the time-based controller tests step, and the per-key
// wake-ups controllers schedule on a clock.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, Wakeups } from './clock.ts';

const T0 = '2024-01-01T00:00:00Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000);

describe('fake clock', () => {
  test('timers fire in order when time passes them, not before; cancelled ones never', () => {
    const c = new FakeClock(T0);
    const fired: string[] = [];
    c.at(at(10), () => fired.push('b'));
    c.at(at(5), () => fired.push('a'));
    const cancel = c.at(at(7), () => fired.push('x'));
    cancel();
    c.step(4_000);
    assert.deepEqual(fired, []);
    c.step(at(10));
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(c.pending, 0);
  });
});

describe('wake-ups', () => {
  test('one timer per key: a new time replaces the pending one; the key is fired once, then forgotten', () => {
    const c = new FakeClock(T0);
    const fired: string[] = [];
    const w = new Wakeups(c, (k) => fired.push(k));
    w.at('a', at(10));
    w.at('a', at(20));
    w.at('b', at(15));
    assert.equal(c.pending, 2, 'the replaced timer was cancelled');
    c.step(at(15));
    assert.deepEqual(fired, ['b']);
    c.step(at(20));
    assert.deepEqual(fired, ['b', 'a']);
    assert.equal(w.when('a'), undefined);
  });

  test('earliest keeps a sooner pending wake-up; the same time is not scheduled twice', () => {
    const c = new FakeClock(T0);
    const fired: string[] = [];
    const w = new Wakeups(c, (k) => fired.push(k));
    w.at('job', at(5));
    w.at('job', at(60), { earliest: true });
    assert.equal(w.when('job'), at(5).getTime());
    w.at('job', at(5));
    assert.equal(c.pending, 1);
    w.at('job', at(2), { earliest: true });
    assert.equal(w.when('job'), at(2).getTime(), 'a sooner time replaces a later one');
    c.step(at(60));
    assert.deepEqual(fired, ['job']);
  });

  test('cancel and cancelAll stop pending wake-ups', () => {
    const c = new FakeClock(T0);
    const fired: string[] = [];
    const w = new Wakeups(c, (k) => fired.push(k));
    w.at('a', at(1));
    w.at('b', at(2));
    w.at('c', at(3));
    w.cancel('a');
    w.cancelAll();
    c.step(at(10));
    assert.deepEqual(fired, []);
    assert.equal(c.pending, 0);
  });
});
