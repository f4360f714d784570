import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations } from './expectations.ts';

test('expectations: satisfied once every create and delete is observed, or after five minutes', () => {
  let now = 0;
  const e = new ControllerExpectations({ now: () => now });
  assert.ok(e.satisfied('ns/rs'), 'nothing recorded');
  e.expectCreations('ns/rs', 2);
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));

  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a'); // the same pod twice (terminating, then gone) counts once
  e.deletionObserved('ns/rs', 'ns/other');
  assert.ok(!e.satisfied('ns/rs'));
  now = 5 * 60 * 1000 + 1;
  assert.ok(e.satisfied('ns/rs'), 'expired');
});

test('expectations: creations and deletions expected at once (by uid); a shorter TTL', () => {
  let now = 0;
  const e = new ControllerExpectations({ now: () => now, ttlMs: 1000 });
  e.expect('k', 2, ['u1', 'u2']);
  e.creationObserved('k');
  e.lowerCreations('k', 1); // a create that failed
  assert.deepEqual(e.pending('k'), { add: 0, del: 2 });
  e.deletionObserved('k', 'u1');
  e.deletionObserved('k', 'u1');
  assert.ok(!e.satisfied('k'), 'u2 is still expected to go');
  now = 500;
  assert.ok(!e.satisfied('k'));
  now = 1001;
  assert.ok(e.satisfied('k'), 'expired after the TTL');
  e.deletionObserved('k', 'u2');
  assert.deepEqual(e.pending('k'), { add: 0, del: 0 });
  e.delete('k');
  assert.equal(e.pending('k'), undefined);
});
