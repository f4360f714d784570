// `skiff build` flags as Docker spells them, and one build through the
// command into a data directory (root only), with its exit codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuildArgs, runBuildCommand } from './build.ts';
import { UsageError } from './args.ts';
import { LocalImageService } from '../engine/image/service.ts';
import { imageStoreRoot } from '../engine/image/store.ts';
import { buildBusyboxImage } from '../../test/support/images.ts';
import { buildSkipReason } from '../../test/build/harness.ts';

test('parseBuildArgs: docker build flag spellings', () => {
  const f = parseBuildArgs(['-t', 'a:1', '--tag=b:2', '-tc:3', '-f', 'D', '--target', 's', '--build-arg', 'K=V', '--build-arg=FROM_ENV', '--no-cache', '--push', '--network', 'host', '--progress=plain', '.'], { FROM_ENV: 'e', SOURCE_DATE_EPOCH: '10' });
  assert.deepEqual(f.tags, ['a:1', 'b:2', 'c:3']);
  assert.equal(f.file, 'D');
  assert.equal(f.target, 's');
  assert.deepEqual(f.buildArgs, { K: 'V', FROM_ENV: 'e' });
  assert.equal(f.noCache, true);
  assert.equal(f.push, true);
  assert.equal(f.network, 'host');
  assert.equal(f.progress, 'plain');
  assert.equal(f.sourceDateEpoch, 10);
  assert.equal(f.context, '.');
  assert.throws(() => parseBuildArgs(['-t', 'x']), UsageError);
  assert.throws(() => parseBuildArgs(['--network', 'bridge', '.']), /--network must be host or none/);
  assert.throws(() => parseBuildArgs(['--bogus', '.']), /unknown flag --bogus/);
  assert.throws(() => parseBuildArgs(['a', 'b']), /one build context, got 2/);
});

test('runBuildCommand builds into the data dir; a failing build exits 1 and tags nothing', { skip: buildSkipReason() ?? false }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-cli-build-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const images = await LocalImageService.open({ root: imageStoreRoot(dataDir) });
  await buildBusyboxImage(join(dataDir, 'layout'));
  await images.import(join(dataDir, 'layout'), { name: 'busybox:latest' });
  const ctx = join(dataDir, 'ctx');
  rmSync(ctx, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\n');
  writeFileSync(join(ctx, 'Bad.Dockerfile'), 'FROM busybox\nRUN exit 4\n');
  const quietLog = t.mock.method(console, 'log', () => undefined);
  const errLog = t.mock.method(console, 'error', () => undefined);
  const write = t.mock.method(process.stderr, 'write', () => true);
  try {
    assert.equal(await runBuildCommand(['-q', '-t', 'cli:1', ctx], { dataDir }), 0);
    assert.match(String(quietLog.mock.calls[0]?.arguments[0]), /^sha256:[0-9a-f]{64}$/);
    assert.equal(await runBuildCommand(['--progress=plain', '-t', 'cli:2', '-f', join(ctx, 'Bad.Dockerfile'), ctx], { dataDir }), 1);
  } finally {
    write.mock.restore();
  }
  assert.match(String(errLog.mock.calls.at(-1)?.arguments[0]), /Bad\.Dockerfile:2: RUN exit 4: .*exit code: 4$/);
  const again = await LocalImageService.open({ root: imageStoreRoot(dataDir) });
  assert.ok(await again.resolve('cli:1'));
  assert.equal(await again.resolve('cli:2'), null);
});
