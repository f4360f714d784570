// Bad input against a real control plane (HTTPS, token auth, SQLite): every
// malformed, mistyped, oversized or unauthorised request gets the Status
// Kubernetes would answer with, and nothing stored changes. Then fast-check
// throws random methods, URLs, media types, bodies and patches at every
// served resource: the server must answer below 500 with a well-formed
// Status for every refusal, and stay ready.
//
// Fixed seeds: a failure prints the seed and fast-check's replay path; rerun
// one property with FUZZ_SEED=<seed> (and FUZZ_RUNS=<n> to run longer).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { parse as parseYAML } from 'yaml';
import { RESOURCES, apiVersionOf, type ResourceInfo } from '../../src/apiserver/registry/resources.ts';
import { concat, envelope, mapStr, objectMeta } from '../../src/apiserver/protobuf/test-encoder.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { within } from '../support/wait.ts';

// ---------------------------------------------------------------------------
// A small HTTPS client that trusts the cluster CA and sends the bearer token.

interface Resp {
  code: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface CallOptions {
  body?: string | Uint8Array;
  /** Content-Type; defaults to application/json when there is a body. null: no header. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** 'none': no Authorization header; a string: that bearer token. */
  token?: 'none' | string;
  /** Send the body in chunks with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  timeoutMs?: number;
}

let cluster: TestCluster;
let ca: string;
let token: string;
let base: URL;
let agent: https.Agent;

async function startCluster(): Promise<void> {
  cluster = await startTestCluster();
  const kc = parseYAML(readFileSync(cluster.kubeconfig, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  ca = Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8');
  token = kc.users[0]!.user.token;
  base = new URL(cluster.url);
  agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
}

function call(method: string, path: string, o: CallOptions = {}): Promise<Resp> {
  const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
  if (o.token !== 'none') headers.authorization = `Bearer ${o.token ?? token}`;
  const hasBody = o.body !== undefined;
  if (o.contentType !== null && (o.contentType !== undefined || hasBody)) headers['content-type'] = o.contentType ?? 'application/json';
  // Explicit framing: Node sends a DELETE body with neither Content-Length nor chunking unless told.
  const body = hasBody ? Buffer.from(o.body!) : undefined;
  if (body && o.chunked) headers['transfer-encoding'] = 'chunked';
  else if (body) headers['content-length'] = String(body.length);
  const big = !!body && body.length > 1024 * 1024;
  const timeoutMs = o.timeoutMs ?? 5000;
  const p = new Promise<Resp>((resolve, reject) => {
    let settled = false;
    const req = https.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers,
        // A server may answer a huge body before reading it and close the connection: keep such sockets out of the pool.
        agent: big ? new https.Agent({ ca, keepAlive: false }) : agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          settled = true;
          resolve({ code: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          if (!settled) reject(e);
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    // The server may refuse (413) while the body is still going out: EPIPE/ECONNRESET after the answer is not a failure.
    req.on('error', (e) => {
      if (!settled) reject(e);
    });
    if (!body) return void req.end();
    if (o.chunked) {
      for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
  return within(p, `${method} ${path}`, timeoutMs + 1000);
}

const json = (v: unknown) => JSON.stringify(v);

interface StatusBody {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** The response must be a Failure Status whose code is the HTTP code; returns it. */
function statusOf(r: Resp, what: string): StatusBody {
  assert.match(String(r.headers['content-type'] ?? ''), /^application\/json/, `${what}: a ${r.code} Status is JSON (got Content-Type ${r.headers['content-type']}): ${r.text.slice(0, 300)}`);
  let s: StatusBody;
  try {
    s = JSON.parse(r.text) as StatusBody;
  } catch {
    assert.fail(`${what}: the ${r.code} body is not JSON: ${r.text.slice(0, 300)}`);
  }
  assert.equal(s.kind, 'Status', `${what}: kind: ${r.text.slice(0, 300)}`);
  assert.equal(s.apiVersion, 'v1', `${what}: apiVersion`);
  assert.equal(s.status, 'Failure', `${what}: status`);
  assert.equal(s.code, r.code, `${what}: Status.code is the HTTP code`);
  assert.equal(typeof s.reason, 'string', `${what}: reason`);
  assert.ok(s.reason.length > 0, `${what}: reason is empty`);
  assert.equal(typeof s.message, 'string', `${what}: message`);
  assert.ok(s.metadata && typeof s.metadata === 'object', `${what}: metadata`);
  return s;
}

// ---------------------------------------------------------------------------
// Fixtures: objects that exist before each bad request and must not change.

const CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fixture', labels: { app: 'fixture' } }, data: { a: '1', b: '2' } };
const podTemplate = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
});
const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate('web') },
};

const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

interface Snapshot {
  configmap: string;
  deployment: string;
  revision: number;
  names: string;
}

