// The web dashboard in a real browser: headless Chromium (Debian's), driven
// by puppeteer-core, against a test cluster with the scheduler, the
// deployment and replicaset controllers and a node agent on the fake
// runtime. What a user sees: the login (a wrong token is told so), the
// overview, a deployment scaled from 1 to 3 and seen to roll out live (no
// reload), a restart, the pod page with its log followed as lines arrive,
// a deleted pod shown as gone, node charts and service endpoints. A
// screenshot of each page is taken, into docs/dashboard/ when
// SKIFF_SCREENSHOTS=docs (how the README's images are refreshed), else into
// a temp dir, so a test run leaves the tree as it was. A second cluster
// state with 1000 pods times the first render.

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { parse } from 'yaml';
import type { Browser, Page } from 'puppeteer-core';
import { Client } from '../../src/client/rest.ts';
import { CORE_CONTROLLERS } from '../../src/controllers/manager.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { startFakeNode, type FakeNode } from '../metrics/fakenode.ts';

const CHROMIUM = '/usr/bin/chromium';
const TO_DOCS = process.env.SKIFF_SCREENSHOTS === 'docs';
const SHOTS = TO_DOCS ? join(dirname(fileURLToPath(import.meta.url)), '../../docs/dashboard') : mkdtempSync(join(tmpdir(), 'skiff-dashboard-shots-'));
after(() => {
  if (!TO_DOCS) rmSync(SHOTS, { recursive: true, force: true });
});

