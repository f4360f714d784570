// OpenAPI v3 schemas for the Kubernetes types, read from the `kubernetes-types`
// declarations (see dts.ts) and named as Kubernetes names them:
// io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.
// Schemas are built on first use and cached; callers must not mutate them.

import { loadModule, type Decl, type Module, type TypeExpr } from './dts.ts';

export type Schema = { [key: string]: unknown };

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export const REF_PREFIX = '#/components/schemas/';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** kubernetes-types module id -> Kubernetes definition prefix, where it is not io.k8s.api.<dir>.<version>. */
const SPECIAL_PREFIXES: Record<string, string> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};

function prefixOf(moduleId: string): string {
  return SPECIAL_PREFIXES[moduleId] ?? `io.k8s.api.${moduleId.replace('/', '.')}`;
}

function moduleOf(schemaName: string): { id: string; name: string } | undefined {
  const dot = schemaName.lastIndexOf('.');
  const prefix = schemaName.slice(0, dot);
  const name = schemaName.slice(dot + 1);
  for (const [id, p] of Object.entries(SPECIAL_PREFIXES)) if (p === prefix) return { id, name };
  const m = /^io\.k8s\.api\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(prefix);
  return m ? { id: `${m[1]}/${m[2]}`, name } : undefined;
}

/** The kubernetes-types module of an API group version: "" v1 -> core/v1, rbac.authorization.k8s.io v1 -> rbac/v1. */
function moduleForGroup(group: string, version: string): string {
  return `${group ? group.split('.')[0] : 'core'}/${version}`;
}

/** The definition name of a kind: ("apps", "v1", "Deployment") -> "io.k8s.api.apps.v1.Deployment". */
export function schemaName(group: string, version: string, kind: string): string {
  return `${prefixOf(moduleForGroup(group, version))}.${kind}`;
}

export function ref(name: string): Schema {
  return { $ref: REF_PREFIX + name };
}

// Kubernetes' strategic-merge metadata (patchMergeKey, patchStrategy, listType,
// listMapKeys) for the fields kubectl's merges depend on. The declarations do
// not carry it, so it is stated here, from the Go struct tags.
type PatchInfo = { key?: string; strategy: string; mapKeys?: string[]; listType?: 'map' | 'set' };
const byName = (strategy = 'merge'): PatchInfo => ({ key: 'name', strategy, mapKeys: ['name'], listType: 'map' });
const containerLists: Record<string, PatchInfo> = {
  env: { key: 'name', strategy: 'merge' },
  ports: { key: 'containerPort', strategy: 'merge', mapKeys: ['containerPort', 'protocol'], listType: 'map' },
  volumeMounts: { key: 'mountPath', strategy: 'merge' },
  volumeDevices: { key: 'devicePath', strategy: 'merge' },
};
const PATCH_INFO: Record<string, Record<string, PatchInfo>> = {
  'io.k8s.api.core.v1.PodSpec': {
    containers: { key: 'name', strategy: 'merge' },
    initContainers: { key: 'name', strategy: 'merge' },
    ephemeralContainers: { key: 'name', strategy: 'merge' },
    imagePullSecrets: { key: 'name', strategy: 'merge' },
    volumes: { key: 'name', strategy: 'merge,retainKeys' },
    hostAliases: { key: 'ip', strategy: 'merge', mapKeys: ['ip'], listType: 'map' },
    topologySpreadConstraints: { key: 'topologyKey', strategy: 'merge', mapKeys: ['topologyKey', 'whenUnsatisfiable'], listType: 'map' },
    resourceClaims: byName('merge,retainKeys'),
    schedulingGates: byName(),
  },
  'io.k8s.api.core.v1.Container': containerLists,
  'io.k8s.api.core.v1.EphemeralContainer': containerLists,
  'io.k8s.api.core.v1.ServiceSpec': { ports: { key: 'port', strategy: 'merge', mapKeys: ['port', 'protocol'], listType: 'map' } },
  'io.k8s.api.core.v1.PodStatus': { podIPs: { key: 'ip', strategy: 'merge' }, hostIPs: { key: 'ip', strategy: 'merge' } },
  'io.k8s.api.core.v1.NodeStatus': { addresses: { key: 'type', strategy: 'merge' } },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: { strategy: 'merge', listType: 'set' } },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    ownerReferences: { key: 'uid', strategy: 'merge' },
    finalizers: { strategy: 'merge', listType: 'set' },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: { strategy: 'retainKeys' } },
};

function patchExtensions(owner: string, field: string, prop: Schema): void {
  // Every status condition list in Kubernetes merges by `type`.
  const info = PATCH_INFO[owner]?.[field] ?? (field === 'conditions' && owner.endsWith('Status') ? { key: 'type', strategy: 'merge' } : undefined);
  if (!info) return;
  if (info.listType) prop['x-kubernetes-list-type'] = info.listType;
  if (info.mapKeys) prop['x-kubernetes-list-map-keys'] = info.mapKeys;
  if (info.key) prop['x-kubernetes-patch-merge-key'] = info.key;
  prop['x-kubernetes-patch-strategy'] = info.strategy;
}