async function snapshot(): Promise<Snapshot> {
  const [cm, dep, cms, deps] = await Promise.all([call('GET', `${CMS}/fixture`), call('GET', `${DEPLOYS}/web`), call('GET', CMS), call('GET', DEPLOYS)]);
  for (const r of [cm, dep, cms, deps]) assert.equal(r.code, 200, r.text);
  const names = (r: Resp) => (JSON.parse(r.text) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
  return {
    configmap: cm.text,
    deployment: dep.text,
    revision: await cluster.store.currentRevision(),
    names: json({ configmaps: names(cms), deployments: names(deps) }),
  };
}

/** The fixtures are byte-for-byte what they were (same resourceVersion); with `strict`, nothing at all was written. */
async function assertUnchanged(before: Snapshot, what: string, strict: boolean): Promise<void> {
  const now = await snapshot();
  assert.equal(now.configmap, before.configmap, `${what}: the fixture ConfigMap changed`);
  assert.equal(now.deployment, before.deployment, `${what}: the fixture Deployment changed`);
  if (strict) {
    assert.equal(now.names, before.names, `${what}: objects were created or deleted in default`);
    assert.equal(now.revision, before.revision, `${what}: the store was written (revision ${before.revision} -> ${now.revision})`);
  }
}

// ---------------------------------------------------------------------------
// Kubernetes' wording, where it is fixed text.

const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';
const NOT_ALLOWED = 'the server does not allow this method on the requested resource';
// apiserver's jsonPatcher answers a patch that does not apply with NewGenericServerResponse(422, ...): this fixed message.
const PATCH_REJECTED = 'the server rejected our request due to an error in our request';
const unrecognized = (kind: string) => `the object provided is unrecognized (must be of type ${kind}): `;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A valid ConfigMap in Kubernetes protobuf (runtime.Unknown around the ConfigMap message). */
const PROTOBUF_CONFIGMAP = envelope('v1', 'ConfigMap', concat(objectMeta('from-protobuf'), mapStr(2, 'a', '1')));
const PB = 'application/vnd.kubernetes.protobuf';
const BIG = 3 * 1024 * 1024 + 1024;

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string | null;
  token?: string;
  chunked?: boolean;
  headers?: Record<string, string>;
  code: number;
  reason?: string;
  /** Exact text, or a pattern. */
  message?: string | RegExp;
  causes?: { reason: string; field: string }[];
  details?: { name?: string; group?: string; kind?: string };
  /** The request legitimately writes (checked separately); the fixtures must still be untouched. */
  writes?: boolean;
  check?: (r: Resp) => void | Promise<void>;
}

