// Nothing acknowledged is lost: `skiff up` is killed with SIGKILL while
// kubectl applies 100 objects (4 at a time); after a restart every object
// whose apply kubectl reported as done is there, unchanged. One e2e cluster
// at a time (hostlock).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, within } from '../support/wait.ts';
import { kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { acquireHostLock } from '../support/hostlock.ts';
import { e2eSkipReason } from '../support/e2eskip.ts';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'src/cli/main.ts');
const skip = e2eSkipReason();

describe('skiff up killed during writes', { skip, concurrency: false }, () => {
  let dir: string;
  let up: ChildProcess | undefined;
  let out = '';
  let release: (() => void) | undefined;
  let k: (args: string[], o?: { stdin?: string; timeoutMs?: number }) => Promise<KubectlResult>;

  async function startUp(): Promise<void> {
    out = '';
    up = spawn(process.execPath, ['--import', 'tsx', main, 'up', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    await waitFor(() => /running in the foreground/.test(out) || up!.exitCode !== null, 'skiff up to be ready', 60_000, 50);
    assert.equal(up.exitCode, null, out);
    k = kubectlRunner('1.32', join(dir, 'kubeconfig.yaml'));
  }

  before(async () => {
    release = await acquireHostLock();
    dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-rel-'));
    await startUp();
  });

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGINT');
      await within(exited, 'skiff up to stop', 30_000).catch(() => up?.kill('SIGKILL'));
    }
    if (dir) {
      spawnSync(process.execPath, ['--import', 'tsx', main, 'down', '--data-dir', dir, '--purge'], { stdio: 'ignore', timeout: 120_000 });
      rmSync(dir, { recursive: true, force: true });
    }
    release?.();
  });

  test('kill -9 in the middle of 100 applies: every acknowledged object survives a restart', async () => {
    const acked: number[] = [];
    let killed = false;
    let next = 0;
    const cm = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { i: String(i), pad: 'x'.repeat(512) } });
    const worker = async () => {
      while (next < 100) {
        const i = next++;
        const r = await k(['apply', '-f', '-'], { stdin: cm(i), timeoutMs: 15_000 });
        if (r.code === 0) acked.push(i);
        if (!killed && acked.length >= 40) {
          killed = true;
          up!.kill('SIGKILL');
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    assert.ok(killed, 'skiff up was killed during the applies');
    assert.ok(acked.length >= 40 && acked.length < 100, `${acked.length} applies acknowledged`);
    await waitFor(() => up!.exitCode !== null || up!.signalCode !== null, 'the killed skiff up to be gone', 10_000, 50);
    await startUp();
    const list = JSON.parse((await k(['get', 'configmaps', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; data?: Record<string, string> }[] };
    const have = new Map(list.items.map((c) => [c.metadata.name, c.data]));
    const lost = acked.filter((i) => have.get(`cm-${i}`)?.i !== String(i));
    assert.deepEqual(lost, [], `acknowledged but lost after the restart: ${lost.join(', ')}`);
    // The restarted cluster takes writes again.
    assert.equal((await k(['apply', '-f', '-'], { stdin: cm(1000) })).code, 0);
  });
});
