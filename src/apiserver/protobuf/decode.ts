// Decoding of Kubernetes protobuf request bodies (Content-Type
// application/vnd.kubernetes.protobuf) into the JSON object a JSON client would send.
//
// A body is the magic `k8s\0` followed by a runtime.Unknown message:
//   1 typeMeta {1 apiVersion, 2 kind}, 2 raw (the object's own protobuf),
//   3 contentEncoding, 4 contentType.
// The object is decoded with the field tables of schema-*.ts. JSON emission follows Go's
// encoding/json over the Kubernetes Go types: zero scalars are dropped where the field is
// omitempty and not a pointer; pointers keep zero values; fields without omitempty are
// always written (null for absent slices, maps and pointers); structs are always written.

import { builtinZero, decodeBuiltin } from './builtins.ts';
import { messageForKind, messageSchema } from './schema.ts';
import type { FieldSchema, FieldType, MessageSchema } from './schema.ts';
import { ProtobufError, WireReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, wireTypeName } from './wire.ts';

export { ProtobufError } from './wire.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

const MAX_DEPTH = 100;
const utf8 = new TextDecoder('utf-8');

/** Whether a body starts with the Kubernetes protobuf magic `k8s\0`. */
export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/** Decode a `k8s\0`-prefixed runtime.Unknown body into the object's JSON form. */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (!hasProtobufMagic(body)) {
    throw new ProtobufError('not a Kubernetes protobuf body: missing the "k8s\\0" prefix');
  }
  const r = new WireReader(body, 4);
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  let contentType = '';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 4 && wire !== WIRE_LEN) {
      throw new ProtobufError(`runtime.Unknown field ${field} has ${wireTypeName(wire)} wire type, expected length-delimited`);
    }
    if (field === 1) {
      const tm = new WireReader(r.bytes());
      while (!tm.done()) {
        const t = tm.tag();
        if ((t.field === 1 || t.field === 2) && t.wire !== WIRE_LEN) {
          throw new ProtobufError(`TypeMeta field ${t.field} has ${wireTypeName(t.wire)} wire type, expected length-delimited`);
        }
        if (t.field === 1) apiVersion = tm.string();
        else if (t.field === 2) kind = tm.string();
        else tm.skip(t.wire, t.field);
      }
    } else if (field === 2) raw = r.bytes();
    else if (field === 3) contentEncoding = r.string();
    else if (field === 4) contentType = r.string();
    else r.skip(wire, field);
  }
  if (!apiVersion || !kind) throw new ProtobufError('runtime.Unknown has no apiVersion or kind in its typeMeta');
  if (contentEncoding) throw new ProtobufError(`unsupported contentEncoding "${contentEncoding}"`);
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(raw));
    } catch {
      throw new ProtobufError(`runtime.Unknown raw is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProtobufError('runtime.Unknown raw JSON is not an object');
    return { apiVersion, kind, object: { ...(parsed as Record<string, unknown>), kind, apiVersion } };
  }
  if (contentType && contentType !== PROTOBUF_CONTENT_TYPE) throw new ProtobufError(`unsupported contentType "${contentType}"`);
  const type = messageForKind(apiVersion, kind);
  if (!type) throw new ProtobufError(`no protobuf schema for ${kind} in ${apiVersion}`);
  const object = { kind, apiVersion, ...decodeMessage(type, raw) };
  return { apiVersion, kind, object };
}

/** Decode one message of a known type (`apps.v1.DeploymentSpec`) into its JSON form. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  return decodeInto(schemaOf(type, '(root)'), bytes, '', 0);
}

function schemaOf(name: string, path: string): MessageSchema {
  const s = messageSchema(name);
  if (!s) throw new ProtobufError(`${path || '(root)'}: no protobuf schema for message type ${name}`);
  return s;
}

function expectedWire(t: FieldType): number {
  if (t.kind !== 'scalar') return WIRE_LEN;
  switch (t.scalar) {
    case 'string':
    case 'bytes':
      return WIRE_LEN;
    case 'double':
      return WIRE_I64;
    case 'float':
      return WIRE_I32;
    default:
      return WIRE_VARINT;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function decodeInto(schema: MessageSchema, bytes: Uint8Array, path: string, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufError(`${path}: messages nested more than ${MAX_DEPTH} deep`);
  // Raw values by field number, in wire order. Singular message fields that occur more
  // than once are merged, which for protobuf means decoding their concatenation.
  const seen = new Map<number, unknown[]>();
  const r = new WireReader(bytes);
  while (!r.done()) {
    const { field, wire } = r.tag();
    const f = schema.byNumber.get(field);
    if (!f) {
      r.skip(wire, field);
      continue;
    }
    const fpath = join(path, f.json || `(${field})`);
    const want = expectedWire(f.type);
    let values: unknown[];
    if (wire === want) values = [readScalarOrBytes(r, f.type, fpath)];
    else if (wire === WIRE_LEN && f.repeated && want !== WIRE_LEN) values = readPacked(r, f.type, fpath);
    else {
      throw new ProtobufError(`${fpath} (${schema.name} field ${field}): ${wireTypeName(wire)} wire type, expected ${wireTypeName(want)}`);
    }
    const list = seen.get(field);
    if (list) list.push(...values);
    else seen.set(field, values);
  }
  const out: Record<string, unknown> = {};
  for (const f of schema.fields) {
    const fpath = join(path, f.json || '(inline)');
    const raw = seen.get(f.number);
    const value = raw ? present(f, raw, fpath, depth) : absent(f, fpath, depth);
    if (value === OMIT) continue;
    if (f.inline) {
      if (value && typeof value === 'object') Object.assign(out, value);
    } else out[f.json] = value;
  }
  return out;
}

const OMIT = Symbol('omit');

function readScalarOrBytes(r: WireReader, t: FieldType, path: string): unknown {
  if (t.kind !== 'scalar') return r.bytes();
  switch (t.scalar) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'double':
      return r.double();
    case 'float':
      return r.float();
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'uint32':
      return Number(BigInt.asUintN(32, r.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint64':
      return Number(r.varint());
  }
  throw new ProtobufError(`${path}: unsupported type`);
}

function readPacked(r: WireReader, t: FieldType, path: string): unknown[] {
  const sub = new WireReader(r.bytes());
  const out: unknown[] = [];
  while (!sub.done()) out.push(readScalarOrBytes(sub, t, path));
  return out;
}

function concat(chunks: unknown[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const total = chunks.reduce<number>((n, c) => n + (c as Uint8Array).length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c as Uint8Array, at);
    at += (c as Uint8Array).length;
  }
  return out;
}

/** JSON of one value of a non-map type from its wire form. */
function convert(t: Exclude<FieldType, { kind: 'map' }>, v: unknown, path: string, depth: number): unknown {
  if (t.kind === 'scalar') return t.scalar === 'bytes' ? Buffer.from(v as Uint8Array).toString('base64') : v;
  if (t.kind === 'builtin') return decodeBuiltin(t.builtin, v as Uint8Array, path);
  return decodeInto(schemaOf(t.message, path), v as Uint8Array, path, depth + 1);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function present(f: FieldSchema, raw: unknown[], path: string, depth: number): unknown {
  const t = f.type;
  if (t.kind === 'map') return decodeMap(f, t.value, raw, path, depth);
  if (f.repeated) {
    if (f.omitEmpty && raw.length === 0) return OMIT;
    return raw.map((v, i) => convert(t, v, `${path}[${i}]`, depth));
  }
  if (t.kind === 'scalar') {
    const v = raw[raw.length - 1];
    if (t.scalar === 'bytes') {
      if (f.omitEmpty && (v as Uint8Array).length === 0) return OMIT;
      return convert(t, v, path, depth);
    }
    if (f.omitEmpty && !f.pointer && isZero(v)) return OMIT;
    return v;
  }
  const value = convert(t, concat(raw), path, depth);
  if (t.kind === 'builtin' && t.builtin === 'stringlist' && f.omitEmpty && (value as unknown[]).length === 0) return OMIT;
  return value;
}

function decodeMap(f: FieldSchema, vt: Exclude<FieldType, { kind: 'map' }>, raw: unknown[], path: string, depth: number): unknown {
  const out: Record<string, unknown> = {};
  for (const entry of raw) {
    const r = new WireReader(entry as Uint8Array);
    let key = '';
    let value: unknown;
    while (!r.done()) {
      const { field, wire } = r.tag();
      if (field === 1) {
        if (wire !== WIRE_LEN) throw new ProtobufError(`${path}: map key has ${wireTypeName(wire)} wire type, expected length-delimited`);
        key = r.string();
      } else if (field === 2) {
        const want = expectedWire(vt);
        if (wire !== want) throw new ProtobufError(`${path}: map value has ${wireTypeName(wire)} wire type, expected ${wireTypeName(want)}`);
        value = readScalarOrBytes(r, vt, path);
      } else r.skip(wire, field);
    }
    const vpath = `${path}[${JSON.stringify(key)}]`;
    if (value === undefined) out[key] = zeroOf(vt, vpath, depth);
    else out[key] = convert(vt, value, vpath, depth);
  }
  if (f.omitEmpty && Object.keys(out).length === 0) return OMIT;
  return out;
}

/** Go's zero value of a non-pointer field, in JSON. */
function zeroOf(t: Exclude<FieldType, { kind: 'map' }>, path: string, depth: number): unknown {
  if (t.kind === 'scalar') {
    if (t.scalar === 'string') return '';
    if (t.scalar === 'bool') return false;
    if (t.scalar === 'bytes') return null;
    return 0;
  }
  if (t.kind === 'builtin') return builtinZero(t.builtin);
  return decodeInto(schemaOf(t.message, path), new Uint8Array(0), path, depth + 1);
}

/** The JSON Go writes for a field the body does not carry. */
function absent(f: FieldSchema, path: string, depth: number): unknown {
  const t = f.type;
  if (f.repeated || t.kind === 'map' || f.pointer || (t.kind === 'builtin' && t.builtin === 'stringlist')) {
    return f.omitEmpty ? OMIT : null;
  }
  if (t.kind === 'scalar') return f.omitEmpty ? OMIT : zeroOf(t, path, depth);
  // A struct value: encoding/json writes it even when omitempty.
  return zeroOf(t, path, depth);
}