const cases: Case[] = [
  // --- bodies that do not decode
  {
    name: 'malformed JSON body',
    method: 'POST',
    path: CMS,
    body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"half"',
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}couldn't get version/kind; json parse error: `),
  },
  {
    name: 'malformed JSON body on PUT',
    method: 'PUT',
    path: `${CMS}/fixture`,
    body: '{"metadata": {"name": "fixture"}, "data": {"a": }',
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}couldn't get version/kind; json parse error: `),
  },
  {
    name: 'JSON body that is not an object',
    method: 'POST',
    path: CMS,
    body: '["apiVersion", "v1"]',
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}couldn't get version/kind; json parse error: `),
  },
  {
    name: 'malformed YAML body (application/yaml)',
    method: 'POST',
    path: CMS,
    body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [half\ndata:\n  a: "1',
    contentType: 'application/yaml',
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}error converting YAML to JSON: `),
  },
  {
    name: 'YAML body that is a list',
    method: 'POST',
    path: CMS,
    body: '- apiVersion: v1\n- kind: ConfigMap\n',
    contentType: 'application/yaml',
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}`),
  },
  {
    name: 'protobuf body without the k8s\\0 magic',
    method: 'POST',
    path: CMS,
    body: Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pb"}}'),
    contentType: PB,
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}provided data does not appear to be a protobuf message, expected prefix \\[107 56 115 0\\]`),
  },
  {
    name: 'protobuf body truncated mid-field',
    method: 'POST',
    path: CMS,
    body: PROTOBUF_CONFIGMAP.subarray(0, PROTOBUF_CONFIGMAP.length - 7),
    contentType: PB,
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}`),
  },
  {
    name: 'protobuf body that is only the magic and a bad tag',
    method: 'PUT',
    path: `${CMS}/fixture`,
    body: Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
    contentType: PB,
    code: 400,
    reason: 'BadRequest',
    message: new RegExp(`^${escape(unrecognized('ConfigMap'))}`),
  },
  {
    name: 'wrong JSON type for a field',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed' }, data: 5 }),
    code: 400,
    reason: 'BadRequest',
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type map[string]string',
  },
  {
    name: 'unsupported Content-Type for a create',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'xml' } }),
    contentType: 'application/xml',
    code: 415,
    reason: 'UnsupportedMediaType',
    message: /^the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml/,
  },

  // --- the body names another kind, version, namespace or name than the URL
  {
    name: 'a Pod POSTed to the deployments URL',
    method: 'POST',
    path: DEPLOYS,
    body: json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'not-a-deployment' }, spec: podTemplate('x').spec }),
    code: 400,
    reason: 'BadRequest',
    // The decoder makes a v1.Pod, whose conversion to a Deployment fails: transformDecodeError's wording.
    message: /^Pod in version "v1" cannot be handled as a Deployment: /,
  },
  {
    name: 'a ConfigMap POSTed to the secrets URL (same group version)',
    method: 'POST',
    path: '/api/v1/namespaces/default/secrets',
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-a-secret' }, data: { a: '1' } }),
    code: 400,
    reason: 'BadRequest',
    message: /^ConfigMap in version "v1" cannot be handled as a Secret: /,
  },
  {
    name: 'apiVersion of another served version (autoscaling/v1 body to the autoscaling/v2 URL)',
    method: 'POST',
    path: '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers',
    body: json({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    }),
    code: 400,
    reason: 'BadRequest',
    message: 'the API version in the data (autoscaling/v1) does not match the expected API version (autoscaling/v2)',
  },
  {
    name: 'namespace in the body differs from the URL',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'kube-system' } }),
    code: 400,
    reason: 'BadRequest',
    message: 'the namespace of the provided object does not match the namespace sent on the request',
  },
  {
    name: 'PUT whose body names another object',
    method: 'PUT',
    path: `${CMS}/fixture`,
    body: json({ ...CONFIGMAP, metadata: { name: 'other' } }),
    code: 400,
    reason: 'BadRequest',
    message: 'the name of the object (other) does not match the name on the URL (fixture)',
  },
  {
    name: 'PUT whose body has no name',
    method: 'PUT',
    path: `${CMS}/fixture`,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: 'changed' } }),
    code: 400,
    reason: 'BadRequest',
    message: 'the name of the object () does not match the name on the URL (fixture)',
  },

  // --- names and validation
  {
    name: 'ConfigMap name that breaks DNS-1123 (Bad_Name)',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
    code: 422,
    reason: 'Invalid',
    message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}`,
    causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
    details: { name: 'Bad_Name', kind: 'ConfigMap' },
  },
  {
    name: 'Deployment name that breaks DNS-1123 (Bad_Name)',
    method: 'POST',
    path: DEPLOYS,
    body: json({ ...DEPLOYMENT, metadata: { name: 'Bad_Name' } }),
    code: 422,
    reason: 'Invalid',
    message: new RegExp(`^${escape(`Deployment.apps "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}`)}`),
    causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
    details: { name: 'Bad_Name', group: 'apps', kind: 'Deployment' },
  },
  {
    name: 'name longer than 253 characters',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a'.repeat(254) } }),
    code: 422,
    reason: 'Invalid',
    message: /metadata\.name: Invalid value: "a+": must be no more than 253 characters/,
    causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
  },
  {
    name: 'scale to -1 replicas',
    method: 'PUT',
    path: `${DEPLOYS}/web/scale`,
    body: json({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -1 } }),
    code: 422,
    reason: 'Invalid',
    message: 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas' }],
  },

  // --- size
  {
    name: 'body over 3 MiB (Content-Length)',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(BIG) } }),
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'Request entity too large: limit is 3145728',
  },
  {
    name: 'body over 3 MiB (chunked, no Content-Length)',
    method: 'POST',
    path: CMS,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big-chunked' }, data: { a: 'x'.repeat(BIG) } }),
    chunked: true,
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'Request entity too large: limit is 3145728',
  },
  {
    name: 'merge patch over 3 MiB',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json({ data: { big: 'x'.repeat(BIG) } }),
    contentType: 'application/merge-patch+json',
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'Request entity too large: limit is 3145728',
  },

  // --- field validation
  {
    name: 'unknown field with fieldValidation=Strict',
    method: 'POST',
    path: `${CMS}?fieldValidation=Strict`,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, bogus: 1 }),
    code: 400,
    reason: 'BadRequest',
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"',
  },
  {
    name: 'nested unknown field with fieldValidation=Strict',
    method: 'POST',
    path: `${DEPLOYS}?fieldValidation=Strict`,
    body: json({
      ...DEPLOYMENT,
      metadata: { name: 'strict' },
      spec: { ...DEPLOYMENT.spec, template: { ...podTemplate('web'), spec: { containers: [{ name: 'web', image: 'nginx', bogus: true }] } } },
    }),
    code: 400,
    reason: 'BadRequest',
    message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bogus"',
  },
  {
    name: 'unknown fieldValidation value',
    method: 'POST',
    path: `${CMS}?fieldValidation=Bogus`,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fv' } }),
    code: 422,
    reason: 'Invalid',
    message: 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Bogus": supported values: "Ignore", "Strict", "Warn"',
    causes: [{ reason: 'FieldValueNotSupported', field: 'fieldValidation' }],
  },
  {
    name: 'unknown field with fieldValidation=Warn creates, warns and drops the field',
    method: 'POST',
    path: `${CMS}?fieldValidation=Warn`,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'warned' }, data: { a: '1' }, bogus: 1 }),
    code: 201,
    writes: true,
    check: async (r) => {
      assert.deepEqual([r.headers.warning].flat(), ['299 - "unknown field \\"bogus\\""']);
      const created = JSON.parse(r.text) as Record<string, unknown>;
      assert.equal(created.bogus, undefined);
      const stored = await call('GET', `${CMS}/warned`);
      assert.equal(stored.code, 200);
      assert.equal((JSON.parse(stored.text) as Record<string, unknown>).bogus, undefined);
    },
  },

  // --- patches that do not apply
  {
    name: 'JSON patch replacing a missing path',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json([{ op: 'replace', path: '/data/missing', value: 'x' }]),
    contentType: 'application/json-patch+json',
    code: 422,
    reason: 'Invalid',
    message: PATCH_REJECTED,
  },
  {
    name: 'JSON patch whose test operation fails',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json([{ op: 'test', path: '/data/a', value: 'not-1' }, { op: 'replace', path: '/data/a', value: 'changed' }]),
    contentType: 'application/json-patch+json',
    code: 422,
    reason: 'Invalid',
    message: PATCH_REJECTED,
  },
  {
    name: 'JSON patch that is an object, not a list of operations',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json({ op: 'replace', path: '/data/a', value: 'changed' }),
    contentType: 'application/json-patch+json',
    code: 400,
    reason: 'BadRequest',
    message: /^error decoding patch: json: cannot unmarshal object into Go value of type /,
  },
  {
    name: 'JSON patch that is not JSON',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: '[{"op": "replace", "path": "/data/a", ',
    contentType: 'application/json-patch+json',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'strategic merge patch with an unknown $patch directive',
    method: 'PATCH',
    path: `${DEPLOYS}/web`,
    body: json({ spec: { template: { spec: { containers: [{ name: 'web', $patch: 'bogus' }] } } } }),
    contentType: 'application/strategic-merge-patch+json',
    // Kubernetes itself lets this error through as a 500; a 4xx naming the directive is the contract here.
    code: 422,
    reason: 'Invalid',
    message: /unknown patch type: bogus/,
  },
  {
    name: 'strategic merge patch that is a JSON array',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json([{ data: { a: 'changed' } }]),
    contentType: 'application/strategic-merge-patch+json',
    code: 400,
    reason: 'BadRequest',
    message: /cannot unmarshal array into Go value of type map\[string\]interface \{\}/,
  },
  {
    name: 'merge patch that is a JSON array',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json([{ data: { a: 'changed' } }]),
    contentType: 'application/merge-patch+json',
    code: 400,
    reason: 'BadRequest',
    message: 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
  },
  {
    name: 'merge patch renaming the object',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json({ metadata: { name: 'renamed' } }),
    contentType: 'application/merge-patch+json',
    code: 400,
    reason: 'BadRequest',
    message: 'the name of the object (renamed) does not match the name on the URL (fixture)',
  },
  {
    name: 'PATCH with an unsupported Content-Type',
    method: 'PATCH',
    path: `${CMS}/fixture`,
    body: json({ data: { a: 'changed' } }),
    contentType: 'text/plain',
    code: 415,
    reason: 'UnsupportedMediaType',
    message: /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/,
  },

  // --- concurrency and preconditions
  {
    name: 'update with a stale resourceVersion',
    method: 'PUT',
    path: `${CMS}/fixture`,
    body: json({ ...CONFIGMAP, metadata: { ...CONFIGMAP.metadata, resourceVersion: '1' }, data: { a: 'changed' } }),
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on configmaps "fixture": ${MODIFIED}`,
    details: { name: 'fixture', kind: 'configmaps' },
  },
  {
    name: 'merge patch carrying a stale resourceVersion',
    method: 'PATCH',
    path: `${DEPLOYS}/web`,
    body: json({ metadata: { resourceVersion: '1' }, spec: { replicas: 5 } }),
    contentType: 'application/merge-patch+json',
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on deployments.apps "web": ${MODIFIED}`,
    details: { name: 'web', group: 'apps', kind: 'deployments' },
  },
  {
    name: 'delete with a UID precondition that does not hold',
    method: 'DELETE',
    path: `${CMS}/fixture`,
    body: json({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'not-the-uid' } }),
    code: 409,
    reason: 'Conflict',
    message: /^Operation cannot be fulfilled on configmaps "fixture": Precondition failed: UID in precondition: not-the-uid, UID in object meta: [0-9a-f-]{36}$/,
  },
  {
    name: 'delete with a malformed DeleteOptions body',
    method: 'DELETE',
    path: `${CMS}/fixture`,
    body: '{"preconditions": ',
    code: 400,
    reason: 'BadRequest',
  },

  // --- what is not there
  {
    name: 'GET of a missing object',
    method: 'GET',
    path: `${CMS}/x`,
    code: 404,
    reason: 'NotFound',
    message: 'configmaps "x" not found',
    details: { name: 'x', kind: 'configmaps' },
  },
  {
    name: 'DELETE of a missing Deployment',
    method: 'DELETE',
    path: `${DEPLOYS}/x`,
    code: 404,
    reason: 'NotFound',
    message: 'deployments.apps "x" not found',
    details: { name: 'x', group: 'apps', kind: 'deployments' },
  },
  {
    name: 'object name with malformed percent-encoding',
    method: 'GET',
    path: `${CMS}/%E0%A4%A`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'object name with an encoded slash (a%2Fb)',
    method: 'DELETE',
    path: `${CMS}/a%2Fb`,
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'unknown resource',
    method: 'GET',
    path: '/api/v1/namespaces/default/widgets',
    code: 404,
    reason: 'NotFound',
    message: 'the server could not find the requested resource',
  },
  {
    name: 'unknown group version',
    method: 'POST',
    path: '/apis/example.com/v1/namespaces/default/widgets',
    body: json({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    code: 404,
    reason: 'NotFound',
    message: 'the server could not find the requested resource',
  },
  {
    name: 'create in a namespace that does not exist',
    method: 'POST',
    path: '/api/v1/namespaces/nope/configmaps',
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }),
    code: 404,
    reason: 'NotFound',
    message: 'namespaces "nope" not found',
  },

  // --- methods a URL does not take
  {
    name: 'POST to an object URL',
    method: 'POST',
    path: `${CMS}/posted-to-item`,
    body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'posted-to-item' } }),
    code: 405,
    reason: 'MethodNotAllowed',
    message: NOT_ALLOWED,
  },
  {
    name: 'PUT to a collection URL',
    method: 'PUT',
    path: CMS,
    body: json(CONFIGMAP),
    code: 405,
    reason: 'MethodNotAllowed',
    message: NOT_ALLOWED,
  },
  {
    name: 'DELETE of the namespaces collection (namespaces have no deletecollection; dry run)',
    method: 'DELETE',
    path: '/api/v1/namespaces?dryRun=All',
    code: 405,
    reason: 'MethodNotAllowed',
    message: NOT_ALLOWED,
  },

  // --- list parameters
  {
    name: 'label selector that does not parse',
    method: 'GET',
    path: `${CMS}?labelSelector=${encodeURIComponent('app in (a,')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'negative limit',
    method: 'GET',
    path: `${CMS}?limit=-1`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'continue token that is not one',
    method: 'GET',
    path: `${CMS}?limit=1&continue=${encodeURIComponent('not-a-token!')}`,
    code: 400,
    reason: 'BadRequest',
  },

  // --- authentication
  {
    name: 'no token',
    method: 'GET',
    path: CMS,
    token: 'none',
    code: 401,
    reason: 'Unauthorized',
    message: 'Unauthorized',
  },
  {
    name: 'a wrong token, on a write',
    method: 'PUT',
    path: `${CMS}/fixture`,
    token: 'not-the-token',
    body: json({ ...CONFIGMAP, data: { a: 'changed' } }),
    code: 401,
    reason: 'Unauthorized',
    message: 'Unauthorized',
  },
  {
    name: 'a Basic Authorization header',
    method: 'DELETE',
    path: `${CMS}/fixture`,
    token: 'none',
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    code: 401,
    reason: 'Unauthorized',
    message: 'Unauthorized',
  },
];

