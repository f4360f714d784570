// The OpenAPI v3 documents: `GET /openapi/v3` (the index) and one document per
// served group version (`/openapi/v3/apis/apps/v1`). kubectl reads them for
// two things: `apply`/`create`/`replace` look for the PATCH operation tagged
// with the kind's x-kubernetes-group-version-kind and, when it declares the
// `fieldValidation` query parameter, leave validation to the server; `explain`
// walks components.schemas. Both parse what Kubernetes serves, so the shapes
// (operation ids, extensions, parameters) follow Kubernetes.

import { createHash } from 'node:crypto';
import { groupVersions, type ResourceInfo, type SubresourceInfo } from '../registry/resources.ts';
import { ref, refsIn, schemaClosure, schemaName, type GVK, type Schema } from './schemas.ts';

type Op = Schema;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const JSON_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function query(name: string, description: string, type = 'string', extra: Schema = {}): Schema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true, ...extra } };
}

const P = {
  pretty: query('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: query('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion.', 'boolean'),
  continue: query('continue', 'The continue option should be set when retrieving more results from the server. The value is an opaque token returned by a previous list call with a limit set.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata.', 'integer'),
  resourceVersion: query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details. Defaults to unset'),
  resourceVersionMatch: query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details. Defaults to unset'),
  sendInitialEvents: query('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection.', 'boolean'),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.', 'integer'),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.', 'boolean'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.', 'integer'),
  orphanDependents: query('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.', 'boolean'),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  name: (what: string): Schema => ({ name: 'name', in: 'path', description: `name of the ${what}`, required: true, schema: { type: 'string', uniqueItems: true } }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } } as Schema,
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

function content(types: string[], schema: Schema): Schema {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function responses(codes: Record<string, string>, schema: Schema, types = JSON_TYPES): Schema {
  const out: Schema = {};
  for (const [code, description] of Object.entries(codes)) out[code] = { description, content: content(types, schema) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** "apps" v1 -> "AppsV1"; "" -> "CoreV1"; "rbac.authorization.k8s.io" -> "RbacAuthorizationV1". */
function groupCamel(group: string, version: string): string {
  const parts = (group || 'core').replace(/\.k8s\.io$/, '').split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return parts.map(cap).join('') + cap(version);
}

function tagOf(group: string, version: string): string {
  const parts = (group || 'core').replace(/\.k8s\.io$/, '').split('.');
  return parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('') + '_' + version;
}

interface OpSpec {
  action: string;
  id: string;
  description: string;
  params?: Schema[];
  body?: Schema;
  bodyTypes?: string[];
  codes: Record<string, string>;
  response: Schema;
  responseTypes?: string[];
  gvk: GVK;
}

function operation(tag: string, o: OpSpec): Op {
  const op: Op = { tags: [tag], description: o.description, operationId: o.id };
  if (o.params?.length) op.parameters = o.params;
  if (o.body) op.requestBody = { content: content(o.bodyTypes ?? ['*/*'], o.body), required: true };
  op.responses = responses(o.codes, o.response, o.responseTypes);
  op['x-kubernetes-action'] = o.action;
  op['x-kubernetes-group-version-kind'] = o.gvk;
  return op;
}

const OK = { '200': 'OK' };
const CREATED = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
const UPDATED = { '200': 'OK', '201': 'Created' };
const DELETED = { '200': 'OK', '202': 'Accepted' };

/** The paths of one resource: its collection, its items, its subresources. */
function resourcePaths(r: ResourceInfo, paths: Record<string, Schema>): void {
  const gv = `${r.group ? `/apis/${r.group}` : '/api'}/${r.version}`;
  const tag = tagOf(r.group, r.version);
  const camel = groupCamel(r.group, r.version);
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind };
  const obj = ref(schemaName(r.group, r.version, r.kind));
  const list = ref(schemaName(r.group, r.version, `${r.kind}List`));
  const status = ref(`${META}.Status`);
  const deleteBody = ref(`${META}.DeleteOptions`);
  const ns = r.namespaced ? 'Namespaced' : '';
  const can = (v: string) => r.verbs.includes(v);
  const base = r.namespaced ? `${gv}/namespaces/{namespace}/${r.resource}` : `${gv}/${r.resource}`;
  const scope = r.namespaced ? [P.namespace] : [];

  const collection: Schema = {};
  if (can('list')) collection.get = operation(tag, { action: 'list', id: `list${camel}${ns}${r.kind}`, description: `list or watch objects of kind ${r.kind}`, params: LIST_PARAMS, codes: OK, response: list, responseTypes: [...JSON_TYPES, 'application/json;stream=watch'], gvk });
  if (can('create')) collection.post = operation(tag, { action: 'post', id: `create${camel}${ns}${r.kind}`, description: `create ${article(r.kind)}`, params: WRITE_PARAMS, body: obj, codes: CREATED, response: obj, gvk });
  if (can('deletecollection')) collection.delete = operation(tag, { action: 'deletecollection', id: `delete${camel}Collection${ns}${r.kind}`, description: `delete collection of ${r.kind}`, params: DELETECOLLECTION_PARAMS, body: deleteBody, codes: OK, response: status, gvk });
  if (Object.keys(collection).length) paths[base] = { ...collection, parameters: [...scope, P.pretty] };

  const item: Schema = {};
  const named = `${base}/{name}`;
  if (can('get')) item.get = operation(tag, { action: 'get', id: `read${camel}${ns}${r.kind}`, description: `read the specified ${r.kind}`, codes: OK, response: obj, gvk });
  if (can('update')) item.put = operation(tag, { action: 'put', id: `replace${camel}${ns}${r.kind}`, description: `replace the specified ${r.kind}`, params: WRITE_PARAMS, body: obj, codes: UPDATED, response: obj, gvk });
  if (can('patch')) item.patch = operation(tag, { action: 'patch', id: `patch${camel}${ns}${r.kind}`, description: `partially update the specified ${r.kind}`, params: [...WRITE_PARAMS, P.force], body: ref(`${META}.Patch`), bodyTypes: PATCH_TYPES, codes: UPDATED, response: obj, gvk });
  if (can('delete')) item.delete = operation(tag, { action: 'delete', id: `delete${camel}${ns}${r.kind}`, description: `delete ${article(r.kind)}`, params: DELETE_PARAMS, body: deleteBody, codes: DELETED, response: status, gvk });
  if (Object.keys(item).length) paths[named] = { ...item, parameters: [P.name(r.kind), ...scope, P.pretty] };

  if (r.namespaced && can('list')) {
    paths[`${gv}/${r.resource}`] = {
      get: operation(tag, { action: 'list', id: `list${camel}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`, params: LIST_PARAMS, codes: OK, response: list, responseTypes: [...JSON_TYPES, 'application/json;stream=watch'], gvk }),
      parameters: [P.pretty],
    };
  }

  for (const sub of r.subresources) {
    const ops = subresourceOps(r, sub, { tag, camel, ns, obj });
    if (Object.keys(ops).length) paths[`${named}/${sub.name}`] = { ...ops, parameters: [P.name(sub.kind), ...scope, P.pretty] };
  }
}

function subresourceOps(r: ResourceInfo, sub: SubresourceInfo, c: { tag: string; camel: string; ns: string; obj: Schema }): Schema {
  const gvk: GVK = { group: sub.group, version: sub.version, kind: sub.kind };
  const Sub = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const id = (verb: string) => `${verb}${c.camel}${c.ns}${r.kind}${Sub}`;
  const can = (v: string) => sub.verbs.includes(v);
  const ops: Schema = {};
  const what = `${sub.name} of the specified ${r.kind}`;
  if (['exec', 'attach', 'portforward'].includes(sub.name)) {
    // Streaming subresources: the body is a stream, not an object.
    const text: Schema = { type: 'string' };
    for (const [verb, v] of [['get', 'get'], ['post', 'create']] as const) {
      if (can(v)) ops[verb] = operation(c.tag, { action: 'connect', id: id(`connect${verb === 'get' ? 'Get' : 'Post'}`), description: `connect ${verb.toUpperCase()} requests to ${sub.name} of ${r.kind}`, codes: OK, response: text, responseTypes: ['*/*'], gvk });
    }
    return ops;
  }
  if (sub.name === 'log') {
    ops.get = operation(c.tag, { action: 'get', id: id('read'), description: `read log of the specified ${r.kind}`, codes: OK, response: { type: 'string' }, responseTypes: ['text/plain', 'application/json', 'application/yaml'], gvk });
    return ops;
  }
  const body = ref(schemaName(sub.group, sub.version, sub.kind));
  if (can('get')) ops.get = operation(c.tag, { action: 'get', id: id('read'), description: `read ${what}`, codes: OK, response: body, gvk });
  if (can('update')) ops.put = operation(c.tag, { action: 'put', id: id('replace'), description: `replace ${what}`, params: WRITE_PARAMS, body, codes: UPDATED, response: body, gvk });
  if (can('patch')) ops.patch = operation(c.tag, { action: 'patch', id: id('patch'), description: `partially update ${what}`, params: [...WRITE_PARAMS, P.force], body: ref(`${META}.Patch`), bodyTypes: PATCH_TYPES, codes: UPDATED, response: body, gvk });
  if (can('create')) ops.post = operation(c.tag, { action: 'post', id: id('create'), description: `create ${sub.name} of ${article(r.kind)}`, params: WRITE_PARAMS, body, codes: CREATED, response: body, gvk });
  return ops;
}

function article(kind: string): string {
  return `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** "api/v1" | "apis/apps/v1" of a group version. */
export function groupVersionPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

interface Built {
  doc: Schema;
  json: string;
  hash: string;
}

let built: Map<string, Built> | undefined;

function buildAll(): Map<string, Built> {
  const out = new Map<string, Built>();
  for (const gv of groupVersions()) {
    const paths: Record<string, Schema> = {};
    for (const r of gv.resources) resourcePaths(r, paths);
    const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1)));
    const doc: Schema = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths: sortedPaths,
      components: {
        schemas: schemaClosure(refsIn(sortedPaths)),
        securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
      },
      security: [{ BearerToken: [] }],
    };
    const json = JSON.stringify(doc);
    // Kubernetes' hash: the upper-case hex SHA-512 of the served bytes.
    const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
    out.set(groupVersionPath(gv), { doc, json, hash });
  }
  return out;
}

function all(): Map<string, Built> {
  built ??= buildAll();
  return built;
}

/** `GET /openapi/v3`: where each group version's document lives. */
export function openAPIV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, b] of all()) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${b.hash}` };
  return { paths };
}

/** `GET /openapi/v3/<path>` ("api/v1", "apis/apps/v1"); undefined for a group version not served. Cached and shared: do not mutate. */
export function openAPIV3Document(path: string): object | undefined {
  return all().get(path.replace(/^\/+|\/+$/g, ''))?.doc;
}

/** The document already serialized, and its hash (the ETag and the index's `?hash=`). */
export function openAPIV3DocumentJSON(path: string): { json: string; hash: string } | undefined {
  const b = all().get(path.replace(/^\/+|\/+$/g, ''));
  return b && { json: b.json, hash: b.hash };
}
