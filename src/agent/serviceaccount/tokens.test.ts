// The token manager's cache and refresh rule against a scripted TokenRequest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { TokenFetchError, TokenManager, type TokenRequestSpec } from './tokens.ts';

const pod = (name = 'p', uid = 'uid-1'): Pod => ({ metadata: { name, namespace: 'ns', uid }, spec: { serviceAccountName: 'sa', containers: [] } });

function scripted() {
  let now = 1_000_000_000_000;
  let n = 0;
  let fail: string | undefined;
  const calls: { ns: string; sa: string; spec: TokenRequestSpec }[] = [];
  const tm = new TokenManager({
    now: () => now,
    random: () => 0,
    fetch: async (ns, sa, spec) => {
      calls.push({ ns, sa, spec });
      if (fail) throw new Error(fail);
      return { token: `t${++n}`, expiresAt: now + spec.expirationSeconds * 1000, expirationSeconds: spec.expirationSeconds };
    },
  });
  return { tm, calls, advance: (ms: number) => (now += ms), failWith: (m: string | undefined) => (fail = m) };
}

test('a token is requested once for the pod, bound to it, and reused until 80% of its lifetime', async () => {
  const s = scripted();
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't1');
  assert.deepEqual(s.calls[0], { ns: 'ns', sa: 'sa', spec: { audiences: [], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'uid-1' } } });
  s.advance(479_000);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't1', 'before 80%: cached');
  assert.equal(s.tm.refreshDueInMs('uid-1'), 1_000);
  s.advance(2_000);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't2', 'past 80%: refreshed');
  assert.equal(s.calls.length, 2);
});

test('tokens are cached per audience, lifetime and pod; the default lifetime is 3607 s', async () => {
  const s = scripted();
  await s.tm.token(pod(), {});
  await s.tm.token(pod(), { audience: 'vault' });
  await s.tm.token(pod(), { audience: 'vault' });
  await s.tm.token(pod('q', 'uid-2'), {});
  assert.deepEqual(
    s.calls.map((c) => [c.spec.audiences, c.spec.expirationSeconds, c.spec.boundObjectRef.name]),
    [
      [[], 3607, 'p'],
      [['vault'], 3607, 'p'],
      [[], 3607, 'q'],
    ],
  );
  s.tm.forgetPod('uid-1');
  assert.equal(s.tm.size, 1);
});

test('long-lived tokens are refreshed after 24 h', async () => {
  const s = scripted();
  await s.tm.token(pod(), { expirationSeconds: 7 * 24 * 3600 });
  s.advance(24 * 3600_000 - 1000);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 7 * 24 * 3600 }), 't1');
  s.advance(2000);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 7 * 24 * 3600 }), 't2');
});

test('a failed refresh keeps serving an unexpired token; without one it is a TokenFetchError', async () => {
  const s = scripted();
  s.failWith('serviceaccounts "sa" not found');
  await assert.rejects(s.tm.token(pod(), {}), (e: unknown) => e instanceof TokenFetchError && e.message === 'failed to fetch token: serviceaccounts "sa" not found');
  s.failWith(undefined);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't1');
  s.failWith('connection refused');
  s.advance(500_000);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't1', 'due but not expired: the cached token');
  s.advance(100_000);
  await assert.rejects(s.tm.token(pod(), { expirationSeconds: 600 }), /failed to fetch token: connection refused/);
  s.failWith(undefined);
  assert.equal(await s.tm.token(pod(), { expirationSeconds: 600 }), 't2');
});

test('concurrent requests for one token share one TokenRequest', async () => {
  const s = scripted();
  const got = await Promise.all([s.tm.token(pod(), {}), s.tm.token(pod(), {}), s.tm.token(pod(), {})]);
  assert.deepEqual(got, ['t1', 't1', 't1']);
  assert.equal(s.calls.length, 1);
});
