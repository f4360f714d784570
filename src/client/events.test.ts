import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { ApiError, Client } from './rest.ts';
import { EventRecorder } from './events.ts';
import { startTestCluster, type TestCluster } from '../../test/support/cluster.ts';

describe('event recorder', () => {
  let cluster: TestCluster;
  let client: Client;
  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });
  const list = async (ns: string) => (await client.resource<Event>('v1', 'events').list(ns)).items;

  test('creates a core/v1 Event about the object, with source and reporting component', async () => {
    const rec = new EventRecorder(client, { component: 'test-component', host: 'node-1' });
    rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' } }, 'Warning', 'Failed', 'it broke', { action: 'Trying' });
    await rec.flush();
    const [e] = (await list('default')).filter((x) => x.reason === 'Failed');
    assert.ok(e);
    assert.match(e.metadata!.name!, /^p\.[0-9a-f]+$/);
    assert.deepEqual(e.involvedObject, { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u1', apiVersion: 'v1' });
    assert.deepEqual(e.source, { component: 'test-component', host: 'node-1' });
    assert.equal(e.reportingComponent, 'test-component');
    assert.equal(e.reportingInstance, 'node-1');
    assert.equal(e.type, 'Warning');
    assert.equal(e.count, 1);
    assert.equal(e.action, 'Trying');
  });

  test('repeats of the same event bump count and lastTimestamp; a different message is a new event', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const rec = new EventRecorder(client, { component: 'c', now: () => new Date(now) });
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'default', uid: 'u2' } };
    for (let i = 0; i < 3; i++) {
      rec.event(obj, 'Normal', 'Again', 'same words');
      now += 5000;
    }
    rec.event(obj, 'Normal', 'Again', 'other words');
    await rec.flush();
    const mine = (await list('default')).filter((x) => x.involvedObject.name === 'q');
    assert.equal(mine.length, 2);
    const same = mine.find((x) => x.message === 'same words')!;
    assert.equal(same.count, 3);
    assert.equal(same.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(same.lastTimestamp, '2026-01-01T00:00:10Z');
    assert.equal(mine.find((x) => x.message === 'other words')!.count, 1);
  });

  test('events about a part of an object (fieldPath): each container its own event, repeats per container folded', async () => {
    const rec = new EventRecorder(client, { component: 'kubelet', host: 'node-f', reportingInstance: 'node-f' });
    const ref = (c: string) => ({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'fp', uid: 'u-fp', resourceVersion: '7', fieldPath: `spec.containers{${c}}` });
    rec.event(ref('a'), 'Warning', 'BackOff', 'Back-off restarting failed container');
    rec.event(ref('b'), 'Warning', 'BackOff', 'Back-off restarting failed container');
    rec.event(ref('a'), 'Warning', 'BackOff', 'Back-off restarting failed container');
    rec.event(ref('a'), 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.flush();
    const mine = (await list('default')).filter((x) => x.involvedObject.name === 'fp');
    assert.deepEqual(mine.map((x) => [x.involvedObject.fieldPath, x.count]).sort(), [
      ['spec.containers{a}', 3],
      ['spec.containers{b}', 1],
    ]);
    // The reference is the involvedObject as given; the source is the kubelet's.
    const a = mine.find((x) => x.involvedObject.fieldPath === 'spec.containers{a}')!;
    assert.deepEqual(a.involvedObject, ref('a'));
    assert.deepEqual(a.source, { component: 'kubelet', host: 'node-f' });
    assert.equal(a.reportingComponent, 'kubelet');
    assert.equal(a.reportingInstance, 'node-f');
  });

  test('a repeat whose event has gone is created again under its name with the count so far', async () => {
    const rec = new EventRecorder(client, { component: 'c' });
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gone', namespace: 'default', uid: 'u-gone' } };
    rec.event(obj, 'Normal', 'Again', 'x');
    await rec.flush();
    const [first] = (await list('default')).filter((x) => x.involvedObject.name === 'gone');
    await client.resource<Event>('v1', 'events').delete('default', first!.metadata!.name!);
    rec.event(obj, 'Normal', 'Again', 'x');
    await rec.flush();
    const again = (await list('default')).filter((x) => x.involvedObject.name === 'gone');
    assert.deepEqual(again.map((x) => [x.metadata!.name, x.count]), [[first!.metadata!.name, 2]]);
    assert.equal(rec.written, 2);
  });

  test('a failed write is reported with its event; after close nothing more is recorded', async () => {
    const failures: [number, string][] = [];
    const rec = new EventRecorder(client, { component: 'c', onError: (e, ev) => failures.push([e instanceof ApiError ? e.code : 0, ev.reason!]) });
    rec.event({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'bad name!', uid: 'u-bad' }, 'Normal', 'Invalid', 'the name is not a valid event name');
    rec.event({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'closing', uid: 'u-c' }, 'Normal', 'BeforeClose', 'written');
    await rec.close();
    rec.event({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'closing', uid: 'u-c' }, 'Normal', 'AfterClose', 'not written');
    await rec.flush();
    assert.equal(failures.length, 1);
    assert.equal(failures[0]![1], 'Invalid');
    assert.equal(failures[0]![0], 422, 'the server rejects the invalid name');
    const mine = (await list('default')).filter((x) => x.involvedObject.name === 'closing');
    assert.deepEqual(mine.map((x) => x.reason), ['BeforeClose']);
  });

  test('cluster-scoped objects get their events in default; overflow is dropped, not queued forever', async () => {
    const rec = new EventRecorder(client, { component: 'c', maxPending: 2, concurrency: 1 });
    for (let i = 0; i < 5; i++) rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } }, 'Normal', 'Hello', `n${i}`);
    await rec.flush();
    assert.equal(rec.dropped, 3);
    assert.equal((await list('default')).filter((x) => x.reason === 'Hello').length, 2);
  });
});
