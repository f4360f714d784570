// A client of one registry (OCI distribution spec): the /v2/ ping and auth
// (anonymous, basic, bearer tokens from the challenge's realm), manifests by
// tag or digest, blob download into the content store (verified, resumed with
// Range), blob upload (HEAD to skip, optional cross-repo mount, monolithic or
// chunked), manifest upload. Errors are ImageErrors naming `repo:ref`.

import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { ContentStore } from '../image/content.ts';
import { isDigest, sha256 } from '../image/digest.ts';
import { ImageError, type ImageErrorReason } from '../image/errors.ts';
import { MANIFEST_ACCEPT, type Descriptor } from '../image/mediatypes.ts';
import { basicHeader, parseChallenges, type Challenge, type Credentials } from './auth.ts';
import { header, readBody, send, TransportError, type HttpResponse } from './http.ts';

export interface RegistryClientOptions {
  /** Registry as references name it (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  /** Allow plain http (and unverified TLS); tried after https fails. */
  insecure?: boolean;
  credentials?: Credentials;
  timeoutMs?: number;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface PushBlobOptions {
  /** Repository on the same registry that already holds the blob (cross-repo mount). */
  mountFrom?: string;
  /** Upload in PATCH chunks of this many bytes; default is one monolithic PUT. */
  chunkSize?: number;
  onProgress?: (done: number) => void;
}

/** Docker Hub's API lives on another host than its name. */
function endpointHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

export class RegistryClient {
  private base: URL | undefined;
  private challenge: Challenge | null = null;
  private readonly tokens = new Map<string, { header: string; expires: number }>();
  /** Requests sent, by kind; tests and benches read it. */
  readonly stats = { blobGets: 0, blobPuts: 0, manifestGets: 0, bytesIn: 0, bytesOut: 0 };

  constructor(readonly opts: RegistryClientOptions) {}

  get domain(): string {
    return this.opts.domain;
  }

  private fail(reason: ImageErrorReason, what: string, detail: string): never {
    throw new ImageError(reason, what, detail);
  }

  private unreachable(what: string, e: TransportError): never {
    this.fail('Unreachable', what, `registry ${this.domain} is unreachable: ${e.cause.message}`);
  }

  /** Finds the registry's scheme and auth challenge with GET /v2/. */
  async ping(what = this.domain): Promise<void> {
    if (this.base) return;
    const host = endpointHost(this.domain);
    const schemes = this.opts.insecure ? ['https:', 'http:'] : ['https:'];
    let last: TransportError | undefined;
    for (const scheme of schemes) {
      const url = new URL(`${scheme}//${host}/v2/`);
      try {
        const res = await send({ method: 'GET', url, insecureTLS: this.opts.insecure, timeoutMs: this.opts.timeoutMs ?? 15_000 });
        res.body.resume();
        if (res.status === 401) this.challenge = pickChallenge(parseChallenges(header(res, 'www-authenticate')), this.opts.credentials);
        else if (res.status === 404) this.fail('Registry', what, `${url.origin} does not serve the registry API (/v2/ answered 404)`);
        this.base = new URL(`${scheme}//${host}`);
        return;
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        last = e;
      }
    }
    this.unreachable(what, last!);
  }

  private async authHeader(scopes: string[], fresh: boolean): Promise<string | undefined> {
    const c = this.opts.credentials;
    if (c?.registryToken) return `Bearer ${c.registryToken}`;
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') return c?.username !== undefined ? basicHeader(c) : undefined;
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expires > Date.now()) return cached.header;
    const tok = await this.fetchToken(this.challenge, scopes);
    this.tokens.set(key, tok);
    return tok.header;
  }

