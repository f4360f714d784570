// Test images and registries without the internet: a static busybox rootfs
// packed into an OCI image layout (gzip layer, optional extra random layers,
// optional multi-platform index), the real `docker-registry` on a loopback
// port with a temp storage dir, and skopeo/umoci helpers. Written with
// tar-stream and zlib only, so what it builds does not depend on the code
// under test.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { waitFor } from './wait.ts';

export const BUSYBOX_BIN = '/usr/bin/busybox';
export const BUSYBOX_APPLETS = ['sh', 'echo', 'cat', 'sleep', 'true', 'false', 'ls', 'ps', 'hostname', 'mount', 'env', 'id', 'head', 'dd', 'wc', 'grep'];

const run = promisify(execFile);

/** Why a test needs to skip, or undefined when every tool is there. */
export function missingTools(...bins: string[]): string | undefined {
  const missing = bins.filter((b) => !['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin'].some((d) => existsSync(join(d, b))));
  return missing.length ? `needs ${missing.join(', ')} (not installed)` : undefined;
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

type Entry = { name: string; type: 'file' | 'directory' | 'symlink'; body?: Buffer; mode?: number; linkname?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const cb = (err?: Error | null) => (err ? rej(err) : res());
      const h = { name: e.name, type: e.type, mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), mtime: new Date(0), linkname: e.linkname };
      if (e.type === 'file') pack.entry(h, e.body ?? Buffer.alloc(0), cb);
      else pack.entry(h, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface BuildImageOptions {
  /** Tag written as org.opencontainers.image.ref.name (default `latest`). */
  tag?: string;
  /** Extra layers of random bytes (sizes in bytes), for throughput benches. */
  randomLayers?: number[];
  /** Platforms (`linux/amd64`, `linux/arm64`): more than one makes a multi-platform index. */
  platforms?: string[];
  /** Compress layers with gzip (default true). */
  gzip?: boolean;
  /** Image config Cmd (default ["sh"]). */
  cmd?: string[];
}

export interface BuiltImage {
  /** The OCI layout directory. */
  layout: string;
  tag: string;
  /** `oci:<layout>:<tag>` for skopeo/umoci. */
  ociRef: string;
  /** Digest of what the tag points at (the index for multi-platform images). */
  digest: string;
  /** Per platform: manifest digest and config digest. */
  manifests: Record<string, { digest: string; config: string; layers: string[]; diffIDs: string[] }>;
  /** Total bytes of the layers. */
  layerBytes: number;
}

/**
 * Builds an OCI layout at `dir` holding a static busybox image: /bin/busybox
 * and symlinks for common applets, /etc/passwd, /tmp; plus optional extra
 * random layers and platforms.
 */
export async function buildBusyboxImage(dir: string, opts: BuildImageOptions = {}): Promise<BuiltImage> {
  const tag = opts.tag ?? 'latest';
  const gzip = opts.gzip ?? true;
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const d = sha(b);
    writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
    return d;
  };
  const layerTars: Buffer[] = [];
  layerTars.push(
    await tarOf([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/busybox', type: 'file', mode: 0o755, body: readFileSync(BUSYBOX_BIN) },
      ...BUSYBOX_APPLETS.map((a): Entry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', type: 'file', body: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
      { name: 'etc/group', type: 'file', body: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'root/', type: 'directory', mode: 0o700 },
    ]),
  );
  for (const [i, size] of (opts.randomLayers ?? []).entries()) {
    layerTars.push(await tarOf([{ name: `data${i}/`, type: 'directory' }, { name: `data${i}/random.bin`, type: 'file', body: randomBytes(size) }]));
  }
  const layers = layerTars.map((t) => {
    const blob = gzip ? gzipSync(t, { level: 1 }) : t;
    return { diffID: sha(t), digest: put(blob), size: blob.length };
  });
  const platforms = opts.platforms ?? ['linux/amd64'];
  const manifests: BuiltImage['manifests'] = {};
  const descs: object[] = [];
  for (const p of platforms) {
    const [os, architecture, variant] = p.split('/') as [string, string, string | undefined];
    const config = Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture,
        os,
        ...(variant ? { variant } : {}),
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: opts.cmd ?? ['sh'], WorkingDir: '/' },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
        history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test/support/images.ts' })),
      }),
    );
    const configDigest = put(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: layers.map((l) => ({ mediaType: gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
      }),
    );
    const md = put(manifest);
    manifests[p] = { digest: md, config: configDigest, layers: layers.map((l) => l.digest), diffIDs: layers.map((l) => l.diffID) };
    descs.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length, platform: { os, architecture, ...(variant ? { variant } : {}) } });
  }
  let top: { mediaType: string; digest: string; size: number };
  if (platforms.length === 1) {
    const only = descs[0] as { mediaType: string; digest: string; size: number };
    top = { mediaType: only.mediaType, digest: only.digest, size: only.size };
  } else {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs }));
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: put(index), size: index.length };
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }));
  return { layout: dir, tag, ociRef: `oci:${dir}:${tag}`, digest: top.digest, manifests, layerBytes: layers.reduce((n, l) => n + l.size, 0) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistryAuth {
  /** htpasswd basic auth: the bcrypt entry is made with python3's crypt (skip when it cannot). */
  htpasswd?: { username: string; password: string };
  /** Token auth: the registry trusts tokens signed by the key of `rootCertBundle`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  storage: string;
  stop(): Promise<void>;
}

/** A bcrypt htpasswd line, or undefined when this machine cannot make one. */
export async function htpasswdLine(username: string, password: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))', password]);
    const hash = stdout.trim();
    return hash.startsWith('$2') ? `${username}:${hash}` : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `docker-registry serve` on 127.0.0.1:<free port> with its own storage; stop() kills it and removes the storage. */
export async function startRegistry(opts: { auth?: RegistryAuth } = {}): Promise<TestRegistry> {
  const root = mkdtempSync(join(tmpdir(), 'skiff-registry-'));
  const storage = join(root, 'storage');
  const port = await freePort();
  let auth = '';
  if (opts.auth?.htpasswd) {
    const line = await htpasswdLine(opts.auth.htpasswd.username, opts.auth.htpasswd.password);
    if (!line) throw new Error('cannot make a bcrypt htpasswd entry here (python3 crypt missing)');
    writeFileSync(join(root, 'htpasswd'), line + '\n');
    auth = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${join(root, 'htpasswd')}\n`;
  } else if (opts.auth?.token) {
    const t = opts.auth.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  }
  const config = join(root, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const proc: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let exited = false;
  const exit = new Promise<void>((res) => proc.once('exit', () => ((exited = true), res())));
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`docker-registry exited: ${stderr}`);
        return new Promise<boolean>((res) => {
          const r = request({ host: '127.0.0.1', port, path: '/v2/', timeout: 1000 }, (resp) => {
            resp.resume();
            res(resp.statusCode === 200 || resp.statusCode === 401);
          });
          r.on('error', () => res(false));
          r.end();
        });
      },
      'docker-registry to answer /v2/',
      10_000,
      25,
    );
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    storage,
    stop: async () => {
      if (!exited) proc.kill('SIGTERM');
      await exit;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `skopeo copy` between transports; plain http and no signature policy, as tests need. */
export async function skopeoCopy(src: string, dest: string, extra: string[] = []): Promise<void> {
  await run('skopeo', ['--insecure-policy', 'copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', ...extra, src, dest], { maxBuffer: 16 << 20 });
}

/** `skopeo inspect --raw` or parsed inspect output. */
export async function skopeoInspect(ref: string, raw = false): Promise<unknown> {
  const { stdout } = await run('skopeo', ['--insecure-policy', 'inspect', '--tls-verify=false', ...(raw ? ['--raw'] : []), ref], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as unknown;
}

/** `umoci unpack` of `oci:DIR:TAG` into a bundle; returns the bundle's rootfs path. */
export async function umociUnpack(layout: string, tag: string, bundle: string): Promise<string> {
  await run('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { maxBuffer: 16 << 20 });
  return join(bundle, 'rootfs');
}

export interface ProxiedRequest {
  method: string;
  url: string;
  range?: string;
  status?: number;
}

export interface CountingProxy {
  host: string;
  requests: ProxiedRequest[];
  /** Blob GETs seen (method GET, path /v2/.../blobs/sha256:...). */
  blobGets(): ProxiedRequest[];
  /** Cut the next blob response after this many body bytes (once). */
  cutNextBlobAfter(bytes: number): void;
  stop(): Promise<void>;
}

/** An HTTP proxy on loopback in front of a registry that records every request and can cut a blob download short. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [thost, tport] = target.split(':') as [string, string];
  const requests: ProxiedRequest[] = [];
  let cutAfter: number | undefined;
  const server = createServer((req, res) => {
    const rec: ProxiedRequest = { method: req.method!, url: req.url!, range: req.headers.range };
    requests.push(rec);
    const headers = { ...req.headers, host: target };
    const up = request({ host: thost, port: Number(tport), method: req.method, path: req.url, headers }, (ur) => {
      rec.status = ur.statusCode;
      // Redirects point at the registry itself: keep them on the proxy.
      const h = { ...ur.headers };
      if (typeof h.location === 'string') h.location = h.location.replace(`//${target}`, `//${hostOf()}`);
      const isBlob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url!) && ur.statusCode! < 300;
      if (isBlob && cutAfter !== undefined && Number(ur.headers['content-length'] ?? 0) > cutAfter) {
        const limit = cutAfter;
        cutAfter = undefined;
        res.writeHead(ur.statusCode!, h);
        let sent = 0;
        ur.on('data', (c: Buffer) => {
          if (sent >= limit) return;
          const part = c.subarray(0, limit - sent);
          sent += part.length;
          res.write(part);
          if (sent >= limit) {
            ur.destroy();
            res.socket?.destroy();
          }
        });
        return;
      }
      res.writeHead(ur.statusCode!, h);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const hostOf = () => `127.0.0.1:${port}`;
  return {
    host: hostOf(),
    requests,
    blobGets: () => requests.filter((r) => r.method === 'GET' && /\/blobs\/sha256:/.test(r.url)),
    cutNextBlobAfter: (n) => (cutAfter = n),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
