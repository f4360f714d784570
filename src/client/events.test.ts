import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { Client } from './rest.ts';
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

  test('cluster-scoped objects get their events in default; overflow is dropped, not queued forever', async () => {
    const rec = new EventRecorder(client, { component: 'c', maxPending: 2, concurrency: 1 });
    for (let i = 0; i < 5; i++) rec.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } }, 'Normal', 'Hello', `n${i}`);
    await rec.flush();
    assert.equal(rec.dropped, 3);
    assert.equal((await list('default')).filter((x) => x.reason === 'Hello').length, 2);
  });
});
