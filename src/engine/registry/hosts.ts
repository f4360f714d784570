// Which client talks to which registry: insecure (http) only for registries
// marked so, plus loopback as Docker allows; credentials from the caller's
// AuthConfig, else from a docker-style config.json. Clients are kept per
// registry so tokens and keep-alive connections are reused.

import { isIP } from 'node:net';
import type { AuthConfig } from '../runtime.ts';
import { credentialsFromAuth, credentialsFromDockerConfig, defaultDockerConfigPath } from './auth.ts';
import { RegistryClient } from './client.ts';

export interface RegistryHostsOptions {
  /** Registries (`host:port`) allowed over plain http. */
  insecureRegistries?: string[];
  /** docker config.json to read credentials from (default $DOCKER_CONFIG or ~/.docker). */
  dockerConfigPath?: string;
  timeoutMs?: number;
}

/** Docker lets 127.0.0.0/8 (and localhost, ::1) be reached over http without configuration. */
export function isLoopbackRegistry(domain: string): boolean {
  const host = domain.startsWith('[') ? domain.slice(1, domain.indexOf(']')) : domain.replace(/:\d+$/, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export class RegistryHosts {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(readonly opts: RegistryHostsOptions = {}) {}

  isInsecure(domain: string): boolean {
    return isLoopbackRegistry(domain) || (this.opts.insecureRegistries ?? []).includes(domain);
  }

  /** A client for `domain`; a call with explicit auth gets a fresh client that uses it. */
  client(domain: string, auth?: AuthConfig): RegistryClient {
    const explicit = credentialsFromAuth(auth);
    if (!explicit) {
      const cached = this.clients.get(domain);
      if (cached) return cached;
    }
    const c = new RegistryClient({
      domain,
      insecure: this.isInsecure(domain),
      credentials: explicit ?? credentialsFromDockerConfig(domain, this.opts.dockerConfigPath ?? defaultDockerConfigPath()),
      timeoutMs: this.opts.timeoutMs,
    });
    if (!explicit) this.clients.set(domain, c);
    return c;
  }
}