describe('apiserver: bad input gets the Status Kubernetes answers with, and changes nothing', () => {
  before(async () => {
    await startCluster();
    for (const [path, obj] of [
      [CMS, CONFIGMAP],
      [DEPLOYS, DEPLOYMENT],
    ] as const) {
      const r = await call('POST', path, { body: json(obj) });
      assert.equal(r.code, 201, r.text);
    }
  });
  after(async () => {
    agent?.destroy();
    await cluster?.stop();
  });

  for (const c of cases) {
    test(c.name, async () => {
      const was = await snapshot();
      const r = await call(c.method, c.path, { body: c.body, contentType: c.contentType, token: c.token, chunked: c.chunked, headers: c.headers });
      const what = `${c.method} ${c.path.slice(0, 80)}`;
      assert.equal(r.code, c.code, `${what}: HTTP ${r.code}, want ${c.code}: ${r.text.slice(0, 500)}`);
      if (c.code >= 400) {
        const s = statusOf(r, what);
        if (c.reason) assert.equal(s.reason, c.reason, `${what}: reason`);
        if (typeof c.message === 'string') assert.equal(s.message, c.message, `${what}: message`);
        else if (c.message) assert.match(s.message, c.message, `${what}: message`);
        if (c.causes) {
          const got = (s.details?.causes ?? []).map((x) => ({ reason: x.reason, field: x.field }));
          for (const want of c.causes) assert.ok(got.some((g) => g.reason === want.reason && g.field === want.field), `${what}: no ${want.reason} cause on ${want.field} in ${json(got)}`);
        }
        if (c.details) {
          for (const [k, v] of Object.entries(c.details)) assert.equal((s.details as Record<string, unknown> | undefined)?.[k], v, `${what}: details.${k}`);
        }
      }
      await c.check?.(r);
      await assertUnchanged(was, what, !c.writes);
      const ready = await call('GET', '/readyz');
      assert.equal(ready.code, 200, 'the server is no longer ready');
    });
  }
});

