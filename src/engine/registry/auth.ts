// Registry authentication: WWW-Authenticate challenges (Basic, Bearer), the
// token endpoint exchange of the distribution token spec, and credentials from
// a docker-style config.json (`auths` entries with base64 `auth`, or
// username/password, or an identity token).

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuthConfig } from '../runtime.ts';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://auth",service="reg",scope="repository:a:pull"`; several challenges may be comma-joined. */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const out: { scheme: string; params: Record<string, string> }[] = [];
  const token = /[\s,]*([A-Za-z0-9_.-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?/y;
  let m: RegExpExecArray | null;
  while ((m = token.exec(header)) !== null) {
    if (m[2] === undefined && m[3] === undefined) out.push({ scheme: m[1]!.toLowerCase(), params: {} });
    else if (out.length > 0) out[out.length - 1]!.params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    if (token.lastIndex >= header.length) break;
  }
  return out.filter((c): c is Challenge => c.scheme === 'basic' || c.scheme === 'bearer');
}

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (docker config `identitytoken`). */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
}

/** Turns the CRI-shaped AuthConfig into credentials (decoding `auth`). */
export function credentialsFromAuth(a: AuthConfig | undefined): Credentials | undefined {
  if (!a) return undefined;
  const c: Credentials = { username: a.username, password: a.password, identityToken: a.identityToken, registryToken: a.registryToken };
  if (a.auth && !c.username) Object.assign(c, decodeAuth(a.auth));
  if (!c.username && !c.identityToken && !c.registryToken) return undefined;
  return c;
}

function decodeAuth(auth: string): { username: string; password: string } | undefined {
  const s = Buffer.from(auth, 'base64').toString('utf8');
  const i = s.indexOf(':');
  if (i < 0) return undefined;
  return { username: s.slice(0, i), password: s.slice(i + 1) };
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
}

/** The default docker config path: $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
export function defaultDockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Credentials for `domain` from a docker config file; undefined when the file or entry is absent. */
export function credentialsFromDockerConfig(domain: string, path = defaultDockerConfigPath()): Credentials | undefined {
  let cfg: DockerConfigFile;
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  const auths = cfg.auths ?? {};
  const keys = domain === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [domain];
  for (const [k, v] of Object.entries(auths)) {
    const host = k.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!keys.includes(k) && !keys.includes(host)) continue;
    const c: Credentials = { username: v.username, password: v.password, identityToken: v.identitytoken, registryToken: v.registrytoken };
    if (v.auth) Object.assign(c, decodeAuth(v.auth));
    return c;
  }
  return undefined;
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64');
}
