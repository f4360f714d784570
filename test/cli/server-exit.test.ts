// `skiff server` stops cleanly and the process really ends on SIGTERM, on
// each datastore (an open etcd watch call once kept the process alive).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEtcd, launchEtcd, ETCD_INSTALL_HINT, type EtcdProcess } from '../../src/storage/etcd/launch.ts';
import { waitFor, within } from '../support/wait.ts';

async function startAndStop(datastore?: string): Promise<{ exitCode: number | null; out: string; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-exit-'));
  try {
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'server', '--data-dir', dir, '--port', '0', ...(datastore ? ['--datastore', datastore] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => /API server ready at/.test(out), 'the server to be ready', 20_000);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const exitCode = await within(exited, 'the process to exit after SIGTERM', 5000);
      return { exitCode, out, ms: Date.now() - t0 };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('skiff server exits on SIGTERM', () => {
  test('with the sqlite store', async () => {
    const r = await startAndStop();
    assert.equal(r.exitCode, 0, r.out);
    assert.match(r.out, /stopped cleanly/);
  });

  describe('with the etcd store', { skip: findEtcd() ? false : ETCD_INSTALL_HINT }, () => {
    let etcd: EtcdProcess;
    before(async () => {
      etcd = await launchEtcd();
    });
    after(async () => etcd?.stop());
    test('exits, leaving no etcd watch call open', async () => {
      const r = await startAndStop(`etcd://${etcd.endpoints[0]!.replace('http://', '')}`);
      assert.equal(r.exitCode, 0, r.out);
      assert.match(r.out, /stopped cleanly/);
    });
  });
});
