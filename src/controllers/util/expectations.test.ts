import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations } from './expectations.ts';
import { slowStartBatch } from './slowstart.ts';
import { claimDecision } from './controllerref.ts';

test('expectations: satisfied once every create and delete is observed, or after five minutes', () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
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

test('claim decisions', () => {
  const owner = { metadata: { uid: 'o', namespace: 'ns', name: 'rs' } };
  const ref = (uid: string) => ({ metadata: { namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid, controller: true }] } });
  assert.equal(claimDecision(ref('o'), owner, true), 'own');
  assert.equal(claimDecision(ref('o'), owner, false), 'release');
  assert.equal(claimDecision(ref('other'), owner, true), 'ignore');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, owner, true), 'adopt');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, owner, false), 'ignore');
  assert.equal(claimDecision({ metadata: { namespace: 'ns', deletionTimestamp: 'x' } }, owner, true), 'ignore', 'a terminating orphan is not adopted');
  assert.equal(claimDecision({ metadata: { namespace: 'ns' } }, { metadata: { ...owner.metadata, deletionTimestamp: 'x' } }, true), 'ignore', 'a deleted owner adopts nothing');
});
