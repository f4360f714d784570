// The embedded registry: the OCI distribution API v2 as a plain Node request
// handler, enough for docker-registry clients (skopeo, docker, containerd,
// Skiff) to push and pull. The API server mounts it at /v2/; the handler
// answers true for requests it took. Errors use the spec's JSON format.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseManifest } from '../image/manifest.ts';
import { isDigest, sha256 } from '../image/digest.ts';
import { ImageError } from '../image/errors.ts';
import { OCI_MANIFEST } from '../image/mediatypes.ts';
import { REPO_NAME, RegistryStorage } from './storage.ts';

export interface RegistryAccess {
  /** Repository asked for; absent for the /v2/ version check and the catalog. */
  repository?: string;
  actions: ('pull' | 'push')[];
}

export interface RegistryServerOptions {
  /** Directory the registry keeps its blobs, manifests and uploads in. */
  root: string;
  /** Allows or refuses a request; absent = everyone may pull and push. */
  authorize?: (req: IncomingMessage, access: RegistryAccess) => boolean | Promise<boolean>;
  /** WWW-Authenticate sent with a 401 (default `Basic realm="skiff-registry"`). */
  challenge?: (access: RegistryAccess) => string;
  /** Largest manifest accepted (default 4 MiB). */
  maxManifestBytes?: number;
}

export type RegistryHandler = ((req: IncomingMessage, res: ServerResponse) => boolean) & { storage: RegistryStorage };

const TAG = /^[\w][\w.-]{0,127}$/;

class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const blobUnknown = (d: string) => new RegistryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest: d });
const manifestUnknown = (r: string) => new RegistryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference: r });
const uploadUnknown = (id: string) => new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid: id });
const digestInvalid = (why: string) => new RegistryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', why);
const unsupported = () => new RegistryError(405, 'UNSUPPORTED', 'The operation is unsupported.');

function send(res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: Buffer | string): void {
  res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers, ...(body === undefined && headers['content-length'] === undefined ? { 'content-length': 0 } : {}) });
  res.end(body);
}

function sendError(res: ServerResponse, e: RegistryError, head: boolean): void {
  const body = JSON.stringify({ errors: [{ code: e.code, message: e.message, detail: e.detail ?? null }] });
  send(res, e.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...e.headers }, head ? undefined : body);
}

