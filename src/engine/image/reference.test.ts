import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateReferences, familiarName, formatReference, idPrefixOf, normalizeImageName, parseReference } from './reference.ts';
import { isImageError } from './errors.ts';

const D = 'sha256:' + 'a'.repeat(64);

test('names normalize as Docker does', () => {
  const rows: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/user/app:v1', 'docker.io/user/app:v1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['127.0.0.1:5000/team/app:2', '127.0.0.1:5000/team/app:2'],
    ['quay.io/org/app', 'quay.io/org/app:latest'],
    [`app@${D}`, `docker.io/library/app@${D}`],
    [`reg:5000/app:1@${D}`, `reg:5000/app:1@${D}`],
    ['user/a.b-c_d__e', 'docker.io/user/a.b-c_d__e:latest'],
  ];
  for (const [given, want] of rows) assert.equal(normalizeImageName(given), want, given);
});

test('familiar names drop docker.io/library', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/user/app:1'), 'user/app:1');
  assert.equal(familiarName('reg:5000/app:1'), 'reg:5000/app:1');
});

test('bad names are InvalidReference errors that name the input', () => {
  for (const bad of ['', 'Busybox', 'app:', 'app:-x', 'app@sha256:abc', 'app@md5', 'a//b', '-app', 'reg:port/app', `app@sha256:${'A'.repeat(64)}`]) {
    assert.throws(
      () => parseReference(bad),
      (e: unknown) => isImageError(e, 'InvalidReference') && e.message.startsWith(`${bad}: invalid image reference`),
      JSON.stringify(bad),
    );
  }
});

test('the default registry is tried before docker.io for names without a registry', () => {
  const c = candidateReferences('app:1', '10.0.0.1:5000').map(formatReference);
  assert.deepEqual(c, ['10.0.0.1:5000/app:1', 'docker.io/library/app:1']);
  assert.deepEqual(candidateReferences('team/app', 'r:1').map(formatReference), ['r:1/team/app:latest', 'docker.io/team/app:latest']);
  assert.deepEqual(candidateReferences('quay.io/x/y', 'r:1').map(formatReference), ['quay.io/x/y:latest']);
  assert.deepEqual(candidateReferences('busybox').map(formatReference), ['docker.io/library/busybox:latest']);
});

test('id prefixes', () => {
  assert.equal(idPrefixOf(D), 'a'.repeat(64));
  assert.equal(idPrefixOf('abcdef012345'), 'abcdef012345');
  assert.equal(idPrefixOf('busybox'), null);
  assert.equal(idPrefixOf('abc'), null);
});
