import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePKI, missingServingNames, requiredServingNames } from './pki.ts';

const POD_NAMES = ['DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.43.0.1', 'IP Address:127.0.0.1'];

test("the serving certificate names the kubernetes Service's names, its ClusterIP and the advertised address", () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  try {
    const pki = ensurePKI(dir, ['192.0.2.10']);
    const cert = new X509Certificate(pki.cert);
    const sans = cert.subjectAltName!.split(', ');
    for (const n of [...POD_NAMES, 'IP Address:192.0.2.10']) assert.ok(sans.includes(n), `${n} in ${cert.subjectAltName}`);
    assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey), 'signed by the cluster CA');
    assert.deepEqual(missingServingNames(pki.cert, requiredServingNames(['192.0.2.10'])), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a serving certificate without those names (an older data dir) is re-issued from the same CA; one with them is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  try {
    const first = ensurePKI(dir);
    // What an older Skiff issued: no kubernetes.default.svc.cluster.local, no 10.43.0.1.
    writeFileSync(join(dir, 'old.ext'), 'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1\n');
    execFileSync('openssl', ['req', '-new', '-key', 'apiserver.key', '-subj', '/CN=skiff-apiserver', '-out', 'old.csr'], { cwd: dir, stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', 'old.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'old.ext', '-out', 'apiserver.crt'], { cwd: dir, stdio: 'ignore' });
    const old = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
    assert.deepEqual(missingServingNames(old, requiredServingNames()), ['kubernetes.default.svc.cluster.local', '10.43.0.1']);
    const again = ensurePKI(dir);
    assert.notEqual(again.cert, old, 're-issued');
    assert.equal(again.caCert, first.caCert, 'the CA stays');
    assert.deepEqual(missingServingNames(again.cert, requiredServingNames()), []);
    assert.ok(new X509Certificate(again.cert).verify(new X509Certificate(first.caCert).publicKey));
    // Kept while it covers them; a new advertised address re-issues it.
    assert.equal(ensurePKI(dir).cert, again.cert);
    const moved = ensurePKI(dir, ['198.51.100.7']);
    assert.notEqual(moved.cert, again.cert);
    assert.ok(new X509Certificate(moved.cert).checkIP('198.51.100.7'));
    assert.equal(ensurePKI(dir, ['198.51.100.7']).cert, moved.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
