// Registry auth: challenge parsing, docker config credentials, and the real
// docker-registry with htpasswd (basic) and token (bearer, JWT signed by a
// key the registry trusts, served by a tiny token server here).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage, htpasswdLine, missingTools, skopeoCopy, startRegistry, type BuiltImage } from '../../../test/support/images.ts';
import { isImageError } from '../image/errors.ts';
import { LocalImageService } from '../image/service.ts';
import { credentialsFromDockerConfig, parseChallenges } from './auth.ts';

test('challenges: bearer with quoted params, basic, several in one header', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.deepEqual(
    parseChallenges('Basic realm="a, b", Bearer realm=http://t/token,service=x').map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges('Negotiate abc'), []);
});

test('docker config credentials: auth base64, username/password, docker.io keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dockercfg-'));
  try {
    const p = join(dir, 'config.json');
    writeFileSync(
      p,
      JSON.stringify({
        auths: {
          'reg.example:5000': { auth: Buffer.from('u1:p:w').toString('base64') },
          'https://other.example/v2/': { username: 'u2', password: 'p2' },
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:tok').toString('base64') },
        },
      }),
    );
    assert.deepEqual(credentialsFromDockerConfig('reg.example:5000', p), { username: 'u1', password: 'p:w', identityToken: undefined, registryToken: undefined });
    assert.equal(credentialsFromDockerConfig('other.example', p)?.username, 'u2');
    assert.equal(credentialsFromDockerConfig('docker.io', p)?.username, 'hub');
    assert.equal(credentialsFromDockerConfig('nowhere', p), undefined);
    assert.equal(credentialsFromDockerConfig('reg.example:5000', join(dir, 'missing.json')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const skip = missingTools('docker-registry', 'skopeo', 'openssl');

describe('docker-registry auth', { skip }, () => {
  let tmp: string;
  let img: BuiltImage;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-regauth-'));
    img = await buildBusyboxImage(join(tmp, 'img'), { tag: '1' });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('htpasswd (basic): refused anonymously, pushes and pulls with credentials', async (t) => {
    if (!(await htpasswdLine('x', 'y'))) return t.skip('no bcrypt here (python3 crypt)');
    const reg = await startRegistry({ auth: { htpasswd: { username: 'alice', password: 's3cret' } } });
    try {
      const svc = await LocalImageService.open({ root: join(tmp, 'basic') });
      await svc.import(img.layout, { name: 'app:1' });
      await assert.rejects(svc.push('app:1', `${reg.host}/app:1`), (e: unknown) => isImageError(e, 'Unauthorized') && e.message.includes('refused access anonymously'));
      const auth = { username: 'alice', password: 's3cret' };
      const res = await svc.push('app:1', `${reg.host}/app:1`, { auth });
      const other = await LocalImageService.open({ root: join(tmp, 'basic2') });
      await assert.rejects(other.pull(`${reg.host}/app:1`, { auth: { username: 'alice', password: 'nope' } }), (e: unknown) => isImageError(e, 'Unauthorized') && /as alice/.test(e.message));
      const pulled = await other.pull(`${reg.host}/app:1`, { auth });
      assert.equal(pulled.manifestDigest, res.digest);
    } finally {
      await reg.stop();
    }
  });

  test('token (bearer): the registry sends the client to the token server, and trusts what it signs', async () => {
    // A P-256 key and a self-signed certificate the registry trusts as its root.
    const key = join(tmp, 'key.pem');
    const cert = join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=skiff-test-token'], { stdio: 'ignore' });
    const der = execFileSync('openssl', ['x509', '-in', cert, '-outform', 'DER']);
    const privateKey = createPrivateKey(readFileSync(key));
    const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
    const requests: { user?: string; scopes: string[] }[] = [];
    const tokens: Server = createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      const authz = req.headers.authorization;
      const user = authz ? Buffer.from(authz.replace(/^Basic /, ''), 'base64').toString().split(':') : undefined;
      const scopes = u.searchParams.getAll('scope');
      requests.push({ user: user?.[0], scopes });
      if (user && !(user[0] === 'bob' && user[1] === 'pw')) return void res.writeHead(401).end();
      // Anonymous users may pull; bob may push.
      const access = scopes.map((s) => {
        const [type, name, actions] = s.split(':') as [string, string, string];
        return { type, name, actions: actions.split(',').filter((a) => a === 'pull' || user) };
      });
      const now = Math.floor(Date.now() / 1000);
      const header = b64u(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] }));
      const claims = b64u(JSON.stringify({ iss: 'skiff-test-issuer', sub: user?.[0] ?? '', aud: 'skiff-test', exp: now + 300, nbf: now - 10, iat: now, jti: String(Math.random()), access }));
      const sig = sign('sha256', Buffer.from(`${header}.${claims}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${header}.${claims}.${b64u(sig)}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const realm = `http://127.0.0.1:${(tokens.address() as { port: number }).port}/token`;
    const reg = await startRegistry({ auth: { token: { realm, service: 'skiff-test', issuer: 'skiff-test-issuer', rootCertBundle: cert } } });
    try {
      const svc = await LocalImageService.open({ root: join(tmp, 'bearer') });
      await svc.import(img.layout, { name: 'app:1' });
      await assert.rejects(svc.push('app:1', `${reg.host}/team/app:1`), (e: unknown) => isImageError(e, 'Unauthorized'), 'an anonymous token cannot push');
      const res = await svc.push('app:1', `${reg.host}/team/app:1`, { auth: { username: 'bob', password: 'pw' } });
      assert.ok(requests.some((r) => r.user === 'bob' && r.scopes.includes('repository:team/app:pull,push')), JSON.stringify(requests));
      // Anonymous pull works with an anonymous token.
      const other = await LocalImageService.open({ root: join(tmp, 'bearer2') });
      const pulled = await other.pull(`${reg.host}/team/app:1`);
      assert.equal(pulled.manifestDigest, res.digest);
      assert.ok(requests.some((r) => r.user === undefined && r.scopes.includes('repository:team/app:pull')));
      // skopeo agrees the registry is serving it.
      await skopeoCopy(`docker://${reg.host}/team/app:1`, `oci:${join(tmp, 'back')}:1`);
    } finally {
      await reg.stop();
      tokens.closeAllConnections();
      await new Promise((r) => tokens.close(r));
    }
  });
});