  private async fetchToken(ch: Challenge, scopes: string[]): Promise<{ header: string; expires: number }> {
    const realm = ch.params.realm;
    if (!realm) this.fail('Unauthorized', this.domain, 'bearer challenge without a realm');
    const url = new URL(realm);
    const c = this.opts.credentials;
    let res: HttpResponse;
    try {
      if (c?.identityToken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.identityToken, service: ch.params.service ?? '', scope: scopes.join(' '), client_id: 'skiff' });
        res = await send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), timeoutMs: 15_000, insecureTLS: this.opts.insecure });
      } else {
        if (ch.params.service) url.searchParams.set('service', ch.params.service);
        for (const s of scopes) url.searchParams.append('scope', s);
        const headers: Record<string, string> = {};
        if (c?.username !== undefined) headers.authorization = basicHeader(c);
        res = await send({ method: 'GET', url, headers, timeoutMs: 15_000, insecureTLS: this.opts.insecure });
      }
    } catch (e) {
      if (e instanceof TransportError) this.fail('Unauthorized', this.domain, `token server ${url.origin} is unreachable: ${e.cause.message}`);
      throw e;
    }
    const body = await readBody(res, 1 << 20);
    if (res.status !== 200) this.fail('Unauthorized', this.domain, `token server ${url.origin} refused (${res.status})${c?.username ? ` for user ${c.username}` : ' anonymous access'}`);
    let parsed: { token?: string; access_token?: string; expires_in?: number };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      this.fail('Unauthorized', this.domain, `token server ${url.origin} answered something that is not JSON`);
    }
    const token = parsed.token ?? parsed.access_token;
    if (!token) this.fail('Unauthorized', this.domain, `token server ${url.origin} answered without a token`);
    const ttl = Math.max(10, (parsed.expires_in ?? 60) - 5) * 1000;
    return { header: `Bearer ${token}`, expires: Date.now() + ttl };
  }

  /** Sends a request with auth; a 401 refreshes the challenge/token and retries once. */
  async request(what: string, method: string, pathOrUrl: string, scopes: string[], init: { headers?: Record<string, string>; body?: Buffer | (() => Readable | Promise<Readable>) } = {}): Promise<HttpResponse> {
    await this.ping(what);
    const url = new URL(pathOrUrl, this.base);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'user-agent': 'skiff/0.1', ...init.headers };
      const auth = await this.authHeader(scopes, attempt > 0);
      if (auth) headers.authorization = auth;
      let res: HttpResponse;
      try {
        res = await send({ method, url, headers, body: init.body, insecureTLS: this.opts.insecure, timeoutMs: this.opts.timeoutMs });
      } catch (e) {
        if (e instanceof TransportError) this.unreachable(what, e);
        throw e;
      }
      if (res.status !== 401 || attempt > 0) return res;
      const ch = pickChallenge(parseChallenges(header(res, 'www-authenticate')), this.opts.credentials);
      res.body.resume();
      if (!ch || (ch.scheme === 'basic' && this.opts.credentials?.username === undefined)) return res;
      this.challenge = ch;
      if (ch.scheme === 'bearer' && ch.params.scope) {
        for (const s of ch.params.scope.split(' ')) if (!scopes.includes(s)) scopes = [...scopes, s];
      }
    }
  }

  private async errorOf(res: HttpResponse, what: string, notFound: ImageErrorReason, action: string): Promise<never> {
    let detail = '';
    try {
      const body = (await readBody(res, 64 << 10)).toString('utf8');
      const errs = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      detail = errs.map((e) => `${e.code ?? 'UNKNOWN'}: ${e.message ?? ''}`).join('; ');
    } catch {
      // Not the spec's error body.
    }
    const suffix = detail ? ` (${detail})` : '';
    if (res.status === 401 || res.status === 403) {
      const who = this.opts.credentials?.username ? `as ${this.opts.credentials.username}` : 'anonymously (no credentials for this registry)';
      this.fail('Unauthorized', what, `${action}: registry ${this.domain} refused access ${who}: HTTP ${res.status}${suffix}`);
    }
    if (res.status === 404) this.fail(notFound, what, `${action}: not found on ${this.domain}${suffix}`);
    this.fail('Registry', what, `${action}: registry ${this.domain} answered HTTP ${res.status}${suffix}`);
  }

  /** GET a manifest (or index) by tag or digest; a digest reference is verified against the content. */
  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const what = `${this.domain}/${repo}${isDigest(reference) ? '@' : ':'}${reference}`;
    this.stats.manifestGets++;
    const res = await this.request(what, 'GET', `/v2/${repo}/manifests/${reference}`, [`repository:${repo}:pull`], { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status !== 200) await this.errorOf(res, what, 'ManifestUnknown', 'fetching manifest');
    let bytes: Buffer;
    try {
      bytes = await readBody(res, 4 << 20);
    } catch (e) {
      this.fail('ManifestInvalid', what, `manifest: ${(e as Error).message}`);
    }
    this.stats.bytesIn += bytes.length;
    const digest = sha256(bytes);
    if (isDigest(reference) && digest !== reference) this.fail('DigestMismatch', what, `manifest content hashes to ${digest}, not the digest asked for`);
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest };
  }

  /** HEAD a manifest: its descriptor, or null when the registry does not have it. */
  async headManifest(repo: string, reference: string): Promise<Descriptor | null> {
    const what = `${this.domain}/${repo}:${reference}`;
    const res = await this.request(what, 'HEAD', `/v2/${repo}/manifests/${reference}`, [`repository:${repo}:pull`], { headers: { accept: MANIFEST_ACCEPT } });
    res.body.resume();
    if (res.status === 404) return null;
    if (res.status !== 200) await this.errorOf(res, what, 'ManifestUnknown', 'checking manifest');
    return { mediaType: (header(res, 'content-type') ?? '').split(';')[0]!, digest: header(res, 'docker-content-digest') ?? '', size: Number(header(res, 'content-length') ?? 0) };
  }

  /** Downloads a blob into the store: skipped when present, resumed from a partial file, verified. */
  async fetchBlob(repo: string, desc: Descriptor, store: ContentStore, opts: { what?: string; onProgress?: (done: number) => void } = {}): Promise<'present' | 'fetched'> {
    if ((await store.size(desc.digest)) === desc.size) return 'present';
    const what = opts.what ?? `${this.domain}/${repo}@${desc.digest}`;
    await this.ingestBlob(repo, desc, store, what, opts.onProgress).catch(async (e: unknown) => {
      if (e instanceof ImageError) throw e;
      const kept = (await store.size(desc.digest)) === null ? await partialSize(store.partialPath(desc.digest)) : 0;
      this.fail('Registry', what, `download of blob ${desc.digest} was interrupted (${(e as Error).message}); ${kept} of ${desc.size} bytes are kept and the next pull resumes from there`);
    });
    return 'fetched';
  }

  private async ingestBlob(repo: string, desc: Descriptor, store: ContentStore, what: string, onProgress?: (done: number) => void): Promise<void> {
    await store.ingest(
      desc.digest,
      async (offset) => {
        this.stats.blobGets++;
        const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
        const res = await this.request(what, 'GET', `/v2/${repo}/blobs/${desc.digest}`, [`repository:${repo}:pull`], { headers });
        if (res.status === 416) {
          // Our partial is not a prefix the server agrees with: start over.
          res.body.resume();
          const full = await this.request(what, 'GET', `/v2/${repo}/blobs/${desc.digest}`, [`repository:${repo}:pull`]);
          if (full.status !== 200) await this.errorOf(full, what, 'BlobUnknown', `fetching blob ${desc.digest}`);
          return { stream: this.countIn(full.body), offset: 0 };
        }
        if (res.status === 206) {
          const m = /bytes (\d+)-/.exec(header(res, 'content-range') ?? '');
          return { stream: this.countIn(res.body), offset: m ? Number(m[1]) : 0 };
        }
        if (res.status !== 200) await this.errorOf(res, what, 'BlobUnknown', `fetching blob ${desc.digest}`);
        return { stream: this.countIn(res.body), offset: 0 };
      },
      { size: desc.size, what, onProgress },
    );
  }

  private countIn(s: Readable): Readable {
    s.on('data', (c: Buffer) => (this.stats.bytesIn += c.length));
    return s;
  }

  async blobExists(repo: string, digest: string): Promise<boolean> {
    const what = `${this.domain}/${repo}@${digest}`;
    const res = await this.request(what, 'HEAD', `/v2/${repo}/blobs/${digest}`, [`repository:${repo}:pull`]);
    res.body.resume();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.errorOf(res, what, 'BlobUnknown', `checking blob ${digest}`);
  }

  /** Uploads a blob unless the registry has it; returns what happened. */
  async pushBlob(repo: string, desc: Descriptor, open: (start: number, end: number) => Promise<Readable>, opts: PushBlobOptions = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    const what = `${this.domain}/${repo}@${desc.digest}`;
    if (await this.blobExists(repo, desc.digest)) return 'exists';
    const scopes = [`repository:${repo}:pull,push`];
    let res: HttpResponse;
    if (opts.mountFrom && opts.mountFrom !== repo) {
      scopes.push(`repository:${opts.mountFrom}:pull`);
      res = await this.request(what, 'POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(opts.mountFrom)}`, scopes, { body: Buffer.alloc(0) });
      if (res.status === 201) {
        res.body.resume();
        return 'mounted';
      }
    } else {
      res = await this.request(what, 'POST', `/v2/${repo}/blobs/uploads/`, scopes, { body: Buffer.alloc(0) });
    }
    if (res.status !== 202) await this.errorOf(res, what, 'Registry', `starting upload of ${desc.digest}`);
    res.body.resume();
    let location = this.locationOf(res, what);
    const counted = (s: Readable) => this.countOut(s, opts.onProgress);
    const chunk = opts.chunkSize && opts.chunkSize > 0 ? opts.chunkSize : 0;
    if (chunk > 0 && desc.size > 0) {
      let done = 0;
      for (let start = 0; start < desc.size; start += chunk) {
        const end = Math.min(desc.size, start + chunk) - 1;
        res = await this.request(what, 'PATCH', location, scopes, {
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}`, 'content-length': String(end - start + 1) },
          body: async () => counted(await open(start, end)),
        });
        if (res.status !== 202) await this.errorOf(res, what, 'Registry', `uploading ${desc.digest} bytes ${start}-${end}`);
        res.body.resume();
        location = this.locationOf(res, what);
        done = end + 1;
      }
      void done;
      res = await this.request(what, 'PUT', withDigest(location, desc.digest), scopes, { body: Buffer.alloc(0) });
    } else {
      res = await this.request(what, 'PUT', withDigest(location, desc.digest), scopes, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
        body: async () => counted(await open(0, desc.size - 1)),
      });
    }
    this.stats.blobPuts++;
    if (res.status !== 201) await this.errorOf(res, what, 'Registry', `finishing upload of ${desc.digest}`);
    res.body.resume();
    return 'uploaded';
  }

  private countOut(s: Readable, onProgress?: (done: number) => void): Readable {
    let done = 0;
    const t = new Transform({
      transform: (c: Buffer, _e, cb) => {
        done += c.length;
        this.stats.bytesOut += c.length;
        onProgress?.(done);
        cb(null, c);
      },
    });
    s.on('error', (e) => t.destroy(e));
    return s.pipe(t);
  }

  private locationOf(res: HttpResponse, what: string): string {
    const loc = header(res, 'location');
    if (!loc) this.fail('Registry', what, `registry ${this.domain} started an upload without a Location header`);
    return new URL(loc, this.base).toString();
  }

  /** PUTs a manifest (exact bytes) under a tag or digest; returns the digest the registry reports. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const what = `${this.domain}/${repo}:${reference}`;
    const res = await this.request(what, 'PUT', `/v2/${repo}/manifests/${reference}`, [`repository:${repo}:pull,push`], { headers: { 'content-type': mediaType }, body: bytes });
    if (res.status !== 201 && res.status !== 200) await this.errorOf(res, what, 'ManifestUnknown', 'pushing manifest');
    res.body.resume();
    const digest = sha256(bytes);
    const reported = header(res, 'docker-content-digest');
    if (reported && reported !== digest) this.fail('DigestMismatch', what, `registry stored the manifest as ${reported}, expected ${digest}`);
    return digest;
  }

  async listTags(repo: string): Promise<string[]> {
    const what = `${this.domain}/${repo}`;
    const res = await this.request(what, 'GET', `/v2/${repo}/tags/list`, [`repository:${repo}:pull`]);
    if (res.status !== 200) await this.errorOf(res, what, 'ManifestUnknown', 'listing tags');
    return ((JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null }).tags ?? []).slice();
  }
}

async function partialSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

function pickChallenge(chs: Challenge[], creds: Credentials | undefined): Challenge | null {
  const bearer = chs.find((c) => c.scheme === 'bearer');
  const basic = chs.find((c) => c.scheme === 'basic');
  if (bearer && (creds?.username === undefined || !basic)) return bearer;
  return basic ?? bearer ?? null;
}
