import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';

describe('watch bookmarks', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ bookmarkIntervalMs: 20 });
  });
  after(async () => cluster.stop());

  test('bookmarks arrive, and none ever carries a revision ahead of an event not yet sent', async () => {
    const api = apiClient(cluster.kubeconfig);
    const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const server = new URL(kc.clusters[0].cluster.server);
    const rv = (await api('GET', '/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
    const lines: { type: string; object: { metadata: { resourceVersion: string } } }[] = [];
    let buf = '';
    const req = request({
      host: server.hostname,
      port: server.port,
      path: `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=10`,
      ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'),
      headers: { authorization: `Bearer ${kc.users[0].user.token}` },
    });
    req.on('response', (res) =>
      res.on('data', (c: Buffer) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      }),
    );
    req.end();
    try {
      for (let i = 0; i < 40; i++) {
        await api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `b${i}` } });
      }
      await waitFor(() => lines.filter((l) => l.type === 'ADDED').length === 40 && lines.some((l) => l.type === 'BOOKMARK'), 'all events and some bookmarks');
      let highestBookmark = 0;
      for (const l of lines) {
        const r = Number(l.object.metadata.resourceVersion);
        if (l.type === 'BOOKMARK') highestBookmark = Math.max(highestBookmark, r);
        else assert.ok(r > highestBookmark, `event at ${r} arrived after a bookmark at ${highestBookmark}`);
      }
    } finally {
      req.destroy();
    }
  });
});
