// PodControl's events and answers, over a recording stand-in for the pods
// handle (the controllers' integration tests cover the real API).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, type ResourceHandle, type StatusReason } from '../../client/rest.ts';
import type { EventSink } from './events.ts';
import { isNamespaceTerminating, PodControl } from './podcontrol.ts';

const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: 'ns', name: 'rs', uid: 'o' } };
const pod = (name: string): Pod => ({ metadata: { namespace: 'ns', name, uid: `uid-${name}` } });
const apiError = (code: number, reason: StatusReason, message: string, causes?: { reason: string; message: string }[]) =>
  new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(causes ? { details: { causes } } : {}) });

function fixture(fail: { create?: Error; delete?: Error } = {}) {
  const events: string[] = [];
  const deletes: unknown[] = [];
  const sink: EventSink = { event: (_o, type, reason, message) => void events.push(`${type} ${reason} ${message}`) };
  const pods: Pick<ResourceHandle<Pod>, 'create' | 'delete'> = {
    create: async (_ns, p) => {
      if (fail.create) throw fail.create;
      return { ...p, metadata: { ...p.metadata, name: 'rs-abcde' } };
    },
    delete: async (ns, name, opts) => {
      deletes.push({ ns, name, opts });
      if (fail.delete) throw fail.delete;
      return {} as never;
    },
  };
  return { control: new PodControl(pods, sink), events, deletes };
}

test('create records SuccessfulCreate, or FailedCreate and throws', async () => {
  const ok = fixture();
  assert.equal((await ok.control.create(owner, 'ns', pod('x'))).metadata?.name, 'rs-abcde');
  assert.deepEqual(ok.events, ['Normal SuccessfulCreate Created pod: rs-abcde']);
  const quota = fixture({ create: apiError(403, 'Forbidden', 'pods "x" is forbidden: exceeded quota') });
  await assert.rejects(quota.control.create(owner, 'ns', pod('x')), /exceeded quota/);
  assert.deepEqual(quota.events, ['Warning FailedCreate Error creating: pods "x" is forbidden: exceeded quota']);
});

test('a create refused by a terminating namespace throws without an event', async () => {
  const err = apiError(403, 'Forbidden', 'unable to create new content in namespace ns because it is being terminated', [{ reason: 'NamespaceTerminating', message: 'namespace ns is being terminated' }]);
  assert.ok(isNamespaceTerminating(err));
  assert.ok(!isNamespaceTerminating(new Error('because it is being terminated')), 'only an API error counts');
  const f = fixture({ create: err });
  await assert.rejects(f.control.create(owner, 'ns', pod('x')));
  assert.deepEqual(f.events, []);
});

test('delete: the uid is a precondition; gone (404, or 409 for another uid) answers false; other errors record FailedDelete', async () => {
  const ok = fixture();
  assert.equal(await ok.control.delete(owner, pod('a'), { gracePeriodSeconds: 0 }), true);
  assert.deepEqual(ok.deletes, [{ ns: 'ns', name: 'a', opts: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-a' } } }]);
  assert.deepEqual(ok.events, ['Normal SuccessfulDelete Deleted pod: a']);
  for (const gone of [apiError(404, 'NotFound', 'pods "a" not found'), apiError(409, 'Conflict', 'Precondition failed: UID in precondition: uid-a, UID in object meta: other')]) {
    const f = fixture({ delete: gone });
    assert.equal(await f.control.delete(owner, pod('a')), false);
    assert.deepEqual(f.events, []);
  }
  const broken = fixture({ delete: apiError(500, 'InternalError', 'store unavailable') });
  await assert.rejects(broken.control.delete(owner, pod('a')), /store unavailable/);
  assert.deepEqual(broken.events, ['Warning FailedDelete Error deleting: store unavailable']);
});
