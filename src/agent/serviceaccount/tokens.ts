// The agent's ServiceAccount token manager (the kubelet's token manager):
// projected serviceAccountToken sources get their token from the TokenRequest
// API (`POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`), bound to
// the pod. Tokens are cached per (account, audience, expiry, pod) and fetched
// again once 80% of their lifetime has passed or they are 24 h old (each
// less a random jitter of up to 10 s). A failed fetch keeps serving a cached
// token that has not expired; with none, it is an error the volume reports.

import type { Pod } from 'kubernetes-types/core/v1.js';

/** The projection's defaults when the pod leaves them out (the admission-generated volume's lifetime). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3607;
const MAX_TTL_MS = 24 * 60 * 60_000;
const MAX_JITTER_MS = 10_000;
/** Refresh when this much of the lifetime is left (the kubelet: 20%). */
const REFRESH_LEFT_FRACTION = 0.2;

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string };
}

export interface IssuedToken {
  token: string;
  /** expirationTimestamp, ms since the epoch. */
  expiresAt: number;
  /** The lifetime the server granted (spec.expirationSeconds of the answer). */
  expirationSeconds: number;
}

/** Calls the TokenRequest API; throws with the server's message. */
export type TokenFetcher = (namespace: string, serviceAccount: string, spec: TokenRequestSpec) => Promise<IssuedToken>;

/** What projected volumes ask for: the token of the pod's ServiceAccount. */
export interface TokenSource {
  token(pod: Pod, projection: { audience?: string; expirationSeconds?: number }): Promise<string>;
}

export class TokenFetchError extends Error {}

export interface TokenManagerOptions {
  fetch: TokenFetcher;
  /** The clock (ms), injectable for tests. */
  now?: () => number;
  /** Random jitter in [0, 1) (kubelet: up to 10 s off the refresh time). */
  random?: () => number;
  log?: (line: string) => void;
}

interface Entry {
  podUid: string;
  issued: IssuedToken;
}

export class TokenManager implements TokenSource {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<IssuedToken>>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: TokenManagerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  async token(pod: Pod, projection: { audience?: string; expirationSeconds?: number }): Promise<string> {
    const m = pod.metadata!;
    const ns = m.namespace!;
    const sa = pod.spec?.serviceAccountName || pod.spec?.serviceAccount || 'default';
    const spec: TokenRequestSpec = {
      audiences: projection.audience ? [projection.audience] : [],
      expirationSeconds: projection.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: m.name!, uid: m.uid! },
    };
    const key = JSON.stringify([ns, sa, spec.audiences, spec.expirationSeconds, spec.boundObjectRef.name, spec.boundObjectRef.uid]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached.issued)) return cached.issued.token;
    let p = this.inflight.get(key);
    if (!p) {
      this.pruneExpired();
      p = this.o.fetch(ns, sa, spec).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    try {
      const issued = await p;
      this.cache.set(key, { podUid: m.uid!, issued });
      return issued.token;
    } catch (e) {
      if (cached && !this.expired(cached.issued)) {
        this.o.log?.(`agent: token of serviceaccount ${ns}/${sa} for pod ${m.name}: refresh failed, using the cached token: ${(e as Error).message}`);
        return cached.issued.token;
      }
      throw new TokenFetchError(`failed to fetch token: ${(e as Error).message}`);
    }
  }

  /** The kubelet's requiresRefresh: 24 h old, or within 20% of its lifetime of the end (less jitter). */
  requiresRefresh(t: IssuedToken): boolean {
    const now = this.now();
    const lifetimeMs = t.expirationSeconds * 1000;
    const issuedAt = t.expiresAt - lifetimeMs;
    const jitter = Math.floor(this.random() * (MAX_JITTER_MS / 1000)) * 1000;
    if (now > issuedAt + MAX_TTL_MS - jitter) return true;
    return now > t.expiresAt - Math.floor(t.expirationSeconds * REFRESH_LEFT_FRACTION) * 1000 - jitter;
  }

  /** The kubelet's token GC: expired tokens are of no use to anyone. */
  private pruneExpired(): void {
    for (const [k, e] of this.cache) if (this.expired(e.issued)) this.cache.delete(k);
  }

  private expired(t: IssuedToken): boolean {
    return this.now() >= t.expiresAt;
  }

  /** When the earliest cached token of the pod wants a refresh (ms from now, at least 0); undefined without tokens. */
  refreshDueInMs(podUid: string): number | undefined {
    let due: number | undefined;
    const now = this.now();
    for (const e of this.cache.values()) {
      if (e.podUid !== podUid) continue;
      const t = e.issued;
      const at = Math.min(t.expiresAt - t.expirationSeconds * 1000 + MAX_TTL_MS, t.expiresAt - Math.floor(t.expirationSeconds * REFRESH_LEFT_FRACTION) * 1000);
      const ms = Math.max(0, at - now);
      due = due === undefined ? ms : Math.min(due, ms);
    }
    return due;
  }

  /** Drops the pod's tokens (the pod is gone from this node). */
  forgetPod(podUid: string): void {
    for (const [k, e] of this.cache) if (e.podUid === podUid) this.cache.delete(k);
  }

  /** How many tokens are cached (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }
}
