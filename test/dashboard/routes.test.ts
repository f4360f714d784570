// The dashboard's files as the API server serves them: public (it is the
// login page), the vendored uPlot straight from node_modules, one page for
// every view path, nothing outside its folder, and the API still closed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

describe('dashboard routes', () => {
  let cluster: TestCluster;
  let get: (path: string, method?: string) => Promise<{ status: number; type: string; body: string; location?: string }>;

  before(async () => {
    cluster = await startTestCluster();
    const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const url = new URL(cluster.url);
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    get = (path, method = 'GET') =>
      new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, method, ca }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, location: res.headers.location }));
        });
        req.on('error', reject);
        req.end();
      });
  });
  after(async () => {
    await cluster?.stop();
  });

  test('the page and its modules need no token', async () => {
    const r = await get('/dashboard/');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/html/);
    assert.match(r.body, /<script type="module" src="\/dashboard\/app\.js">/);
    const app = await get('/dashboard/app.js');
    assert.equal(app.status, 200);
    assert.match(app.type, /^text\/javascript/);
    assert.equal((await get('/dashboard/views/workloads.js')).status, 200);
    assert.equal((await get('/dashboard')).location, '/dashboard/');
  });

  test('uPlot is served from node_modules as installed', async () => {
    const js = await get('/dashboard/vendor/uPlot.esm.js');
    assert.equal(js.status, 200);
    assert.match(js.body, /export \{ uPlot as default \}|export default uPlot/);
    assert.equal((await get('/dashboard/vendor/uPlot.min.css')).status, 200);
  });

  test('view paths answer the page; missing files and escapes are 404', async () => {
    assert.match((await get('/dashboard/pods/default/web')).body, /<title>Skiff dashboard<\/title>/);
    assert.equal((await get('/dashboard/nope.js')).status, 404);
    const escape = await get('/dashboard/%2e%2e/%2e%2e/routes.ts');
    assert.notEqual(escape.status, 200);
    assert.equal((await get('/dashboard/', 'POST')).status, 405);
  });

  test('the API itself stays closed without a token', async () => {
    assert.equal((await get('/api/v1/namespaces')).status, 401);
    assert.equal((await get('/dashboardx')).status, 401);
  });
});