async function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new RegistryError(413, 'SIZE_INVALID', `manifest larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Creates the handler (and its storage under opts.root). */
export async function createRegistryHandler(opts: RegistryServerOptions): Promise<RegistryHandler> {
  const storage = await new RegistryStorage(opts.root).init();
  const maxManifest = opts.maxManifestBytes ?? 4 << 20;

  const uploadHeaders = (repo: string, id: string, size: number) => ({
    location: `/v2/${repo}/blobs/uploads/${id}`,
    range: `0-${Math.max(0, size - 1)}`,
    'docker-upload-uuid': id,
  });

  async function authorize(req: IncomingMessage, access: RegistryAccess): Promise<void> {
    if (!opts.authorize || (await opts.authorize(req, access))) return;
    const challenge = opts.challenge?.(access) ?? 'Basic realm="skiff-registry"';
    throw new RegistryError(401, 'UNAUTHORIZED', 'authentication required', access.repository ? [{ Type: 'repository', Name: access.repository, Action: access.actions.join(',') }] : null, { 'www-authenticate': challenge });
  }

  async function blobGet(req: IncomingMessage, res: ServerResponse, repo: string, digest: string, head: boolean): Promise<void> {
    if (!isDigest(digest)) throw digestInvalid(`${digest} is not sha256:<64 hex>`);
    const size = await storage.hasBlob(repo, digest);
    if (size === null) throw blobUnknown(digest);
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest, etag: `"${digest}"`, 'accept-ranges': 'bytes' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) throw new RegistryError(416, 'RANGE_INVALID', 'requested range not satisfiable', null, { 'content-range': `bytes */${size}` });
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = end - start + 1;
    if (head || size === 0) return send(res, status, headers);
    res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
    const s = await storage.content.open(digest, start, end);
    s.on('error', () => res.destroy());
    s.pipe(res);
  }

  async function manifestGet(res: ServerResponse, repo: string, ref: string, head: boolean): Promise<void> {
    const digest = isDigest(ref) ? ref : TAG.test(ref) ? await storage.tagDigest(repo, ref) : null;
    if (!digest) {
      if (!(await storage.repoExists(repo))) throw new RegistryError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repo });
      throw manifestUnknown(ref);
    }
    const mediaType = await storage.manifestType(repo, digest);
    if (mediaType === null) throw manifestUnknown(ref);
    const bytes = await storage.content.read(digest);
    send(res, 200, { 'content-type': mediaType, 'docker-content-digest': digest, etag: `"${digest}"`, 'content-length': bytes.length }, head ? undefined : bytes);
  }

  async function manifestPut(req: IncomingMessage, res: ServerResponse, repo: string, ref: string): Promise<void> {
    const bytes = await readAll(req, maxManifest);
    const digest = sha256(bytes);
    if (isDigest(ref) && ref !== digest) throw digestInvalid(`manifest hashes to ${digest}, not ${ref}`);
    if (!isDigest(ref) && !TAG.test(ref)) throw new RegistryError(400, 'TAG_INVALID', 'manifest tag did not match URI', { tag: ref });
    let parsed;
    try {
      parsed = parseManifest(bytes, `${repo}:${ref}`, (req.headers['content-type'] ?? '').split(';')[0]!.trim() || undefined);
    } catch (e) {
      if (e instanceof ImageError) throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest invalid', e.detail);
      throw e;
    }
    if (parsed.kind === 'manifest') {
      for (const d of [parsed.manifest.config, ...parsed.manifest.layers]) {
        if ((await storage.hasBlob(repo, d.digest)) === null) throw new RegistryError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: d.digest });
      }
    } else {
      for (const d of parsed.index.manifests) {
        if ((await storage.manifestType(repo, d.digest)) === null) throw new RegistryError(400, 'MANIFEST_BLOB_UNKNOWN', 'manifest unknown to registry', { digest: d.digest });
      }
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const mediaType = contentType && contentType !== 'application/json' && contentType !== 'application/octet-stream' ? contentType : (parsed.mediaType ?? OCI_MANIFEST);
    await storage.putManifest(repo, bytes, digest, mediaType, isDigest(ref) ? undefined : ref);
    send(res, 201, { location: `/v2/${repo}/manifests/${digest}`, 'docker-content-digest': digest });
  }

  async function uploadStart(req: IncomingMessage, res: ServerResponse, repo: string, q: URLSearchParams): Promise<void> {
    const mount = q.get('mount');
    const from = q.get('from');
    if (mount && from && isDigest(mount) && REPO_NAME.test(from)) {
      await authorize(req, { repository: from, actions: ['pull'] });
      if ((await storage.hasBlob(from, mount)) !== null) {
        req.resume();
        await storage.linkBlob(repo, mount);
        return send(res, 201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
      }
    }
    const id = await storage.startUpload(repo);
    const digest = q.get('digest');
    if (digest) {
      // Monolithic upload in the POST itself.
      if (!isDigest(digest)) throw digestInvalid(`${digest} is not sha256:<64 hex>`);
      await storage.append(id, req);
      return finish(res, repo, id, digest);
    }
    req.resume();
    send(res, 202, uploadHeaders(repo, id, 0));
  }

  async function finish(res: ServerResponse, repo: string, id: string, digest: string): Promise<void> {
    const got = await storage.finishUpload(id, digest);
    if (got.digest !== digest) {
      await storage.cancelUpload(id);
      throw digestInvalid(`uploaded content (${got.size} bytes) hashes to ${got.digest}, not ${digest}`);
    }
    send(res, 201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
  }

  async function uploadChunk(req: IncomingMessage, res: ServerResponse, repo: string, id: string, method: string, q: URLSearchParams): Promise<void> {
    const u = await storage.upload(repo, id);
    if (!u) throw uploadUnknown(id);
    if (method === 'GET') return send(res, 204, uploadHeaders(repo, id, u.size));
    if (method === 'DELETE') {
      await storage.cancelUpload(id);
      return send(res, 204);
    }
    const cr = req.headers['content-range'];
    if (cr !== undefined) {
      const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(cr);
      if (!m || Number(m[1]) !== u.size) {
        req.resume();
        throw new RegistryError(416, 'BLOB_UPLOAD_INVALID', 'blob upload invalid', `chunk starts at ${m?.[1] ?? '?'}, upload has ${u.size} bytes`, uploadHeaders(repo, id, u.size));
      }
    }
    const size = await storage.append(id, req);
    if (method === 'PATCH') return send(res, 202, uploadHeaders(repo, id, size));
    const digest = q.get('digest');
    if (!digest || !isDigest(digest)) throw digestInvalid(`the final PUT needs ?digest=sha256:<64 hex>, got ${JSON.stringify(digest)}`);
    return finish(res, repo, id, digest);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    if (path === '/v2/' || path === '/v2') {
      await authorize(req, { actions: [] });
      return send(res, 200, { 'content-type': 'application/json', 'content-length': 2 }, head ? undefined : '{}');
    }
    if (path === '/v2/_catalog') {
      await authorize(req, { actions: ['pull'] });
      const body = JSON.stringify({ repositories: await storage.repositories() });
      return send(res, 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body);
    }
    const m = /^\/v2\/(.+?)\/(manifests\/[^/]+|blobs\/uploads\/?[^/]*|blobs\/[^/]+|tags\/list)$/.exec(path);
    if (!m) throw new RegistryError(404, 'NOT_FOUND', 'no such registry endpoint', path);
    const repo = m[1]!;
    const rest = m[2]!;
    if (!REPO_NAME.test(repo) || repo.length > 255) throw new RegistryError(400, 'NAME_INVALID', 'invalid repository name', { name: repo });
    const write = method !== 'GET' && method !== 'HEAD';
    await authorize(req, { repository: repo, actions: write ? ['pull', 'push'] : ['pull'] });
    if (rest === 'tags/list') {
      if (method !== 'GET') throw unsupported();
      if (!(await storage.repoExists(repo))) throw new RegistryError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repo });
      let tags = await storage.tags(repo);
      const last = url.searchParams.get('last');
      if (last) tags = tags.filter((t) => t > last);
      const n = Number(url.searchParams.get('n') ?? 0);
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (n > 0 && tags.length > n) {
        tags = tags.slice(0, n);
        headers.link = `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1]!)}>; rel="next"`;
      }
      const body = JSON.stringify({ name: repo, tags });
      return send(res, 200, { ...headers, 'content-length': Buffer.byteLength(body) }, body);
    }
    if (rest.startsWith('manifests/')) {
      const ref = rest.slice('manifests/'.length);
      if (method === 'GET' || head) return manifestGet(res, repo, ref, head);
      if (method === 'PUT') return manifestPut(req, res, repo, ref);
      if (method === 'DELETE') {
        const ok = isDigest(ref) ? await storage.deleteManifest(repo, ref) : await storage.deleteTag(repo, ref);
        if (!ok) throw manifestUnknown(ref);
        return send(res, 202);
      }
      throw unsupported();
    }
    if (rest.startsWith('blobs/uploads')) {
      const id = rest.slice('blobs/uploads'.length).replace(/^\//, '');
      if (id === '') {
        if (method !== 'POST') throw unsupported();
        return uploadStart(req, res, repo, url.searchParams);
      }
      if (!['GET', 'PATCH', 'PUT', 'DELETE'].includes(method)) throw unsupported();
      return uploadChunk(req, res, repo, id, method, url.searchParams);
    }
    const digest = rest.slice('blobs/'.length);
    if (method === 'GET' || head) return blobGet(req, res, repo, digest, head);
    if (method === 'DELETE') {
      if (!isDigest(digest) || !(await storage.unlinkBlob(repo, digest))) throw blobUnknown(digest);
      return send(res, 202);
    }
    throw unsupported();
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path !== '/v2' && !path.startsWith('/v2/')) return false;
    route(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      req.resume();
      if (e instanceof RegistryError) return sendError(res, e, req.method === 'HEAD');
      sendError(res, new RegistryError(500, 'UNKNOWN', 'unknown error', (e as Error).message), req.method === 'HEAD');
    });
    return true;
  }) as RegistryHandler;
  handler.storage = storage;
  return handler;
}
