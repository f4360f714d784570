import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations } from './expectations.ts';

test('expectations hold until every creation and deletion is observed', () => {
  const e = new Expectations();
  assert.ok(e.satisfied('ns/a'), 'no expectation is satisfied');
  e.expect('ns/a', 2, ['u1']);
  assert.ok(!e.satisfied('ns/a'));
  e.creationObserved('ns/a');
  e.creationObserved('ns/a');
  assert.ok(!e.satisfied('ns/a'), 'a deletion is still pending');
  e.deletionObserved('ns/a', 'u1');
  e.deletionObserved('ns/a', 'u1');
  assert.ok(e.satisfied('ns/a'));
});

test('a deletion seen twice counts once; another pod does not count', () => {
  const e = new Expectations();
  e.expect('k', 0, ['u1', 'u2']);
  e.deletionObserved('k', 'u1');
  e.deletionObserved('k', 'u1');
  e.deletionObserved('k', 'other');
  assert.ok(!e.satisfied('k'));
  e.deletionObserved('k', 'u2');
  assert.ok(e.satisfied('k'));
});

test('an expectation never met expires', () => {
  const e = new Expectations(1000);
  e.expect('k', 1, [], 0);
  assert.ok(!e.satisfied('k', 500));
  assert.ok(e.satisfied('k', 1500));
});
