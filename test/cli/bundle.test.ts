// `./skiff` runs the CLI bundled into dist/skiff.mjs (scripts/bundle.mjs):
// the bundle is rebuilt when a source file changes, and the bundled control
// plane serves the API, kubectl and the dashboard's files as under tsx.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor, within } from '../support/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'skiff.mjs');

test('the bundle is rebuilt when a source file is newer, and not otherwise', () => {
  const first = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout.trim(), BUNDLE);
  const built = statSync(BUNDLE).mtimeMs;
  // Up to date: left alone.
  spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')]);
  assert.equal(statSync(BUNDLE).mtimeMs, built);
  // A source file touched after the bundle (the bundle made to look a minute old): rebuilt.
  const past = new Date(Date.now() - 60_000);
  utimesSync(BUNDLE, past, past);
  const now = new Date();
  utimesSync(join(ROOT, 'src/cli/args.ts'), now, now);
  const again = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { encoding: 'utf8' });
  assert.equal(again.stdout.trim(), BUNDLE, again.stderr);
  assert.ok(statSync(BUNDLE).mtimeMs > past.getTime() + 30_000, 'the bundle was not rebuilt');
});

test('./skiff server runs bundled: kubectl works, the dashboard is served, SIGTERM stops it', { skip: hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bundle-'));
  const child = spawn(join(ROOT, 'skiff'), ['server', '--data-dir', dir, '--port', '0', '--registry-port', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const m = await waitFor(() => /API server ready at (https:\/\/\S+)/.exec(out), 'the bundled server to be ready', 60_000, 50);
    // The process runs the bundle, not tsx.
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes(BUNDLE), cmdline.join(' '));
    const kubectl = kubectlRunner('1.32', join(dir, 'kubeconfig.yaml'));
    const ns = await kubectl(['get', 'namespace', 'kube-system', '-o', 'name']);
    assert.equal(ns.stdout.trim(), 'namespace/kube-system', ns.stderr);
    const page = spawnSync('curl', ['-sk', `${m[1]}/dashboard/`], { encoding: 'utf8' });
    assert.match(page.stdout, /<html/i, `the dashboard's page: ${page.stdout.slice(0, 200)}`);
    child.kill('SIGTERM');
    assert.equal(await within(exited, 'the bundled server to exit', 10_000), 0, out);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
