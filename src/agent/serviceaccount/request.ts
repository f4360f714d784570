// The TokenRequest call the token manager makes, over the agent's client:
// `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token` with the
// audiences, lifetime and the pod as boundObjectRef.

import type { Client } from '../../client/rest.ts';
import type { IssuedToken, TokenFetcher, TokenRequestSpec } from './tokens.ts';

interface TokenRequestAnswer {
  spec?: { expirationSeconds?: number };
  status?: { token?: string; expirationTimestamp?: string };
}

export function tokenRequestFetcher(client: Client): TokenFetcher {
  return async (namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<IssuedToken> => {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: serviceAccount, namespace }, spec };
    const tr = await client.request<TokenRequestAnswer>({ method: 'POST', path, body });
    const token = tr.status?.token;
    const expiresAt = Date.parse(tr.status?.expirationTimestamp ?? '');
    if (!token || !Number.isFinite(expiresAt)) throw new Error(`the TokenRequest for serviceaccount ${namespace}/${serviceAccount} was answered without a token or expirationTimestamp`);
    return { token, expiresAt, expirationSeconds: tr.spec?.expirationSeconds ?? spec.expirationSeconds };
  };
}
