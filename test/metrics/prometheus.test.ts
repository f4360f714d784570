// The real Prometheus (Debian `prometheus`) scrapes a Skiff cluster with
// the configuration docs/monitoring.md documents: the API server with a
// bearer token file and the cluster CA, the node agent with the
// skiff-metrics client certificate. Every series Skiff promises is then
// asked of Prometheus' HTTP API.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parse } from 'yaml';
import { Client } from '../../src/client/rest.ts';
import { METRICS_CLIENT_CERT, METRICS_CLIENT_KEY } from '../../src/metrics/certs.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';
import { startFakeNode, type FakeNode } from './fakenode.ts';

const PROMETHEUS = '/usr/bin/prometheus';

/** The scrape configuration of docs/monitoring.md, with this cluster's paths and ports. */
export function scrapeConfig(o: { apiServer: string; agents: string[]; tokenFile: string; pkiDir: string; intervalSeconds?: number }): string {
  const interval = `${o.intervalSeconds ?? 15}s`;
  return `global:
  scrape_interval: ${interval}
  scrape_timeout: ${Math.min(o.intervalSeconds ?? 15, 10)}s
scrape_configs:
  - job_name: skiff-apiserver
    scheme: https
    authorization:
      credentials_file: ${o.tokenFile}
    tls_config:
      ca_file: ${join(o.pkiDir, 'ca.crt')}
    static_configs:
      - targets: [${JSON.stringify(o.apiServer)}]
  - job_name: skiff-agents
    scheme: https
    tls_config:
      ca_file: ${join(o.pkiDir, 'ca.crt')}
      cert_file: ${join(o.pkiDir, METRICS_CLIENT_CERT)}
      key_file: ${join(o.pkiDir, METRICS_CLIENT_KEY)}
    static_configs:
      - targets: [${o.agents.map((a) => JSON.stringify(a)).join(', ')}]
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('Prometheus scrapes Skiff', { skip: existsSync(PROMETHEUS) ? undefined : `${PROMETHEUS} is missing (apt-get install prometheus)` }, () => {
  let cluster: TestCluster;
  let client: Client;
  let node: FakeNode;
  let dir: string;
  let prom: ChildProcess | undefined;
  let promPort: number;
  let promLog = '';

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.status, 'success');
    return body.data.result;
  };

  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    node = await startFakeNode(client, cluster.pkiDir);
    await client.resource<Pod>('v1', 'pods').create('default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scraped', namespace: 'default' },
      spec: { nodeName: node.name, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    });
    await waitFor(async () => (await client.resource<Pod>('v1', 'pods').get('default', 'scraped')).status?.phase === 'Running', 'the pod to run', 15_000);

    dir = mkdtempSync(join(tmpdir(), 'skiff-prometheus-'));
    const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, kc.users[0].user.token, { mode: 0o600 });
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, scrapeConfig({ apiServer: new URL(cluster.url).host, agents: [`127.0.0.1:${node.port}`], tokenFile, pkiDir: cluster.pkiDir, intervalSeconds: 1 }));
    promPort = await freePort();
    prom = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    prom.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => undefined))?.ok, `Prometheus to be ready (log: ${promLog})`, 20_000, 100);
  });

  after(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await node?.stop();
    client?.close();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('both targets are up', async () => {
    await waitFor(async () => {
      const up = await query('up');
      return up.length === 2 && up.every((s) => s.value[1] === '1');
    }, 'up == 1 for the API server and the agent', 20_000, 200).catch(async (e) => {
      const targets = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json();
      throw new Error(`${(e as Error).message}\ntargets: ${JSON.stringify(targets).slice(0, 2000)}`);
    });
  });

  const SERIES: [job: string, query: string][] = [
    ['skiff-apiserver', 'apiserver_request_total{verb="LIST",resource="pods"}'],
    ['skiff-apiserver', 'apiserver_request_duration_seconds_bucket{le="0.05"}'],
    ['skiff-apiserver', 'apiserver_storage_objects{resource="pods"}'],
    ['skiff-apiserver', 'workqueue_depth{name="namespace"}'],
    ['skiff-apiserver', 'workqueue_adds_total'],
    ['skiff-apiserver', 'scheduler_schedule_attempts_total'],
    ['skiff-apiserver', 'process_cpu_seconds_total'],
    ['skiff-agents', 'kubelet_running_pods'],
    ['skiff-agents', 'kubelet_running_containers{container_state="running"}'],
    ['skiff-agents', 'kubelet_pod_start_duration_seconds_bucket'],
    ['skiff-agents', 'container_cpu_usage_seconds_total{namespace="default",pod="scraped",container="app"}'],
    ['skiff-agents', 'container_memory_working_set_bytes{namespace="default",pod="scraped",container="app"}'],
    ['skiff-agents', 'container_network_receive_bytes_total{namespace="default",pod="scraped"}'],
    ['skiff-agents', 'container_network_transmit_bytes_total{namespace="default",pod="scraped"}'],
  ];

  for (const [job, q] of SERIES) {
    test(`${q} from ${job}`, async () => {
      const r = await waitFor(async () => {
        const res = await query(q.replace(/\}$/, `,job="${job}"}`).replace(/^([a-z_]+)$/, `$1{job="${job}"}`));
        return res.length > 0 ? res : undefined;
      }, `${q} in Prometheus`, 15_000, 200);
      assert.ok(r.every((s) => Number.isFinite(Number(s.value[1]))));
    });
  }

  test('the values mean what they say', async () => {
    const pods = await query('kubelet_running_pods{job="skiff-agents"}');
    assert.equal(pods[0]!.value[1], '1');
    const stored = await query('apiserver_storage_objects{job="skiff-apiserver",resource="namespaces"}');
    assert.ok(Number(stored[0]!.value[1]) >= 4);
    const cpu = await query('container_cpu_usage_seconds_total{job="skiff-agents",pod="scraped"}');
    assert.ok(Number(cpu[0]!.value[1]) > 0);
  });
});
