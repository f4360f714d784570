import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';

/** Reads a watch response to its end (the server closes it), returning the parsed event lines. */
function watchToEnd(kubeconfig: string, path: string): Promise<{ status: number; events: { type: string; object: any }[] }> {
  const kc = parse(readFileSync(kubeconfig, 'utf8'));
  const server = new URL(kc.clusters[0].cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: server.hostname, port: server.port, path, ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'), headers: { authorization: `Bearer ${kc.users[0].user.token}` } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('watch did not end')));
    req.on('error', reject);
    req.end();
  });
}

describe('lists and watches', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  const cms = '/api/v1/namespaces/default/configmaps';
  const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });

  before(async () => {
    // A short watch history, so a watch can fall out of it within the test.
    cluster = await startTestCluster({ watchCacheHistory: 5 });
    api = apiClient(cluster.kubeconfig);
    for (const n of ['a', 'b', 'c', 'd', 'e']) assert.equal((await api('POST', cms, cm(n, { group: n < 'c' ? 'low' : 'high' }))).status, 201);
    // Every namespace also holds the cluster CA's ConfigMap, as in Kubernetes (published by the serviceaccount controller).
    await waitFor(async () => (await api('GET', `${cms}/kube-root-ca.crt`)).status === 200, 'kube-root-ca.crt in default');
  });
  after(async () => cluster.stop());

  test('generateName gives a unique name with the prefix and five random characters', async () => {
    const r = await api('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(r.status, 201);
    assert.match(r.body.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal((await api('DELETE', `${cms}/${r.body.metadata.name}`)).status, 200);
  });

  test('limit and continue page through a list consistently, even when writes happen between pages', async () => {
    const p1 = await api('GET', `${cms}?limit=2`);
    assert.deepEqual(p1.body.items.map((i: any) => i.metadata.name), ['a', 'b']);
    assert.equal(p1.body.metadata.remainingItemCount, 4);
    const token = p1.body.metadata.continue;
    assert.ok(token);
    // A write after the first page: later pages still show the list as of the first.
    assert.equal((await api('POST', cms, cm('bb'))).status, 201);
    const p2 = await api('GET', `${cms}?limit=2&continue=${encodeURIComponent(token)}`);
    assert.deepEqual(p2.body.items.map((i: any) => i.metadata.name), ['c', 'd']);
    assert.equal(p2.body.metadata.resourceVersion, p1.body.metadata.resourceVersion);
    const p3 = await api('GET', `${cms}?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    assert.deepEqual(p3.body.items.map((i: any) => i.metadata.name), ['e', 'kube-root-ca.crt']);
    assert.equal(p3.body.metadata.continue, undefined);
    assert.equal((await api('DELETE', `${cms}/bb`)).status, 200);
    const bad = await api('GET', `${cms}?limit=2&continue=not-a-token`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'The provided continue parameter is not valid');
  });

  test('label selectors filter lists; a malformed one is a 400 naming the problem', async () => {
    const r = await api('GET', `${cms}?labelSelector=${encodeURIComponent('group in (high),!missing')}`);
    assert.deepEqual(r.body.items.map((i: any) => i.metadata.name), ['c', 'd', 'e']);
    const bad = await api('GET', `${cms}?labelSelector=${encodeURIComponent('group in (high')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
  });

  test('a watch from a revision older than the cache history gets one ERROR event with 410 Expired', async () => {
    const w = await watchToEnd(cluster.kubeconfig, `${cms}?watch=true&resourceVersion=1`);
    assert.equal(w.status, 200);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]!.type, 'ERROR');
    assert.equal(w.events[0]!.object.code, 410);
    assert.equal(w.events[0]!.object.reason, 'Expired');
    assert.match(w.events[0]!.object.message, /^too old resource version: 1 \(\d+\)$/);
  });

  test('a watch with timeoutSeconds ends by itself after sending the changes since its revision', async () => {
    const list = await api('GET', cms);
    const rv = list.body.metadata.resourceVersion;
    assert.equal((await api('POST', cms, cm('late'))).status, 201);
    const started = Date.now();
    const w = await watchToEnd(cluster.kubeconfig, `${cms}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED late']);
  });
});
