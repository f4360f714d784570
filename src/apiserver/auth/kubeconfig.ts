import { renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caCert: string;
  /** A bearer token, or else a client certificate and key (PEM). */
  token?: string;
  clientCert?: string;
  clientKey?: string;
  cluster?: string;
  user?: string;
}

/** A kubeconfig kubectl uses as is: the cluster CA pinned, a bearer token or a client certificate. Written atomically. */
export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  if (!o.token && !(o.clientCert && o.clientKey)) throw new Error(`kubeconfig ${path}: needs a token or a client certificate and key`);
  const credentials = o.token
    ? { token: o.token }
    : { 'client-certificate-data': Buffer.from(o.clientCert!).toString('base64'), 'client-key-data': Buffer.from(o.clientKey!).toString('base64') };
  const cluster = o.cluster ?? 'skiff';
  const user = o.user ?? 'admin';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.caCert).toString('base64') } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  };
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}
