// The embedded registry, driven by skopeo (a docker-registry client Skiff did
// not write) and by Skiff's own client; the spec's error bodies; auth hooks.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_BIN, buildBusyboxImage, missingTools, skopeoCopy, skopeoInspect, umociUnpack, type BuiltImage } from '../../../test/support/images.ts';
import { isImageError } from '../image/errors.ts';
import { sha256 } from '../image/digest.ts';
import { LocalImageService } from '../image/service.ts';
import { createRegistryHandler, type RegistryAccess, type RegistryServerOptions } from './server.ts';

const skip = missingTools('skopeo', 'umoci');

async function serve(opts: Omit<RegistryServerOptions, 'root'>, root: string): Promise<{ host: string; server: Server; stop: () => Promise<void> }> {
  const handler = await createRegistryHandler({ ...opts, root });
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end('not the registry');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host,
    server,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function call(host: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const [h, p] = host.split(':');
  return new Promise((resolve, reject) => {
    const r = request({ host: h, port: Number(p), method, path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

const codeOf = (body: string) => (JSON.parse(body) as { errors: { code: string }[] }).errors[0]!.code;

describe('embedded registry', () => {
  let tmp: string;
  let reg: Awaited<ReturnType<typeof serve>>;
  let img: BuiltImage;
  let multi: BuiltImage;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-embedded-'));
    reg = await serve({}, join(tmp, 'registry'));
    img = await buildBusyboxImage(join(tmp, 'img'), { tag: '1', randomLayers: [512 << 10] });
    multi = await buildBusyboxImage(join(tmp, 'multi'), { tag: '1', platforms: ['linux/amd64', 'linux/arm64'] });
  });
  after(async () => {
    await reg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('skopeo pushes to it and pulls from it; umoci unpacks the result', { skip }, async () => {
    await skopeoCopy(img.ociRef, `docker://${reg.host}/test/busybox:1`);
    const info = (await skopeoInspect(`docker://${reg.host}/test/busybox:1`)) as { Digest: string; RepoTags: string[] };
    assert.equal(info.Digest, img.digest);
    assert.deepEqual(info.RepoTags, ['1']);
    await skopeoCopy(`docker://${reg.host}/test/busybox:1`, `oci:${join(tmp, 'back')}:x`);
    const rootfs = await umociUnpack(join(tmp, 'back'), 'x', join(tmp, 'bundle'));
    assert.deepEqual(readFileSync(join(rootfs, 'bin/busybox')), readFileSync(BUSYBOX_BIN));
  });

  test('skopeo copies a multi-platform index; Skiff pulls linux/amd64 from it', { skip }, async () => {
    await skopeoCopy(multi.ociRef, `docker://${reg.host}/test/multi:1`, ['--all']);
    const raw = (await skopeoInspect(`docker://${reg.host}/test/multi:1`, true)) as { manifests: unknown[] };
    assert.equal(raw.manifests.length, 2);
    const svc = await LocalImageService.open({ root: join(tmp, 'store-multi') });
    const got = await svc.pull(`${reg.host}/test/multi:1`);
    assert.equal(got.manifestDigest, multi.manifests['linux/amd64']!.digest);
  });

  test("Skiff's client pushes to it and pulls back what it pushed", async () => {
    const a = await LocalImageService.open({ root: join(tmp, 'store-a') });
    await a.import(img.layout, { name: 'app:1' });
    const pushed = await a.push('app:1', `${reg.host}/team/app:1`, { chunkSize: 200 << 10 });
    const b = await LocalImageService.open({ root: join(tmp, 'store-b') });
    const pulled = await b.pull(`${reg.host}/team/app:1`);
    assert.equal(pulled.manifestDigest, pushed.digest);
    assert.equal(pulled.id, (await a.inspect('app:1')).id);
    const again = await a.push('app:1', `${reg.host}/team/app:1`);
    assert.deepEqual(again.uploaded, []);
    const tags = await call(reg.host, 'GET', '/v2/team/app/tags/list');
    assert.deepEqual(JSON.parse(tags.body), { name: 'team/app', tags: ['1'] });
  });

  test('the default registry is tried first for a name without a registry', async () => {
    const a = await LocalImageService.open({ root: join(tmp, 'store-c'), defaultRegistry: reg.host });
    await a.import(img.layout, { name: 'plain:1' });
    const res = await a.push('plain:1');
    assert.equal(res.name, `${reg.host}/plain:1`);
    const b = await LocalImageService.open({ root: join(tmp, 'store-d'), defaultRegistry: reg.host });
    const pulled = await b.pull('plain:1');
    assert.deepEqual(pulled.repoTags, [`${reg.host}/plain:1`]);
    assert.equal((await b.resolve('plain:1'))?.id, pulled.id, 'resolve finds it by the short name');
  });

  test('errors in the spec format', async () => {
    const zero = 'sha256:' + '0'.repeat(64);
    let r = await call(reg.host, 'GET', `/v2/test/busybox/blobs/${zero}`);
    assert.equal(r.status, 404);
    assert.equal(codeOf(r.body), 'BLOB_UNKNOWN');
    r = await call(reg.host, 'GET', '/v2/test/busybox/manifests/nope');
    assert.equal(r.status, 404);
    assert.equal(codeOf(r.body), 'MANIFEST_UNKNOWN');
    r = await call(reg.host, 'GET', '/v2/nobody/manifests/1');
    assert.equal(codeOf(r.body), 'NAME_UNKNOWN');
    r = await call(reg.host, 'GET', '/v2/Bad_Name/manifests/1');
    assert.equal(r.status, 400);
    assert.equal(codeOf(r.body), 'NAME_INVALID');
    r = await call(reg.host, 'PUT', '/v2/x/manifests/1', { body: 'not json', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(r.status, 400);
    assert.equal(codeOf(r.body), 'MANIFEST_INVALID');
    const m = readFileSync(join(img.layout, 'blobs', 'sha256', img.digest.slice(7)));
    r = await call(reg.host, 'PUT', '/v2/fresh/manifests/1', { body: m, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(codeOf(r.body), 'MANIFEST_BLOB_UNKNOWN');
    r = await call(reg.host, 'PUT', `/v2/fresh/manifests/${zero}`, { body: m, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(codeOf(r.body), 'DIGEST_INVALID');
  });

  test('uploads: monolithic, chunked with Location/Range/Docker-Upload-UUID, wrong digest, out-of-order chunk', async () => {
    const data = Buffer.from('hello registry '.repeat(1000));
    const digest = sha256(data);
    let r = await call(reg.host, 'POST', '/v2/up/blobs/uploads/');
    assert.equal(r.status, 202);
    assert.equal(r.headers.range, '0-0');
    assert.match(r.headers['docker-upload-uuid'] as string, /^[0-9a-f-]{36}$/);
    let loc = r.headers.location as string;
    r = await call(reg.host, 'PATCH', loc, { body: data.subarray(0, 5000), headers: { 'content-range': '0-4999' } });
    assert.equal(r.status, 202);
    assert.equal(r.headers.range, '0-4999');
    loc = r.headers.location as string;
    r = await call(reg.host, 'PATCH', loc, { body: data.subarray(6000), headers: { 'content-range': '6000-14999' } });
    assert.equal(r.status, 416, 'a chunk that does not continue the upload');
    r = await call(reg.host, 'GET', loc);
    assert.equal(r.status, 204);
    assert.equal(r.headers.range, '0-4999');
    r = await call(reg.host, 'PUT', `${loc}?digest=${'sha256:' + '1'.repeat(64)}`, { body: data.subarray(5000) });
    assert.equal(r.status, 400);
    assert.equal(codeOf(r.body), 'DIGEST_INVALID');
    r = await call(reg.host, 'GET', loc);
    assert.equal(codeOf(r.body), 'BLOB_UPLOAD_UNKNOWN', 'a failed upload is gone');
    r = await call(reg.host, 'POST', `/v2/up/blobs/uploads/?digest=${digest}`, { body: data });
    assert.equal(r.status, 201);
    assert.equal(r.headers['docker-content-digest'], digest);
    r = await call(reg.host, 'HEAD', `/v2/up/blobs/${digest}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(data.length));
    r = await call(reg.host, 'GET', `/v2/up/blobs/${digest}`, { headers: { range: 'bytes=10-19' } });
    assert.equal(r.status, 206);
    assert.equal(r.body, data.subarray(10, 20).toString());
    r = await call(reg.host, 'POST', `/v2/other/blobs/uploads/?mount=${digest}&from=up`);
    assert.equal(r.status, 201, 'cross-repository mount');
    r = await call(reg.host, 'HEAD', `/v2/other/blobs/${digest}`);
    assert.equal(r.status, 200);
  });
});

describe('embedded registry auth', () => {
  let tmp: string;
  let img: BuiltImage;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-embedded-auth-'));
    img = await buildBusyboxImage(join(tmp, 'img'), { tag: '1' });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('basic: refused without credentials, served with them (Skiff and skopeo)', async () => {
    const expected = 'Basic ' + Buffer.from('alice:s3cret').toString('base64');
    const reg = await serve({ authorize: (req) => req.headers.authorization === expected }, join(tmp, 'basic'));
    try {
      const svc = await LocalImageService.open({ root: join(tmp, 'basic-store') });
      await svc.import(img.layout, { name: 'app:1' });
      await assert.rejects(svc.push('app:1', `${reg.host}/app:1`), (e: unknown) => isImageError(e, 'Unauthorized') && /refused access anonymously/.test(e.message));
      await assert.rejects(svc.push('app:1', `${reg.host}/app:1`, { auth: { username: 'alice', password: 'wrong' } }), (e: unknown) => isImageError(e, 'Unauthorized') && /as alice/.test(e.message));
      await svc.push('app:1', `${reg.host}/app:1`, { auth: { username: 'alice', password: 's3cret' } });
      // Credentials from a docker config file.
      const cfg = join(tmp, 'docker-config.json');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(cfg, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
      const other = await LocalImageService.open({ root: join(tmp, 'basic-store2'), dockerConfigPath: cfg });
      const pulled = await other.pull(`${reg.host}/app:1`);
      assert.equal(pulled.id, (await svc.inspect('app:1')).id);
      if (!skip) {
        await assert.rejects(skopeoInspect(`docker://${reg.host}/app:1`));
        const { execFile } = await import('node:child_process');
        const { promisify } = await import('node:util');
        const { stdout } = await promisify(execFile)('skopeo', ['inspect', '--tls-verify=false', '--creds', 'alice:s3cret', `docker://${reg.host}/app:1`]);
        assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, pulled.manifestDigest);
      }
    } finally {
      await reg.stop();
    }
  });

  test('bearer: the challenge sends the client to a token server; the token opens the registry', async () => {
    const issued = new Set<string>();
    const scopes: string[] = [];
    const tokens = createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      const basic = req.headers.authorization;
      if (basic !== 'Basic ' + Buffer.from('bob:pw').toString('base64')) return void res.writeHead(401).end();
      scopes.push(...u.searchParams.getAll('scope'));
      const t = `tok-${issued.size}`;
      issued.add(t);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: t, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(tokens.address() as { port: number }).port}/token`;
    const reg = await serve(
      {
        authorize: (req) => issued.has((req.headers.authorization ?? '').replace(/^Bearer /, '')),
        challenge: (a: RegistryAccess) => `Bearer realm="${realm}",service="skiff-test"${a.repository ? `,scope="repository:${a.repository}:${a.actions.join(',')}"` : ''}`,
      },
      join(tmp, 'bearer'),
    );
    try {
      const svc = await LocalImageService.open({ root: join(tmp, 'bearer-store') });
      await svc.import(img.layout, { name: 'app:1' });
      await assert.rejects(svc.push('app:1', `${reg.host}/app:1`), (e: unknown) => isImageError(e, 'Unauthorized') && /token server .* refused \(401\) anonymous/.test(e.message));
      await svc.push('app:1', `${reg.host}/app:1`, { auth: { username: 'bob', password: 'pw' } });
      assert.ok(scopes.includes('repository:app:pull,push'), scopes.join(' '));
      const other = await LocalImageService.open({ root: join(tmp, 'bearer-store2') });
      const pulled = await other.pull(`${reg.host}/app:1`, { auth: { auth: Buffer.from('bob:pw').toString('base64') } });
      assert.equal(pulled.id, (await svc.inspect('app:1')).id);
    } finally {
      await reg.stop();
      tokens.closeAllConnections();
      await new Promise((r) => tokens.close(r));
    }
  });
});
