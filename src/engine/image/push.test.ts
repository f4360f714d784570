// Pushes to the real docker-registry and reads the result back with tools
// Skiff did not write: skopeo (inspect, copy) and umoci (unpack).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_BIN, buildBusyboxImage, missingTools, skopeoCopy, skopeoInspect, startCountingProxy, startRegistry, umociUnpack, type BuiltImage, type CountingProxy, type TestRegistry } from '../../../test/support/images.ts';
import { isImageError } from './errors.ts';
import { LocalImageService } from './service.ts';

const skip = missingTools('docker-registry', 'skopeo', 'umoci');

describe('push to docker-registry', { skip }, () => {
  let tmp: string;
  let reg: TestRegistry;
  let proxy: CountingProxy;
  let built: BuiltImage;
  let svc: LocalImageService;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-push-'));
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.host);
    built = await buildBusyboxImage(join(tmp, 'layout'), { tag: '1', randomLayers: [1 << 20] });
    svc = await LocalImageService.open({ root: join(tmp, 'store') });
    await svc.import(built.layout, { name: 'skiff/busybox:1' });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function readBack(ref: string, dir: string): Promise<string> {
    await skopeoCopy(`docker://${ref}`, `oci:${join(tmp, dir)}:x`);
    return umociUnpack(join(tmp, dir), 'x', join(tmp, `${dir}-bundle`));
  }

  test('what Skiff pushes, skopeo inspects and umoci unpacks', async () => {
    const res = await svc.push('skiff/busybox:1', `${reg.host}/skiff/busybox:1`);
    const local = await svc.inspect('skiff/busybox:1');
    assert.equal(res.digest, local.manifestDigest);
    assert.equal(res.uploaded.length, 3, 'config and two layers');
    const info = (await skopeoInspect(`docker://${reg.host}/skiff/busybox:1`)) as { Digest: string; Architecture: string; Os: string; Layers: string[] };
    assert.equal(info.Digest, local.manifestDigest);
    assert.equal(info.Architecture, 'amd64');
    assert.deepEqual(info.Layers, local.layers.map((l) => l.digest));
    const rootfs = await readBack(`${reg.host}/skiff/busybox:1`, 'back1');
    assert.deepEqual(readFileSync(join(rootfs, 'bin/busybox')), readFileSync(BUSYBOX_BIN));
    assert.equal(readlinkSync(join(rootfs, 'bin/sh')), 'busybox');
    assert.equal(readFileSync(join(rootfs, 'data0/random.bin')).length, 1 << 20);
    assert.ok((await svc.inspect('skiff/busybox:1')).repoDigests.includes(`${reg.host}/skiff/busybox@${res.digest}`));
  });

  test('a chunked upload (PATCH with Content-Range, then PUT) gives the same image', async () => {
    const res = await svc.push('skiff/busybox:1', `${proxy.host}/chunked/busybox:1`, { chunkSize: 256 << 10 });
    const patches = proxy.requests.filter((r) => r.method === 'PATCH' && r.url.includes('/chunked/busybox/'));
    assert.ok(patches.length >= 5, `several PATCH chunks, got ${patches.length}`);
    const info = (await skopeoInspect(`docker://${reg.host}/chunked/busybox:1`)) as { Digest: string };
    assert.equal(info.Digest, res.digest);
    const rootfs = await readBack(`${reg.host}/chunked/busybox:1`, 'back2');
    assert.deepEqual(readFileSync(join(rootfs, 'bin/busybox')), readFileSync(BUSYBOX_BIN));
  });

  test('a second push uploads nothing; another repository mounts the blobs', async () => {
    const again = await svc.push('skiff/busybox:1', `${proxy.host}/skiff/busybox:1`);
    assert.deepEqual(again.uploaded, []);
    assert.equal(again.skipped.length, 3);
    // Pulled through the proxy, so the image's repoDigests name a repository on that registry.
    const other = await LocalImageService.open({ root: join(tmp, 'store2') });
    await other.pull(`${proxy.host}/skiff/busybox:1`);
    const before = proxy.requests.length;
    const res = await other.push(`${proxy.host}/skiff/busybox:1`, `${proxy.host}/mounted/busybox:1`);
    const posts = proxy.requests.slice(before).filter((r) => r.method === 'POST');
    assert.ok(posts.length > 0 && posts.every((p) => /mount=sha256.*from=skiff%2Fbusybox/.test(p.url)), posts.map((p) => p.url).join('\n'));
    assert.deepEqual(res.uploaded, []);
    assert.equal(proxy.requests.slice(before).filter((r) => r.method === 'PUT' && r.url.includes('/blobs/')).length, 0, 'no blob bytes sent');
    const info = (await skopeoInspect(`docker://${reg.host}/mounted/busybox:1`)) as { Digest: string };
    assert.equal(info.Digest, res.digest);
  });

  test('pushing an unknown image or to a dead registry is a clear error', async () => {
    await assert.rejects(svc.push('nope:1', `${reg.host}/nope:1`), (e: unknown) => isImageError(e, 'NotFound') && e.message === 'nope:1: no such local image');
    const dead = await startCountingProxy('127.0.0.1:1');
    await dead.stop();
    await assert.rejects(svc.push('skiff/busybox:1', `${dead.host}/x:1`), (e: unknown) => isImageError(e, 'Unreachable') && e.message.startsWith(`${dead.host}/x:1: registry ${dead.host} is unreachable`));
  });
});
