import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePKI } from '../apiserver/auth/pki.ts';
import { ensureServingCertCovers, extraNodeDirs, extraNodeIP, extraNodeName } from './cluster.ts';

test('the serving certificate is re-issued only when it does not cover the nodes\' way in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cluster-'));
  try {
    ensurePKI(dir);
    ensureServingCertCovers(dir, '127.0.0.1');
    assert.ok(existsSync(join(dir, 'apiserver.crt')), 'kept: it covers loopback');
    ensureServingCertCovers(dir, '10.99.77.1');
    assert.ok(!existsSync(join(dir, 'apiserver.crt')) && !existsSync(join(dir, 'apiserver.key')), 'removed, to be re-issued');
    assert.ok(existsSync(join(dir, 'ca.crt')) && existsSync(join(dir, 'ca.key')), 'the CA stays');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extra nodes: names, addresses and the data dirs skiff down walks', () => {
  assert.equal(extraNodeName(2), 'skiff-node-2');
  assert.equal(extraNodeIP(3), '10.44.0.3');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cluster-'));
  try {
    assert.deepEqual(extraNodeDirs(dir), []);
    for (const n of ['skiff-node-2', 'skiff-node-10', 'other']) mkdirSync(join(dir, 'nodes', n), { recursive: true });
    writeFileSync(join(dir, 'nodes', 'skiff-node-3'), 'a file');
    assert.deepEqual(extraNodeDirs(dir).map((d) => d.slice(dir.length)).sort(), ['/nodes/skiff-node-10', '/nodes/skiff-node-2'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