// ---------------------------------------------------------------------------
// Property: random requests at every served resource. They run in namespace
// `fuzz` (and against cluster-scoped objects named for the fuzz), so the
// fixtures in `default` must come through untouched.

const FUZZ_NS = 'fuzz';
/** Names a random request may not address: the cluster's own namespaces. */
const PROTECTED = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', FUZZ_NS, '.', '..']);

/** Minimal valid bodies per kind, for "valid object, then damaged" shapes. */
function validObject(info: ResourceInfo, name: string): Record<string, unknown> {
  const o: Record<string, unknown> = { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { name, ...(info.namespaced ? { namespace: FUZZ_NS } : {}) } };
  switch (info.kind) {
    case 'ConfigMap':
      return { ...o, data: { a: '1' } };
    case 'Secret':
      return { ...o, stringData: { a: '1' } };
    case 'Pod':
      return { ...o, spec: podTemplate('fz').spec };
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicationController':
      return {
        ...o,
        spec: {
          replicas: 1,
          selector: info.kind === 'ReplicationController' ? { app: 'fz' } : { matchLabels: { app: 'fz' } },
          template: podTemplate('fz'),
          ...(info.kind === 'StatefulSet' ? { serviceName: 'fz' } : {}),
        },
      };
    case 'Service':
      return { ...o, spec: { selector: { app: 'fz' }, ports: [{ port: 80 }] } };
    case 'Job':
      return { ...o, spec: { template: { ...podTemplate('fz'), spec: { ...podTemplate('fz').spec, restartPolicy: 'Never' } } } };
    case 'Scale':
      return { ...o, spec: { replicas: 1 } };
    default:
      return o;
  }
}

