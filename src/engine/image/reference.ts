// Image names as Docker reads them: `busybox` is docker.io/library/busybox:latest,
// `localhost:5000/app` keeps its registry, `app@sha256:...` pins a digest.
// One exception to Docker: a cluster's default registry (its embedded one) is
// tried before docker.io for names that do not say which registry they are on
// (candidateReferences). The agent uses these functions too.

import { ImageError } from './errors.ts';

export const DOCKER_HUB = 'docker.io';

export interface ImageReference {
  /** Registry host[:port], normalized (`docker.io`, `localhost:5000`). */
  domain: string;
  /** Repository path inside the registry (`library/busybox`). */
  path: string;
  tag?: string;
  digest?: string;
  /** Whether the name said which registry it is on. */
  explicitDomain: boolean;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

function bad(ref: string, why: string): never {
  throw new ImageError('InvalidReference', ref, `invalid image reference: ${why}`);
}

function validDomain(d: string): boolean {
  let host = d;
  const bracket = d.match(/^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/);
  if (bracket) return true;
  const colon = d.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(d.slice(colon + 1))) return false;
    host = d.slice(0, colon);
  }
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Parses and normalizes a reference; a name with neither tag nor digest gets `latest`. */
export function parseReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref === '') bad(String(ref), 'empty name');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad(ref, `digest "${digest}" is not algorithm:hex`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) bad(ref, `digest "${digest}" is not sha256:<64 lowercase hex>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(ref, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-] not starting with . or -`);
  }
  if (rest === '') bad(ref, 'empty repository name');
  let domain = DOCKER_HUB;
  let path = rest;
  let explicitDomain = false;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!validDomain(first)) bad(ref, `registry "${first}" is not host[:port]`);
      domain = first === 'index.docker.io' ? DOCKER_HUB : first;
      path = rest.slice(slash + 1);
      explicitDomain = true;
    }
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) bad(ref, 'repository name must be lowercase');
  for (const c of path.split('/')) {
    if (!PATH_COMPONENT.test(c)) bad(ref, `repository path component "${c}" must be lowercase letters and digits separated by . _ __ or -`);
  }
  if (domain.length + 1 + path.length > 255) bad(ref, 'repository name longer than 255 characters');
  if (!tag && !digest) tag = 'latest';
  return { domain, path, tag, digest, explicitDomain };
}

/** `domain/path` */
export function repositoryOf(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** `domain/path[:tag][@digest]` */
export function formatReference(r: ImageReference): string {
  return repositoryOf(r) + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** The fully qualified form of a name (`busybox` → `docker.io/library/busybox:latest`). */
export function normalizeImageName(ref: string): string {
  return formatReference(parseReference(ref));
}

/** The short form Docker shows (`docker.io/library/busybox:latest` → `busybox:latest`). */
export function familiarName(ref: string): string {
  const r = parseReference(ref);
  let repo = repositoryOf(r);
  if (r.domain === DOCKER_HUB) repo = r.path.startsWith('library/') ? r.path.slice('library/'.length) : r.path;
  return repo + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/**
 * The references to try, in order, for a name. A name that says its registry
 * is only itself; one that does not is looked up first on the default registry
 * (its path without Docker Hub's `library/`), then on Docker Hub.
 */
export function candidateReferences(ref: string, defaultRegistry?: string): ImageReference[] {
  const r = parseReference(ref);
  if (r.explicitDomain || !defaultRegistry) return [r];
  const path = r.path.startsWith('library/') && !stripsToSlash(ref) ? r.path.slice('library/'.length) : r.path;
  return [{ ...r, domain: defaultRegistry, path, explicitDomain: true }, r];
}

// `library/busybox` written out keeps its `library/` on the default registry too.
function stripsToSlash(ref: string): boolean {
  return /^library\//.test(ref);
}

/** An image id given as `sha256:<hex>`, 64 hex, or a unique prefix of at least 12 hex; null for names. */
export function idPrefixOf(ref: string): string | null {
  if (SHA256.test(ref)) return ref.slice(7);
  if (/^sha256:[a-f0-9]{12,63}$/.test(ref)) return ref.slice(7);
  if (/^[a-f0-9]{12,64}$/.test(ref)) return ref;
  return null;
}
