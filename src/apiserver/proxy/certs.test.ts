import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { ensurePKI } from '../auth/pki.ts';
import { ensureAgentServingCert } from './certs.ts';

test("a node's agent certificate is kept across starts and issued again when an address is new or the CA changed", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  try {
    ensurePKI(dir);
    const first = ensureAgentServingCert(dir, 'n1', ['10.0.0.5', '127.0.0.1', 'n1']);
    const cert = new X509Certificate(first.cert);
    assert.ok(cert.checkIP('10.0.0.5') && cert.checkHost('n1'));
    // The same names: the same certificate, no openssl run.
    assert.equal(ensureAgentServingCert(dir, 'n1', ['10.0.0.5', '127.0.0.1', 'n1']).cert, first.cert);
    // A new address: a new certificate covering it.
    const moved = ensureAgentServingCert(dir, 'n1', ['10.0.0.6', '127.0.0.1', 'n1']);
    assert.notEqual(moved.cert, first.cert);
    assert.ok(new X509Certificate(moved.cert).checkIP('10.0.0.6'));
    // A certificate from another CA is not kept.
    const other = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
    try {
      ensurePKI(other);
      for (const f of ['agent-n1.crt', 'agent-n1.key']) copyFileSync(join(dir, f), join(other, f));
      assert.notEqual(ensureAgentServingCert(other, 'n1', ['10.0.0.6', '127.0.0.1', 'n1']).cert, moved.cert);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