interface Endpoint {
  /** "group/version/resource" ("/v1/pods" for the core group): short in counterexamples. */
  resource: string;
  /** 'collection' | 'item' | 'sub' */
  shape: number;
  ns: string;
  name: string;
  sub: number;
}

const SUB_EXTRA = ['bogus', 'scale', 'status'];

const BY_KEY = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));

function pathOf(e: Endpoint): { path: string; info: ResourceInfo; subName: string } {
  const info = BY_KEY.get(e.resource)!;
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const nsPart = info.namespaced && e.ns ? `/namespaces/${e.ns}` : '';
  const coll = `${root}${nsPart}/${info.resource}`;
  if (e.shape === 0) return { path: coll, info: info, subName: '' };
  const item = `${coll}/${encodeURIComponent(e.name)}`;
  if (e.shape === 1) return { path: item, info: info, subName: '' };
  const subs = [...info.subresources.map((s) => s.name), ...SUB_EXTRA];
  const subName = subs[e.sub % subs.length]!;
  return { path: `${item}/${subName}`, info: info, subName };
}

const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('target', 'missing', 'fuzz-victim') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 24 }).filter((s) => !PROTECTED.has(s)) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }).filter((s) => !PROTECTED.has(s)) },
);

const endpointArb: fc.Arbitrary<Endpoint> = fc.record({
  resource: fc.constantFrom(...BY_KEY.keys()),
  shape: fc.constantFrom(0, 1, 1, 2),
  ns: fc.constantFrom(FUZZ_NS, FUZZ_NS, FUZZ_NS, 'nope', ''),
  name: nameArb,
  sub: fc.nat(),
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/yaml',
  PB,
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'application/xml',
  'application/cbor',
  ';;;',
  '',
];
const PATCH_CONTENT_TYPES = CONTENT_TYPES.slice(4, 8);

const ACCEPTS = [
  undefined,
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1;g=meta.k8s.io, application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf, */*',
  'text/html',
  'application/json;as=Table;v=v9;g=meta.k8s.io',
];

const QUERY_PARAMS = [
  'fieldValidation',
  'dryRun',
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'propagationPolicy',
  'gracePeriodSeconds',
  'includeObject',
  'fieldManager',
  'force',
  'orphanDependents',
  'pretty',
];
// Not random: a resourceVersion far ahead of the store makes a list wait 3 s for it, then 504 (as Kubernetes does).
const QUERY_VALUES = ['', 'All', 'Strict', 'Warn', 'Ignore', 'true', '0', '1', '-1', 'app=fz', 'app in (a,', 'metadata.name=target', 'spec.bogus=1', 'Orphan', 'Foreground', 'NotOlderThan', 'Exact', 'Object', 'None', 'e30=', '!!', '%zz'];
const queryArb = fc.array(
  fc.tuple(fc.constantFrom(...QUERY_PARAMS), fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.string({ maxLength: 12 }))),
  { maxLength: 3 },
);

const JSON_PATHS = ['', '/', '/metadata', '/metadata/name', '/metadata/labels', '/metadata/labels/a', '/metadata/resourceVersion', '/metadata/finalizers/-', '/metadata/finalizers/0', '/spec', '/spec/replicas', '/spec/template/spec/containers/0', '/spec/template/spec/containers/-', '/status', '/data/a', '/data/~1x', '/kind', '/apiVersion', '/a/b/c', '/spec/replicas/x'];
const jsonPatchArb = fc.array(
  fc.record(
    {
      op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), fc.string({ maxLength: 6 })),
      path: fc.oneof(fc.constantFrom(...JSON_PATHS), fc.string({ maxLength: 12 })),
      from: fc.oneof(fc.constantFrom(...JSON_PATHS), fc.string({ maxLength: 12 })),
      value: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  ),
  { maxLength: 5 },
);

const MERGE_KEYS = ['metadata', 'spec', 'status', 'data', 'kind', 'apiVersion', 'name', 'namespace', 'labels', 'finalizers', 'replicas', 'template', 'containers', 'selector', '$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', 'resourceVersion', 'uid', 'deletionTimestamp'];
const mergeValueArb: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown; obj: Record<string, unknown> }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom('replace', 'delete', 'merge', 'bogus', null),
    tie('obj'),
    fc.array(tie('v'), { maxLength: 3 }),
  ),
  obj: fc.dictionary(fc.oneof(fc.constantFrom(...MERGE_KEYS), fc.string({ maxLength: 6 })), tie('v'), { maxKeys: 4 }),
})).obj;

/** The shape of a body; the bytes are built from it and the endpoint (so shrinking stays meaningful). */
type BodyShape =
  | { t: 'none' }
  | { t: 'json'; v: unknown }
  | { t: 'anything'; v: unknown }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'text'; v: string }
  | { t: 'valid'; extra: Record<string, unknown>; at: number }
  | { t: 'truncated'; cut: number }
  | { t: 'yaml'; extra: Record<string, unknown>; cut: number }
  | { t: 'protobuf'; cut: number; junk: Uint8Array }
  | { t: 'jsonpatch'; v: unknown[] }
  | { t: 'merge'; v: Record<string, unknown> };

const objectBodyArb: fc.Arbitrary<BodyShape> = fc.oneof(
  fc.record({ t: fc.constant('json' as const), v: fc.jsonValue({ maxDepth: 4 }) }),
  fc.record({ t: fc.constant('anything' as const), v: fc.anything({ maxDepth: 3 }) }),
  fc.record({ t: fc.constant('bytes' as const), v: fc.uint8Array({ maxLength: 120 }) }),
  fc.record({ t: fc.constant('text' as const), v: fc.string({ maxLength: 60 }) }),
  fc.record({ t: fc.constant('valid' as const), extra: mergeValueArb, at: fc.nat(3) }),
  fc.record({ t: fc.constant('truncated' as const), cut: fc.nat() }),
  fc.record({ t: fc.constant('yaml' as const), extra: mergeValueArb, cut: fc.nat() }),
  fc.record({ t: fc.constant('protobuf' as const), cut: fc.nat(), junk: fc.uint8Array({ maxLength: 24 }) }),
) as fc.Arbitrary<BodyShape>;
const patchBodyArb: fc.Arbitrary<BodyShape> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('jsonpatch' as const), v: jsonPatchArb as fc.Arbitrary<unknown[]> }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('merge' as const), v: mergeValueArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('json' as const), v: fc.jsonValue({ maxDepth: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('bytes' as const), v: fc.uint8Array({ maxLength: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('valid' as const), extra: mergeValueArb, at: fc.nat(3) }) },
) as fc.Arbitrary<BodyShape>;

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null';
  } catch {
    return String(v);
  }
}

