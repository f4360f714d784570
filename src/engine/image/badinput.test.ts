// Bad input on pull: a registry (a small fake built on a real OCI layout)
// serves broken content; each case is a clear ImageError naming the image,
// and no name is left behind.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, type BuiltImage } from '../../../test/support/images.ts';
import { isImageError, type ImageErrorReason } from './errors.ts';
import { LocalImageService } from './service.ts';

type Fault = { anyDigest?: boolean; manifestBody?: Buffer; contentType?: string; blob?: Record<string, 'corrupt' | 'short' | 'missing'> };

describe('bad input on pull', () => {
  let tmp: string;
  let img: BuiltImage;
  let arm: BuiltImage;
  let server: Server;
  let host: string;
  const faults = new Map<string, Fault>();
  let n = 0;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-badinput-'));
    img = await buildBusyboxImage(join(tmp, 'img'));
    arm = await buildBusyboxImage(join(tmp, 'arm'), { platforms: ['linux/arm64'] });
    server = createServer((req, res) => {
      const m = /^\/v2\/([^/]+)\/(manifests|blobs)\/(.+)$/.exec(req.url ?? '');
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      if (!m) return void res.writeHead(404).end();
      const [, repo, kind, ref] = m as unknown as [string, string, string, string];
      const layout = repo === 'arm' ? arm : img;
      const f = faults.get(repo) ?? {};
      const blobFile = (d: string) => join(layout.layout, 'blobs', 'sha256', d.slice(7));
      if (kind === 'manifests') {
        const body = f.manifestBody ?? readFileSync(blobFile(ref.startsWith('sha256:') && !f.anyDigest ? ref : layout.digest));
        res.writeHead(200, { 'content-type': f.contentType ?? 'application/vnd.oci.image.manifest.v1+json', 'content-length': body.length });
        return void res.end(req.method === 'HEAD' ? undefined : body);
      }
      const fault = f.blob?.[ref];
      if (fault === 'missing') return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: ref }] }));
      let body = readFileSync(blobFile(ref));
      if (fault === 'corrupt') body = Buffer.from(body.map((b, i) => (i === 100 ? b ^ 0xff : b)));
      if (fault === 'short') body = body.subarray(0, body.length >> 1);
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  async function expectFailure(repo: string, fault: Fault, reason: ImageErrorReason, message: RegExp): Promise<LocalImageService> {
    faults.set(repo, fault);
    const svc = await LocalImageService.open({ root: join(tmp, `store-${n++}`) });
    const ref = `${host}/${repo}:latest`;
    await assert.rejects(svc.pull(ref), (e: unknown) => {
      assert.ok(isImageError(e, reason), `want ${reason}, got ${String(e)}`);
      assert.ok(e.message.startsWith(`${ref}: `), `names the image: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
    assert.equal(await svc.resolve(ref), null);
    assert.deepEqual(await svc.list(), []);
    assert.deepEqual(readdirSync(join(svc.store.root, 'names')), [], 'no name written');
    return svc;
  }

  test('a manifest that is not JSON', async () => {
    const svc = await expectFailure('notjson', { manifestBody: Buffer.from('<html>oops</html>') }, 'ManifestInvalid', /manifest is not JSON/);
    assert.deepEqual(await svc.store.content.list(), [], 'not even the manifest was stored');
  });

  test('a Docker schema 1 manifest', async () => {
    await expectFailure('schema1', { manifestBody: Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] })), contentType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, 'ManifestInvalid', /schema 1/);
  });

  test('a manifest with a malformed layer digest', async () => {
    const m = JSON.parse(readFileSync(join(img.layout, 'blobs', 'sha256', img.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    m.layers[0]!.digest = 'sha256:xyz';
    await expectFailure('baddigest', { manifestBody: Buffer.from(JSON.stringify(m)) }, 'DigestMismatch', /invalid digest "sha256:xyz"/);
  });

  test('a blob whose content does not match its digest', async () => {
    const layer = img.manifests['linux/amd64']!.layers[0]!;
    const svc = await expectFailure('corrupt', { blob: { [layer]: 'corrupt' } }, 'DigestMismatch', new RegExp(`blob content hashes to sha256:[a-f0-9]{64}, not ${layer}`));
    assert.equal(await svc.store.content.has(layer), false);
    assert.deepEqual(readdirSync(join(svc.store.root, 'ingest')), [], 'the bad partial file is dropped');
  });

  test('a truncated blob (kept for a resume, never committed)', async () => {
    const layer = img.manifests['linux/amd64']!.layers[0]!;
    const svc = await expectFailure('short', { blob: { [layer]: 'short' } }, 'SizeMismatch', new RegExp(`blob ${layer} is truncated: got \\d+ of \\d+ bytes`));
    assert.equal(await svc.store.content.has(layer), false);
  });

  test('a missing layer', async () => {
    const layer = img.manifests['linux/amd64']!.layers[0]!;
    await expectFailure('missing', { blob: { [layer]: 'missing' } }, 'BlobUnknown', new RegExp(`fetching blob ${layer}: not found on ${host} \\(BLOB_UNKNOWN`));
  });

  test('an image built for another platform, refused before any layer moves', async () => {
    const svc = await expectFailure('arm', {}, 'PlatformNotFound', /image is for linux\/arm64, this node runs linux\/amd64/);
    assert.equal(await svc.store.content.has(arm.manifests['linux/arm64']!.layers[0]!), false);
  });

  test('a reference with a bad digest is refused before any request', async () => {
    const svc = await LocalImageService.open({ root: join(tmp, `store-${n++}`) });
    await assert.rejects(svc.pull(`${host}/x@sha256:1234`), (e: unknown) => isImageError(e, 'InvalidReference') && /sha256:<64 lowercase hex>/.test(e.message));
  });

  test('a manifest whose bytes do not match the digest asked for', async () => {
    const svc = await LocalImageService.open({ root: join(tmp, `store-${n++}`) });
    faults.set('pinned', { anyDigest: true });
    const wrong = 'sha256:' + createHash('sha256').update('other').digest('hex');
    await assert.rejects(svc.pull(`${host}/pinned@${wrong}`), (e: unknown) => isImageError(e, 'DigestMismatch') && /manifest content hashes to/.test(e.message));
  });
});