/** Schemas with no declaration of their own, or whose declaration is only `string`. */
function builtin(name: string, doc: string | undefined): Schema | undefined {
  const d = doc ? { description: doc } : {};
  switch (name) {
    case INT_OR_STRING:
      return {
        description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
        format: 'int-or-string',
        oneOf: [{ type: 'integer' }, { type: 'string' }],
        'x-kubernetes-int-or-string': true,
      };
    case QUANTITY:
      return { ...d, oneOf: [{ type: 'string' }, { type: 'number' }] };
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.Time':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime':
      return { ...d, type: 'string', format: 'date-time' };
    default:
      return undefined;
  }
}

/** Kinds whose declarations say `apiVersion: string` but that Kubernetes tags anyway. */
const EXTRA_GVK: Record<string, GVK[]> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': [{ group: '', version: 'v1', kind: 'Status' }],
};

function resolveRef(mod: Module, name: string): string {
  const from = mod.imports.get(name) ?? mod.id;
  return `${prefixOf(from)}.${name}`;
}

function isIntOrString(t: TypeExpr): boolean {
  return t.k === 'union' && t.of.length === 2 && t.of.some((x) => x.k === 'prim' && x.name === 'number') && t.of.some((x) => x.k === 'prim' && x.name === 'string');
}

function typeSchema(mod: Module, t: TypeExpr): Schema {
  if (isIntOrString(t)) return ref(INT_OR_STRING);
  switch (t.k) {
    case 'prim':
      return t.name === 'number' ? { type: 'integer' } : t.name === 'any' ? {} : { type: t.name };
    case 'lit':
      return { type: 'string' };
    case 'ref':
      return ref(resolveRef(mod, t.name));
    case 'array':
      return { type: 'array', items: typeSchema(mod, t.of) };
    case 'map':
      return { type: 'object', additionalProperties: typeSchema(mod, t.of) };
    case 'union':
      if (t.of.every((x) => x.k === 'lit')) return { type: 'string', enum: t.of.map((x) => (x as { value: string }).value) };
      return {};
  }
}

/** A property's schema; a described reference is wrapped in allOf as Kubernetes does (siblings of $ref are ignored in 3.0). */
function propertySchema(mod: Module, t: TypeExpr, doc: string | undefined): Schema {
  const s = typeSchema(mod, t);
  if (!doc) return s;
  return '$ref' in s ? { allOf: [s], description: doc } : { ...s, description: doc };
}

function gvkOf(decl: Decl): GVK[] | undefined {
  const lit = (n: string) => {
    const m = decl.members?.find((x) => x.name === n);
    return m?.type.k === 'lit' ? m.type.value : undefined;
  };
  const apiVersion = lit('apiVersion');
  const kind = lit('kind');
  if (apiVersion === undefined || kind === undefined) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) as [string, string] : ['', apiVersion];
  return [{ group, kind, version }];
}

function declSchema(name: string, mod: Module, decl: Decl): Schema {
  const special = builtin(name, decl.doc);
  if (special) return special;
  const d = decl.doc ? { description: decl.doc } : {};
  if (decl.alias) return { ...d, ...typeSchema(mod, decl.alias) };
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const m of decl.members ?? []) {
    const prop = propertySchema(mod, m.type, m.doc);
    patchExtensions(name, m.name, prop);
    properties[m.name] = prop;
    if (!m.optional) required.push(m.name);
  }
  const s: Schema = { ...d, type: 'object' };
  if (Object.keys(properties).length) s.properties = properties;
  if (required.length) s.required = required;
  const gvk = gvkOf(decl) ?? EXTRA_GVK[name];
  if (gvk) s['x-kubernetes-group-version-kind'] = gvk;
  return s;
}

const cache = new Map<string, Schema | null>();

/** The schema of one definition ("io.k8s.api.apps.v1.DeploymentSpec"), or undefined if no such type exists. */
export function getSchema(name: string): Schema | undefined {
  let s = cache.get(name);
  if (s === undefined) {
    s = builtin(name, undefined) ?? null;
    const loc = moduleOf(name);
    if (loc) {
      let mod: Module | undefined;
      try {
        mod = loadModule(loc.id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const decl = mod?.decls.get(loc.name);
      if (mod && decl) s = declSchema(name, mod, decl);
    }
    cache.set(name, s);
  }
  return s ?? undefined;
}

/** Every `$ref` target named inside a JSON value. */
export function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) out.add(v.slice(REF_PREFIX.length));
      else refsIn(v, out);
    }
  }
  return out;
}

/**
 * The named schemas and everything they reference, sorted by name. Throws on a
 * reference to a type that does not exist: a served kind without a schema is a bug.
 */
export function schemaClosure(roots: Iterable<string>): Record<string, Schema> {
  const found = new Map<string, Schema>();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop()!;
    if (found.has(name)) continue;
    const s = getSchema(name);
    if (!s) throw new Error(`openapi: no schema for ${name}`);
    found.set(name, s);
    for (const r of refsIn(s)) if (!found.has(r)) todo.push(r);
  }
  return Object.fromEntries([...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