/** Puts `extra`'s fields at the top level, in metadata, in spec, or in the first container. */
function withExtra(obj: Record<string, unknown>, extra: Record<string, unknown>, at: number): Record<string, unknown> {
  const o = structuredClone(obj);
  const spec = (o.spec ??= {}) as Record<string, unknown>;
  const targets: Record<string, unknown>[] = [o, o.metadata as Record<string, unknown>, spec];
  const containers = ((spec.template as { spec?: { containers?: Record<string, unknown>[] } } | undefined)?.spec?.containers ?? (spec as { containers?: Record<string, unknown>[] }).containers) as Record<string, unknown>[] | undefined;
  targets.push(containers?.[0] ?? spec);
  Object.assign(targets[at % targets.length]!, extra);
  return o;
}

function bodyOf(shape: BodyShape, ep: { info: ResourceInfo; subName: string }, name: string): string | Uint8Array | undefined {
  const info = ep.subName === 'scale' ? ({ ...ep.info, group: 'autoscaling', version: 'v1', kind: 'Scale' } as ResourceInfo) : ep.info;
  const valid = () => validObject(info, name);
  switch (shape.t) {
    case 'none':
      return undefined;
    case 'json':
      return JSON.stringify(shape.v);
    case 'anything':
      return safeStringify(shape.v);
    case 'bytes':
      return shape.v;
    case 'text':
      return shape.v;
    case 'valid':
      return JSON.stringify(withExtra(valid(), shape.extra, shape.at));
    case 'truncated': {
      const s = JSON.stringify(valid());
      return s.slice(0, shape.cut % s.length);
    }
    case 'yaml': {
      const lines = Object.entries(withExtra(valid(), shape.extra, 0)).map(([k, v]) => `${JSON.stringify(k)}: ${safeStringify(v)}`);
      const s = lines.join('\n');
      return shape.cut % 3 === 0 ? s.slice(0, shape.cut % (s.length + 1)) : s;
    }
    case 'protobuf': {
      const pb = envelope(apiVersionOf(info), info.kind, concat(objectMeta(name), mapStr(2, 'a', '1')));
      return concat(pb.subarray(0, shape.cut % (pb.length + 1)), shape.junk);
    }
    case 'jsonpatch':
      return JSON.stringify(shape.v);
    case 'merge':
      return JSON.stringify(shape.v);
  }
}

interface FuzzRequest {
  method: string;
  ep: Endpoint;
  query: [string, string][];
  contentType: string | null;
  accept: string | undefined;
  body: BodyShape;
}

function describeRequest(r: FuzzRequest): { method: string; path: string; body: string | Uint8Array | undefined; contentType: string | null; accept: string | undefined } {
  const { path: p, info, subName } = pathOf(r.ep);
  const qs = r.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  let path = qs ? `${p}?${qs}` : p;
  // Namespaces have no deletecollection: a refused-or-not DELETE of the whole collection must never reach the system namespaces.
  if (r.method === 'DELETE' && info.resource === 'namespaces' && r.ep.shape === 0) path += `${qs ? '&' : '?'}dryRun=All`;
  return { method: r.method, path, body: bodyOf(r.body, { info, subName }, r.ep.name), contentType: r.contentType, accept: r.accept };
}

