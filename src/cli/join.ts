// Joining machines, the control plane's side (kubeadm's discovery and TLS
// bootstrap, simplified): join tokens are bootstrap-token Secrets
// (kube-system/bootstrap-token-<id>, `<id>.<secret>`, optional expiration);
// GET /cacerts serves the cluster CA without authentication (the agent checks
// its public-key hash, --ca-cert-hash sha256:...); POST /skiff/join with a
// join token in its body (not a credential header: the server would try it as
// one) returns the node's own client certificate (user system:node:<name>,
// group system:nodes; any server of the cluster accepts it) and a serving
// certificate for its agent. The
// system:node ClusterRole gives that group what an agent needs.

import { createHash, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Client, KubeObject } from '../client/rest.ts';
import { ApiError } from '../client/errors.ts';
import { issueAgentServingCert, issueCert } from '../apiserver/proxy/certs.ts';

export const CACERTS_PATH = '/cacerts';
export const JOIN_PATH = '/skiff/join';
export const NODES_GROUP = 'system:nodes';
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const NODE_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** kubeadm's CA pin: sha256 of the CA certificate's DER SubjectPublicKeyInfo, as `sha256:<hex>`. */
export function caCertHash(caPem: string): string {
  const spki = createPublicKey(caPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

function randomChars(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(n * 2);
  let s = '';
  for (let i = 0; s.length < n && i < bytes.length; i++) if (bytes[i]! < 252) s += alphabet[bytes[i]! % 36];
  return s.length === n ? s : randomChars(n);
}

/** A new join token as a bootstrap-token Secret (the token is `<id>.<secret>`). */
export function newJoinTokenSecret(ttlSeconds?: number, now = Date.now()): { token: string; secret: Secret & KubeObject } {
  const id = randomChars(6);
  const secretPart = randomChars(16);
  const data: Record<string, string> = {
    'token-id': id,
    'token-secret': secretPart,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    description: 'skiff agent join token (skiff token create)',
  };
  if (ttlSeconds) data.expiration = new Date(now + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    token: `${id}.${secretPart}`,
    secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type: BOOTSTRAP_TOKEN_TYPE, stringData: data } as Secret & KubeObject,
  };
}

/** Why a presented join token is refused, or undefined when it is good. */
export async function checkJoinToken(client: Client, token: string, now = Date.now()): Promise<string | undefined> {
  const m = TOKEN_RE.exec(token);
  if (!m) return 'the join token is malformed (want <6 chars>.<16 chars>, from skiff token create)';
  let secret: Secret & KubeObject;
  try {
    secret = await client.resource<Secret & KubeObject>('v1', 'secrets').get('kube-system', `bootstrap-token-${m[1]}`);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return 'the join token is unknown';
    throw e;
  }
  const field = (k: string) => (secret.data?.[k] === undefined ? undefined : Buffer.from(secret.data[k]!, 'base64').toString('utf8'));
  if (secret.type !== BOOTSTRAP_TOKEN_TYPE || field('usage-bootstrap-authentication') !== 'true') return 'the join token is not for authentication';
  const want = Buffer.from(field('token-secret') ?? '');
  const given = Buffer.from(m[2]!);
  if (want.length !== given.length || !timingSafeEqual(want, given)) return 'the join token is unknown';
  const exp = field('expiration');
  if (exp && Date.parse(exp) <= now) return `the join token expired at ${exp}`;
  return undefined;
}

/** What /skiff/join answers. */
export interface JoinResponse {
  nodeName: string;
  /**
   * The node's client certificate (CN system:node:<name>, O system:nodes)
   * and key: signed by the cluster CA, so every API server of an HA cluster
   * accepts it, as the kubelet's is.
   */
  clientCert: string;
  clientKey: string;
  servingCert: string;
  servingKey: string;
  caCert: string;
}

function sendJSON(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

export interface JoinRoutesOptions {
  /** The admin client, once the server is up (joins before that are 503). */
  client: () => Client | undefined;
  caCert: string;
  pkiDir: string;
  log?: (line: string) => void;
}

/** The unauthenticated routes of joining (both listed in the server's publicRoutes). */
export function joinRoutes(o: JoinRoutesOptions): Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  return {
    [CACERTS_PATH]: async (req, res) => {
      if (req.method !== 'GET') return sendJSON(res, 405, status(405, 'MethodNotAllowed', 'GET only'));
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
      res.end(o.caCert);
    },
    [JOIN_PATH]: async (req, res) => {
      if (req.method !== 'POST') return sendJSON(res, 405, status(405, 'MethodNotAllowed', 'POST only'));
      let body: { token?: unknown; nodeName?: unknown; addresses?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch (e) {
        return sendJSON(res, 400, status(400, 'BadRequest', `the join request is not JSON: ${(e as Error).message}`));
      }
      const client = o.client();
      if (!client) return sendJSON(res, 503, status(503, 'ServiceUnavailable', 'the control plane is starting'));
      if (typeof body.token !== 'string') return sendJSON(res, 401, status(401, 'Unauthorized', 'a join token is required (from skiff token create)'));
      const why = await checkJoinToken(client, body.token);
      if (why) {
        o.log?.(`join: refused: ${why}`);
        return sendJSON(res, 401, status(401, 'Unauthorized', why));
      }
      const nodeName = body.nodeName;
      if (typeof nodeName !== 'string' || nodeName.length > 253 || !NODE_NAME_RE.test(nodeName)) {
        return sendJSON(res, 400, status(400, 'BadRequest', `nodeName must be a lowercase DNS subdomain, got ${JSON.stringify(nodeName)}`));
      }
      const addresses = Array.isArray(body.addresses) ? body.addresses.filter((a): a is string => typeof a === 'string' && /^[\w.:-]{1,253}$/.test(a)) : [];
      const nodeCert = issueCert(o.pkiDir, { commonName: `system:node:${nodeName}`, organization: NODES_GROUP, usage: 'client' });
      const pair = issueAgentServingCert(o.pkiDir, nodeName, [...addresses, '127.0.0.1']);
      o.log?.(`join: node ${nodeName} joined (${addresses.join(', ') || 'no addresses given'})`);
      const out: JoinResponse = { nodeName, clientCert: nodeCert.cert, clientKey: nodeCert.key, servingCert: pair.cert, servingKey: pair.key, caCert: o.caCert };
      sendJSON(res, 200, out);
    },
  };
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/** What an agent does with the API: its Node and Lease, pods and their status, what pods mount, the service proxy's and DNS's inputs. */
export const NODE_ROLE: ClusterRole = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'system:node', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
  rules: [
    { apiGroups: [''], resources: ['nodes', 'nodes/status'], verbs: [...READ, ...WRITE] },
    { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'create', 'delete'] },
    { apiGroups: [''], resources: ['pods/status'], verbs: ['update', 'patch'] },
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'update', 'patch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
    { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'endpoints', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'serviceaccounts'], verbs: READ },
    { apiGroups: [''], resources: ['persistentvolumeclaims/status'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
    // The node's DNS server publishes itself in kube-dns's EndpointSlice and Service.
    { apiGroups: [''], resources: ['services'], verbs: ['create', 'update', 'patch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: [...READ, ...WRITE] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses', 'csidrivers', 'csinodes', 'volumeattachments'], verbs: READ },
    { apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'], verbs: READ },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: READ },
  ],
};

export const NODE_ROLE_BINDING: ClusterRoleBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'skiff:nodes', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: NODES_GROUP }],
};

/** Creates or refreshes the node role and its binding to system:nodes. */
export async function ensureNodeRBAC(client: Client): Promise<void> {
  for (const [resource, obj] of [
    ['clusterroles', NODE_ROLE],
    ['clusterrolebindings', NODE_ROLE_BINDING],
  ] as const) {
    const h = client.resource<KubeObject>('rbac.authorization.k8s.io/v1', resource);
    try {
      const cur = await h.get(undefined, obj.metadata!.name!);
      await h.update(undefined, { ...(obj as unknown as KubeObject), metadata: { ...cur.metadata } } as KubeObject);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      await h.create(undefined, structuredClone(obj) as unknown as KubeObject);
    }
  }
}
