import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { OverlaySnapshotter } from './overlay.ts';
import { snapshotterSuite } from './testsuite.ts';
import { applyLayer } from './apply.ts';
import { unpackImage } from './unpack.ts';
import { chainIDs } from './chainid.ts';
import { layerTar, makeImage } from '../testsuite/localimages.ts';

snapshotterSuite('overlay', (root) => new OverlaySnapshotter(root));

test('applyLayer reads gzip and plain tars alike and reports the diffID of the uncompressed tar', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-apply-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tarball = await layerTar([{ path: 'hello', type: 'file', content: 'hi' }]);
  const want = `sha256:${createHash('sha256').update(tarball).digest('hex')}`;
  assert.deepEqual(await applyLayer(Readable.from([gzipSync(tarball)]), dir), { diffID: want, size: tarball.length });
  assert.equal(await readFile(join(dir, 'hello'), 'utf8'), 'hi');
  assert.equal((await applyLayer(Readable.from([tarball]), dir)).diffID, want);
  await assert.rejects(applyLayer(Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])]), dir), /zstd/);
});

test('unpackImage commits one snapshot per chain ID, shares lower layers, and refuses a layer that does not match its diffID', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'skiff-unpack-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const sn = new OverlaySnapshotter(root);
  const base = await layerTar([{ path: 'a', type: 'file', content: 'a' }]);
  const top1 = await layerTar([{ path: 'b', type: 'file', content: 'b' }]);
  const top2 = await layerTar([{ path: 'c', type: 'file', content: 'c' }]);
  const i1 = makeImage('one', [base, top1]);
  const i2 = makeImage('two', [base, top2]);
  const [c1, c2] = await Promise.all([unpackImage(sn, i1), unpackImage(sn, i2)]);
  assert.equal(c1, chainIDs(i1.config.rootfs.diff_ids)[1]);
  const names = (await sn.list()).map((s) => s.name).sort();
  assert.deepEqual(names, [chainIDs([i1.layers[0]!.diffID])[0]!, c1!, c2!].sort(), 'the shared base is unpacked once');
  assert.ok((await sn.list()).every((s) => s.kind === 'committed'));

  const lying = makeImage('bad', [await layerTar([{ path: 'z', type: 'file', content: 'z' }])]);
  lying.layers[0]!.open = async () => Readable.from([top2]);
  await assert.rejects(unpackImage(sn, lying), /unpacks to sha256:.*not its diffID/);
  assert.equal((await sn.list()).length, 3, 'nothing half-written is left');
});
