// The message registry: every package's field table compiled into lookups by field
// number, and the mapping from an object's apiVersion + kind to its message type.

import type { FieldEntry, PackageSchema } from './schema-types.ts';
import { APPS_V1 } from './schema-apps.ts';
import { AUTOSCALING_V1, AUTOSCALING_V2 } from './schema-autoscaling.ts';
import { BATCH_V1 } from './schema-batch.ts';
import { CORE_V1 } from './schema-core.ts';
import { CORE_V1_POD } from './schema-core-pod.ts';
import { META_V1 } from './schema-meta.ts';
import { AUTHENTICATION_V1, AUTHORIZATION_V1 } from './schema-auth.ts';
import { COORDINATION_V1, DISCOVERY_V1, EVENTS_V1, NETWORKING_V1, POLICY_V1, RBAC_V1, SCHEDULING_V1, STORAGE_V1 } from './schema-other.ts';

export type { FieldEntry, PackageSchema } from './schema-types.ts';

export type ScalarType = 'string' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'bytes' | 'double' | 'float';
export type BuiltinType = 'time' | 'microtime' | 'duration' | 'quantity' | 'intorstring' | 'rawextension' | 'fieldsv1' | 'stringlist';

export type FieldType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'builtin'; builtin: BuiltinType }
  | { kind: 'message'; message: string }
  | { kind: 'map'; value: Exclude<FieldType, { kind: 'map' }> };

export interface FieldSchema {
  number: number;
  /** The JSON key; '' when inlined. */
  json: string;
  type: FieldType;
  repeated: boolean;
  omitEmpty: boolean;
  pointer: boolean;
  inline: boolean;
}

export interface MessageSchema {
  /** Full name, `apps.v1.DeploymentSpec`. */
  name: string;
  /** In Go struct order, which is the JSON key order. */
  fields: FieldSchema[];
  byNumber: Map<number, FieldSchema>;
}

const SCALARS = new Set<string>(['string', 'int32', 'int64', 'uint32', 'uint64', 'bool', 'bytes', 'double', 'float']);
const BUILTINS = new Set<string>(['time', 'microtime', 'duration', 'quantity', 'intorstring', 'rawextension', 'fieldsv1', 'stringlist']);

export const PACKAGES: readonly PackageSchema[] = [
  META_V1, CORE_V1_POD, CORE_V1, APPS_V1, BATCH_V1, AUTOSCALING_V1, AUTOSCALING_V2,
  RBAC_V1, POLICY_V1, COORDINATION_V1, DISCOVERY_V1, EVENTS_V1, NETWORKING_V1, SCHEDULING_V1, STORAGE_V1,
  AUTHENTICATION_V1, AUTHORIZATION_V1,
];

/** apiVersion -> protobuf package of this registry. */
export const API_VERSION_PACKAGES: Readonly<Record<string, string>> = {
  v1: 'core.v1',
  'apps/v1': 'apps.v1',
  'batch/v1': 'batch.v1',
  'autoscaling/v1': 'autoscaling.v1',
  'autoscaling/v2': 'autoscaling.v2',
  'rbac.authorization.k8s.io/v1': 'rbac.v1',
  'policy/v1': 'policy.v1',
  'coordination.k8s.io/v1': 'coordination.v1',
  'discovery.k8s.io/v1': 'discovery.v1',
  'events.k8s.io/v1': 'events.v1',
  'networking.k8s.io/v1': 'networking.v1',
  'scheduling.k8s.io/v1': 'scheduling.v1',
  'storage.k8s.io/v1': 'storage.v1',
  'meta.k8s.io/v1': 'meta.v1',
  'authentication.k8s.io/v1': 'authentication.v1',
  'authorization.k8s.io/v1': 'authorization.v1',
};

function parseType(pkg: string, type: string, where: string): FieldType {
  if (type.startsWith('map:')) {
    const value = parseType(pkg, type.slice(4), where);
    if (value.kind === 'map') throw new Error(`schema: nested map in ${where}`);
    return { kind: 'map', value };
  }
  if (SCALARS.has(type)) return { kind: 'scalar', scalar: type as ScalarType };
  if (BUILTINS.has(type)) return { kind: 'builtin', builtin: type as BuiltinType };
  if (!/^[A-Za-z][\w.]*$/.test(type)) throw new Error(`schema: bad type '${type}' in ${where}`);
  return { kind: 'message', message: type.includes('.') ? type : `${pkg}.${type}` };
}

function compileField(pkg: string, msg: string, [number, json, type, flags = '']: FieldEntry): FieldSchema {
  const where = `${pkg}.${msg}.${json || type}`;
  if (!Number.isInteger(number) || number < 1) throw new Error(`schema: bad field number in ${where}`);
  if (/[^ropi]/.test(flags)) throw new Error(`schema: bad flags '${flags}' in ${where}`);
  return {
    number,
    json,
    type: parseType(pkg, type, where),
    repeated: flags.includes('r'),
    omitEmpty: flags.includes('o'),
    pointer: flags.includes('p'),
    inline: flags.includes('i'),
  };
}

function compile(packages: readonly PackageSchema[]): Map<string, MessageSchema> {
  const out = new Map<string, MessageSchema>();
  for (const p of packages) {
    for (const [msg, entries] of Object.entries(p.messages)) {
      const name = `${p.pkg}.${msg}`;
      if (out.has(name)) throw new Error(`schema: message ${name} defined twice`);
      const fields = entries.map((e) => compileField(p.pkg, msg, e));
      const byNumber = new Map<number, FieldSchema>();
      for (const f of fields) {
        if (byNumber.has(f.number)) throw new Error(`schema: field number ${f.number} used twice in ${name}`);
        byNumber.set(f.number, f);
      }
      out.set(name, { name, fields, byNumber });
    }
  }
  return out;
}

const MESSAGES = compile(PACKAGES);

/** The schema of a message by full name (`core.v1.PodSpec`), if known. */
export function messageSchema(name: string): MessageSchema | undefined {
  return MESSAGES.get(name);
}

/** The message type of a top-level object, e.g. ('apps/v1', 'Deployment') -> 'apps.v1.Deployment'. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  const pkg = API_VERSION_PACKAGES[apiVersion];
  if (!pkg || !/^[A-Z]\w*$/.test(kind)) return undefined;
  const name = `${pkg}.${kind}`;
  return MESSAGES.has(name) ? name : undefined;
}

/** Every message name known, sorted. */
export function knownMessages(): string[] {
  return [...MESSAGES.keys()].sort();
}

/** References to message types with no table ("from -> to"); empty when the registry is complete. */
export function unresolvedReferences(): string[] {
  const out: string[] = [];
  for (const m of MESSAGES.values()) {
    for (const f of m.fields) {
      const t = f.type.kind === 'map' ? f.type.value : f.type;
      if (t.kind === 'message' && !MESSAGES.has(t.message)) out.push(`${m.name}.${f.json} -> ${t.message}`);
    }
  }
  return out;
}
