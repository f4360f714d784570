// Pulls from the real docker-registry on loopback: the image is built locally
// (static busybox), pushed there with skopeo, pulled with Skiff.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, missingTools, skopeoCopy, startCountingProxy, startRegistry, type BuiltImage, type CountingProxy, type TestRegistry } from '../../../test/support/images.ts';
import { isImageError } from './errors.ts';
import { LocalImageService } from './service.ts';

const skip = missingTools('docker-registry', 'skopeo');

async function sha256Of(s: NodeJS.ReadableStream): Promise<string> {
  const h = createHash('sha256');
  for await (const c of s as AsyncIterable<Buffer>) h.update(c);
  return 'sha256:' + h.digest('hex');
}

describe('pull from docker-registry', { skip }, () => {
  let tmp: string;
  let reg: TestRegistry;
  let proxy: CountingProxy;
  let busybox: BuiltImage;
  let big: BuiltImage;
  let multi: BuiltImage;
  let armOnly: BuiltImage;
  let n = 0;
  const newService = (opts: { root?: string } = {}) => LocalImageService.open({ root: opts.root ?? join(tmp, `store-${n++}`) });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-pull-'));
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.host);
    busybox = await buildBusyboxImage(join(tmp, 'busybox'), { tag: '1' });
    big = await buildBusyboxImage(join(tmp, 'big'), { tag: '1', randomLayers: [3 << 20] });
    multi = await buildBusyboxImage(join(tmp, 'multi'), { tag: '1', platforms: ['linux/arm64', 'linux/amd64', 'linux/arm/v7'] });
    armOnly = await buildBusyboxImage(join(tmp, 'arm'), { tag: '1', platforms: ['linux/arm64', 'linux/arm/v7'] });
    await skopeoCopy(busybox.ociRef, `docker://${reg.host}/test/busybox:1`);
    await skopeoCopy(big.ociRef, `docker://${reg.host}/test/big:1`);
    await skopeoCopy(multi.ociRef, `docker://${reg.host}/test/multi:1`, ['--all']);
    await skopeoCopy(armOnly.ociRef, `docker://${reg.host}/test/arm:1`, ['--all']);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('pulls by tag: names, config, layers whose blobs hash to their digests and diffIDs', async () => {
    const svc = await newService();
    const img = await svc.pull(`${reg.host}/test/busybox:1`);
    const m = busybox.manifests['linux/amd64']!;
    assert.equal(img.id, m.config);
    assert.equal(img.manifestDigest, m.digest);
    assert.deepEqual(img.repoTags, [`${reg.host}/test/busybox:1`]);
    assert.deepEqual(img.repoDigests, [`${reg.host}/test/busybox@${m.digest}`]);
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    assert.deepEqual(img.layers.map((l) => l.diffID), img.config.rootfs.diff_ids);
    assert.deepEqual(img.layers.map((l) => l.diffID), m.diffIDs);
    for (const l of img.layers) {
      assert.equal(await sha256Of(await l.open()), l.digest);
      // The diffID is the digest of the uncompressed tar.
      const { createGunzip } = await import('node:zlib');
      assert.equal(await sha256Of((await l.open()).pipe(createGunzip())), l.diffID);
    }
    const again = await svc.resolve(`${reg.host}/test/busybox:1`);
    assert.equal(again?.id, img.id);
    assert.equal((await svc.resolve(img.id))?.manifestDigest, img.manifestDigest);
    assert.equal((await svc.resolve(img.id.slice(7, 19)))?.id, img.id);
    assert.equal((await svc.resolve(`${reg.host}/test/busybox@${m.digest}`))?.id, img.id);
    assert.equal(await svc.resolve(`${reg.host}/test/busybox:2`), null);
  });

  test('pulls by digest', async () => {
    const svc = await newService();
    const m = busybox.manifests['linux/amd64']!;
    const img = await svc.pull(`${reg.host}/test/busybox@${m.digest}`);
    assert.equal(img.manifestDigest, m.digest);
    assert.deepEqual(img.repoTags, []);
    assert.deepEqual(img.repoDigests, [`${reg.host}/test/busybox@${m.digest}`]);
  });

  test('a second pull transfers no blob', async () => {
    const svc = await newService();
    const first = await svc.pullImage(`${proxy.host}/test/busybox:1`);
    assert.equal(first.fetched.length, 2);
    const before = proxy.blobGets().length;
    const again = await svc.pullImage(`${proxy.host}/test/busybox:1`);
    assert.deepEqual(again.fetched, []);
    assert.equal(again.present.length, 2);
    assert.equal(proxy.blobGets().length, before, 'no blob GET on the wire');
  });

  test('an index selects linux/amd64', async () => {
    const svc = await newService();
    const img = await svc.pull(`${reg.host}/test/multi:1`);
    assert.equal(img.manifestDigest, multi.manifests['linux/amd64']!.digest);
    assert.equal(img.config.architecture, 'amd64');
    assert.deepEqual(img.repoDigests, [`${reg.host}/test/multi@${multi.digest}`]);
    assert.equal((await svc.resolve(`${reg.host}/test/multi@${multi.digest}`))?.id, img.id);
  });

  test('an image for other platforms only is a clear error and leaves nothing behind', async () => {
    const svc = await newService();
    await assert.rejects(svc.pull(`${reg.host}/test/arm:1`), (e: unknown) => {
      assert.ok(isImageError(e, 'PlatformNotFound'), String(e));
      assert.match(e.message, new RegExp(`^${reg.host}/test/arm:1: .*no image for linux/amd64 in the index \\(it has linux/arm64, linux/arm/v7\\)`));
      assert.equal(e.code, 'ImagePull');
      return true;
    });
    assert.deepEqual(await svc.list(), []);
    await svc.gc();
    assert.deepEqual(await svc.store.content.list(), []);
  });

  test('an interrupted download resumes with Range where it stopped', async () => {
    const svc = await newService();
    const layer = big.manifests['linux/amd64']!.layers[1]!;
    proxy.cutNextBlobAfter(1 << 20);
    // One layer at a time so the cut lands on a layer, not the config.
    const ref = `${proxy.host}/test/big:1`;
    let cutDigest: string | undefined;
    await assert.rejects(svc.pullImage(ref, { concurrency: 1 }), (e: unknown) => {
      assert.ok(isImageError(e), String(e));
      assert.match(e.message, /interrupted|truncated/);
      assert.ok(e.message.startsWith(`${ref}: `), e.message);
      cutDigest = /blob (sha256:[a-f0-9]{64})/.exec(e.message)?.[1];
      return true;
    });
    assert.ok(cutDigest, 'the error names the blob');
    assert.equal(await svc.resolve(ref), null, 'no half-written image');
    const start = proxy.requests.length;
    const { image: img } = await svc.pullImage(ref, { concurrency: 1 });
    const resumed = proxy.requests.slice(start).filter((r) => r.url.endsWith(cutDigest!) && r.method === 'GET');
    assert.equal(resumed.length, 1);
    assert.match(resumed[0]!.range ?? '', /^bytes=\d+-$/);
    assert.ok(Number(/bytes=(\d+)-/.exec(resumed[0]!.range!)![1]) > 0, 'resumed past 0');
    assert.equal(resumed[0]!.status, 206);
    for (const l of img.layers) assert.equal(await sha256Of(await l.open()), l.digest);
    assert.ok(img.layers.some((l) => l.digest === layer));
  });

  test('an unreachable registry is a clear error', async () => {
    const svc = await newService();
    const dead = await startCountingProxy('127.0.0.1:1');
    const host = dead.host;
    await dead.stop();
    await assert.rejects(svc.pull(`${host}/test/busybox:1`), (e: unknown) => {
      assert.ok(isImageError(e, 'Unreachable'), String(e));
      assert.match(e.message, new RegExp(`^${host}/test/busybox:1: registry ${host} is unreachable: .*ECONNREFUSED`));
      return true;
    });
  });

  test('an unknown tag is ManifestUnknown', async () => {
    const svc = await newService();
    await assert.rejects(svc.pull(`${reg.host}/test/busybox:nope`), (e: unknown) => isImageError(e, 'ManifestUnknown') && /MANIFEST_UNKNOWN/.test(e.message));
  });

  test('removing the last name garbage-collects exactly the blobs no other image uses', async () => {
    const svc = await newService();
    const a = await svc.pull(`${reg.host}/test/busybox:1`);
    const b = await svc.pull(`${reg.host}/test/big:1`);
    await svc.tag(`${reg.host}/test/big:1`, 'local/big:2');
    const shared = a.layers[0]!.digest;
    assert.equal(b.layers[0]!.digest, shared);
    await svc.remove(`${reg.host}/test/big:1`);
    assert.ok(await svc.resolve('local/big:2'), 'a second name keeps the image');
    assert.equal((await svc.store.content.list()).length, 3 + 3, 'nothing collected yet: 2 manifests, 2 configs, 2 distinct layers');
    await svc.remove('local/big:2');
    const left = new Set(await svc.store.content.list());
    assert.deepEqual(left, new Set([a.manifestDigest, a.id, shared]));
    await svc.remove(a.id);
    assert.deepEqual(await svc.store.content.list(), []);
    assert.deepEqual(readdirSync(join(svc.store.root, 'names')), []);
    await assert.rejects(svc.remove(a.id), (e: unknown) => isImageError(e, 'NotFound'));
  });
});