/** What every answer must be: below 500, and a proper Status when it refuses. */
function checkAnswer(r: Resp, what: string): void {
  // Kubernetes too answers 504 Timeout when a read names a resourceVersion the store has not reached.
  if (r.code === 504 && /Too large resource version/.test(r.text)) return;
  assert.ok(r.code >= 200 && r.code < 500, `${what}: HTTP ${r.code}: ${r.text.slice(0, 400)}`);
  if (r.code >= 400) statusOf(r, what);
  else if (r.text.length > 0) assert.doesNotThrow(() => JSON.parse(r.text), `${what}: a ${r.code} answer that is not JSON: ${r.text.slice(0, 200)}`);
}

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261122;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 100;

async function runProperty(name: string, arb: fc.Arbitrary<FuzzRequest>, seed: number): Promise<void> {
  const property = fc.asyncProperty(arb, async (rq) => {
    const d = describeRequest(rq);
    const what = `${d.method} ${d.path} (Content-Type ${d.contentType === null ? 'none' : JSON.stringify(d.contentType)}, body ${d.body === undefined ? 'none' : JSON.stringify(typeof d.body === 'string' ? d.body.slice(0, 200) : Buffer.from(d.body).toString('base64').slice(0, 200))})`;
    const r = await call(d.method, d.path, { body: d.body, contentType: d.contentType, headers: d.accept ? { accept: d.accept } : {}, timeoutMs: 4000 });
    checkAnswer(r, what);
    const ready = await call('GET', '/readyz', { timeoutMs: 2000 });
    assert.equal(ready.code, 200, `after ${what}: /readyz answered ${ready.code}`);
  });
  try {
    // Shrinking talks to the server too: bounded so a failure still reports within the test's time.
    await fc.assert(property, { seed, numRuns: RUNS, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false, includeErrorInReport: true });
  } catch (e) {
    console.error(`fuzz property "${name}" failed with seed ${seed} (rerun: FUZZ_SEED=${seed})`);
    throw e;
  }
}

describe('apiserver: random requests at every endpoint get 4xx, never 5xx, and the server stays up', () => {
  let fixtures: Snapshot;

  before(async () => {
    await startCluster();
    for (const [path, obj] of [
      [CMS, CONFIGMAP],
      [DEPLOYS, DEPLOYMENT],
    ] as const) {
      const r = await call('POST', path, { body: json(obj) });
      assert.equal(r.code, 201, r.text);
    }
    const seeds: [string, Record<string, unknown>][] = [
      ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUZZ_NS } }],
      ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz-victim' } }],
      ['/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'target' }, rules: [] }],
    ];
    for (const kind of ['ConfigMap', 'Secret', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Service', 'Pod', 'ServiceAccount', 'Job']) {
      const info = RESOURCES.find((r) => r.kind === kind)!;
      seeds.push([`${info.group ? `/apis/${info.group}` : '/api'}/${info.version}/namespaces/${FUZZ_NS}/${info.resource}`, validObject(info, 'target')]);
    }
    for (const [path, obj] of seeds) {
      const r = await call('POST', path, { body: json(obj) });
      assert.equal(r.code, 201, `${path}: ${r.text}`);
    }
    fixtures = await snapshot();
  });
  after(async () => {
    agent?.destroy();
    await cluster?.stop();
  });

  test('object bodies: POST and PUT with random, damaged and mistyped bodies in every media type', async () => {
    await runProperty(
      'object bodies',
      fc.record({
        method: fc.constantFrom('POST', 'PUT'),
        ep: endpointArb,
        query: queryArb,
        contentType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(null) }),
        accept: fc.constantFrom(...ACCEPTS),
        body: objectBodyArb,
      }),
      SEED,
    );
  });

  test('patches: random JSON, merge and strategic patches on objects, status and scale', async () => {
    await runProperty(
      'patches',
      fc.record({
        method: fc.constant('PATCH'),
        ep: endpointArb.map((e) => ({ ...e, shape: e.shape === 0 ? 1 : e.shape, name: e.name.length % 2 === 0 ? 'target' : e.name })),
        query: queryArb,
        contentType: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PATCH_CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
        accept: fc.constantFrom(...ACCEPTS),
        body: patchBodyArb,
      }),
      SEED + 1,
    );
  });

  test('anything: random methods, URLs, queries, Accept and bodies', async () => {
    await runProperty(
      'anything',
      fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        ep: endpointArb,
        query: queryArb,
        contentType: fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.constant(null)),
        accept: fc.constantFrom(...ACCEPTS),
        body: fc.oneof({ weight: 1, arbitrary: fc.constant({ t: 'none' } as BodyShape) }, { weight: 2, arbitrary: objectBodyArb }, { weight: 2, arbitrary: patchBodyArb }),
      }),
      SEED + 2,
    );
  });

  test('after the fuzz, the fixtures in default are untouched and the server is ready', async () => {
    await assertUnchanged(fixtures, 'after the fuzz', false);
    assert.equal((await snapshot()).names, fixtures.names, 'objects were created or deleted in default');
    assert.equal((await call('GET', '/readyz')).code, 200);
    const ns = await call('GET', '/api/v1/namespaces/default');
    assert.equal(ns.code, 200);
    assert.equal((JSON.parse(ns.text) as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp, undefined, 'namespace default is being deleted');
  });
});