describe('the dashboard in headless Chromium', { skip: existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)` }, () => {
  let cluster: TestCluster;
  let client: Client;
  let node: FakeNode;
  let browser: Browser;
  let page: Page;
  let token: string;
  let base: string;

  const text = (sel: string) => page.$eval(sel, (e: any) => e.innerText);
  const browserLog: string[] = [];
  /** Waits until the element's text matches; the error shows what the page had instead, and the browser's console. */
  const waitText = async (sel: string, re: RegExp, timeout = 15_000) => {
    try {
      await page.waitForFunction((s: string, src: string) => { const e = (globalThis as any).document.querySelector(s); return !!e && new RegExp(src).test(e.innerText); }, { timeout, polling: 50 }, sel, re.source);
    } catch (e) {
      const had = await page.$eval(sel, (x: any) => x.innerText).catch(() => '(no such element)');
      throw new Error(`${(e as Error).message}: ${sel} never matched ${re}; it shows ${JSON.stringify(String(had).slice(0, 600))}\nbrowser console: ${browserLog.slice(-10).join('\n')}`);
    }
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    cluster = await startTestCluster({ controllers: [...CORE_CONTROLLERS, 'deployment', 'replicaset'], scheduler: true });
    client = Client.fromKubeconfig(cluster.kubeconfig);
    token = parse(readFileSync(cluster.kubeconfig, 'utf8')).users[0].user.token;
    base = `${cluster.url}/dashboard/`;
    // Pod IPs (10.244.x, inside the fake runtime only: no packet goes anywhere) give the service endpoints.
    node = await startFakeNode(client, cluster.pkiDir, { runtime: { podIPs: true } });
    await client.resource<Deployment>('apps/v1', 'deployments').create('default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello from web; sleep 3600'] }] } },
      },
    });
    await client.resource<Service>('v1', 'services').create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 as never }] } });
    const { default: puppeteer } = await import('puppeteer-core');
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, acceptInsecureCerts: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    page.on('pageerror', (e) => browserLog.push(`pageerror: ${(e as Error).message}`));
    page.on('console', (m) => browserLog.push(`console.${m.type()}: ${m.text()}`));
    page.on('response', (r) => void (r.status() >= 400 && browserLog.push(`${r.request().method()} ${r.url()}: ${r.status()}`)));
    await page.setViewport({ width: 1280, height: 860 });
  });

  after(async () => {
    await browser?.close();
    await node?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('a wrong token gets the login page back with a message', async () => {
    await page.goto(base);
    await page.waitForSelector('#login');
    await shot('login');
    await page.type('#token', 'not-a-token');
    await page.click('#login button[type=submit]');
    await waitText('#login-error', /401 Unauthorized/);
    assert.equal(await page.$('#view-overview'), null);
  });

  test('logging in shows the overview', async () => {
    await page.$eval('#token', (e: any) => (e.value = ''));
    await page.type('#token', token);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#view-overview #card-pods');
    await waitText('#card-nodes', /1\/1/);
    await waitText('#card-pods-Running', /^1\b/);
    await waitText('#events', /Scheduled|Started|ScalingReplicaSet/);
    await shot('overview');
    // No page loads from here on: what changes, changes through watches.
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
  });

  test('scaling a deployment from 1 to 3 shows the rollout live', async () => {
    await page.click('a[data-view=workloads]');
    const row = 'tr[data-deployment="default/web"]';
    await waitText(`${row} td.ready`, /^1\/1$/);
    await page.$eval(`${row} input`, (e: any) => (e.value = ''));
    await page.type(`${row} input`, '3');
    await page.click(`${row} button.scale`);
    await waitText('#action-message', /Scaled default\/web to 3/);
    const dep = await client.resource<Deployment>('apps/v1', 'deployments').get('default', 'web');
    assert.equal(dep.spec?.replicas, 3, 'the cluster changed');
    await waitText(`${row} td.ready`, /^3\/3$/, 20_000);
    await waitText(`${row} .rollout`, /complete/);
    await waitText('#pods', /web-[a-z0-9]+-[a-z0-9]+[\s\S]*web-[a-z0-9]+-[a-z0-9]+[\s\S]*web-[a-z0-9]+-[a-z0-9]+/);
    assert.equal(await page.evaluate(() => (globalThis as any).__sameDocument), true, 'updated without a reload');
    await shot('workloads');
  });

  test('restart sets restartedAt on the pod template, as kubectl rollout restart does', async () => {
    await page.click('tr[data-deployment="default/web"] button.restart');
    await waitText('#action-message', /Restarted default\/web/);
    const dep = await client.resource<Deployment>('apps/v1', 'deployments').get('default', 'web');
    assert.match(dep.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-/);
    await waitText('tr[data-deployment="default/web"] .rollout', /complete/, 30_000);
  });

  test('the pod page shows containers, status, events and follows the log', async () => {
    const pods = (await client.resource<Pod>('v1', 'pods').list('default', { labelSelector: 'app=web' })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    const p = pods[0]!;
    const name = p.metadata!.name!;
    await page.goto(`${base}#/pods/default/${name}`);
    await waitText('#pod-status', /Running/);
    await waitText('#containers', /app\s+busybox:1\.36\s+running/);
    await waitText('#log', /hello from web/);
    // The container writes more: the open page shows it without asking again.
    const [c] = await node.runtime.listContainers({ state: 'running', labelSelector: { 'io.kubernetes.pod.name': name } });
    assert.ok(c, 'the running container');
    appendFileSync(c.logPath, `${new Date().toISOString()} stdout F a line written later\n`);
    await waitText('#log', /a line written later/);
    await waitText('#pod-events', /Started|Created|Scheduled/);
    await shot('pod');
    // Deleted while open: shown as gone, not as an error page.
    await page.click('#delete-pod');
    await waitText('#gone', /gone|does not exist/, 20_000);
    assert.match(await text('h1'), new RegExp(`Pod default/${name}`));
  });

  test('nodes show live CPU and memory charts', async () => {
    await page.goto(`${base}#/nodes`);
    await waitText('#nodes', /node-m\s+Ready/);
    await waitText('#metrics-status', /1 node\(s\)/);
    await page.waitForSelector('#charts .chart[data-node="node-m"] canvas');
    assert.equal((await page.$$('#charts .chart[data-node="node-m"] .uplot')).length, 2, 'a CPU and a memory chart');
    await waitText('#nodes', /node-m[\s\S]*(\d+m|\d\.\d\d) \/ /);
    await shot('nodes');
  });

  test('services list their endpoints', async () => {
    await page.goto(`${base}#/services`);
    await waitText('tr[data-service="default/web"] .endpoints', /:8080/, 20_000);
    await shot('services');
  });

  test('first render with 1000 pods stays under 1 s', async () => {
    const pods = client.resource<Pod>('v1', 'pods');
    const N = 1000;
    // Bound to a node that does not exist: stored objects only, nothing runs them.
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bulk-${i + j}`, labels: { bulk: 'yes' } }, spec: { nodeName: 'ghost', containers: [{ name: 'c', image: 'busybox:1.36' }] } })));
    }
    const fresh = await browser.newPage();
    try {
      await fresh.evaluateOnNewDocument((t: string) => (globalThis as any).sessionStorage.setItem('skiff.token', t), token);
      const t0 = Date.now();
      await fresh.goto(`${base}#/overview`);
      await fresh.waitForFunction((n: number) => Number((globalThis as any).document.querySelector('#card-pods .n')?.textContent ?? 0) >= n, { timeout: 15_000, polling: 'raf' }, N);
      const ms = Date.now() - t0;
      const nav = await fresh.evaluate(() => JSON.stringify((globalThis as any).performance.getEntriesByType('navigation').map((e: any) => Math.round(e.domContentLoadedEventEnd))));
      console.log(`dashboard first render with ${N + 3} pods: ${ms} ms (navigation to pod count shown; DOMContentLoaded at ${nav} ms)`);
      assert.ok(ms < 1000, `first render took ${ms} ms`);
    } finally {
      await fresh.close();
    }
  });
});
