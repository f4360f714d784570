// The JSON forms of apimachinery types whose protobuf shape differs from their JSON:
// Time, MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1, Verbs.

import { ProtobufError, WireReader, WIRE_LEN, WIRE_VARINT, wireTypeName } from './wire.ts';
import type { BuiltinType } from './schema.ts';

const utf8 = new TextDecoder('utf-8');

type Fields = Map<number, { wire: number; value: bigint | Uint8Array }[]>;

function readFields(bytes: Uint8Array): Fields {
  const r = new WireReader(bytes);
  const out: Fields = new Map();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire === WIRE_VARINT) push(out, field, wire, r.varint());
    else if (wire === WIRE_LEN) push(out, field, wire, r.bytes());
    else r.skip(wire, field);
  }
  return out;
}

function push(m: Fields, field: number, wire: number, value: bigint | Uint8Array): void {
  const list = m.get(field);
  if (list) list.push({ wire, value });
  else m.set(field, [{ wire, value }]);
}

function last(m: Fields, field: number, wire: number, what: string, path: string): bigint | Uint8Array | undefined {
  const list = m.get(field);
  if (!list) return undefined;
  const v = list[list.length - 1]!;
  if (v.wire !== wire) {
    throw new ProtobufError(`${path}: ${what} field ${field} has ${wireTypeName(v.wire)} wire type, expected ${wireTypeName(wire)}`);
  }
  return v.value;
}

function int(m: Fields, field: number, bits: 32 | 64, what: string, path: string): bigint {
  const v = last(m, field, WIRE_VARINT, what, path) as bigint | undefined;
  return v === undefined ? 0n : BigInt.asIntN(bits, v);
}

function bytesOf(m: Fields, field: number, what: string, path: string): Uint8Array | undefined {
  return last(m, field, WIRE_LEN, what, path) as Uint8Array | undefined;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's time.RFC3339 in UTC ("2006-01-02T15:04:05Z"), with `fraction` digits of sub-second precision. */
export function formatTime(seconds: bigint, nanos: number, fraction: 0 | 6): string {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new ProtobufError(`time ${seconds}s is out of range`);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return fraction ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

/** Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s". */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Sub-second: the largest unit that keeps a non-zero integer part.
    const [unit, scale] = u < 1000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = fractional(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = fractional(u, 1_000_000_000n) + 's';
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fractional(v: bigint, scale: bigint): string {
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(scale.toString().length - 1, '0').replace(/0+$/, '');
  if (scale === 1n) frac = '';
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function parseJSON(raw: Uint8Array, what: string, path: string): unknown {
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new ProtobufError(`${path}: ${what} does not hold JSON (${raw.length} bytes)`);
  }
}

/** The JSON value of a present built-in message. */
export function decodeBuiltin(type: BuiltinType, bytes: Uint8Array, path: string): unknown {
  const m = readFields(bytes);
  switch (type) {
    case 'time':
    case 'microtime': {
      // An empty Time is Go's zero time, which Kubernetes writes as null.
      if (bytes.length === 0) return null;
      const seconds = int(m, 1, 64, type, path);
      const nanos = Number(int(m, 2, 32, type, path));
      return type === 'time' ? formatTime(seconds, 0, 0) : formatTime(seconds, nanos, 6);
    }
    case 'duration':
      return formatDuration(int(m, 1, 64, type, path));
    case 'quantity': {
      const s = bytesOf(m, 1, type, path);
      return s && s.length ? utf8.decode(s) : '0';
    }
    case 'intorstring': {
      if (int(m, 1, 64, type, path) === 1n) {
        const s = bytesOf(m, 3, type, path);
        return s ? utf8.decode(s) : '';
      }
      return Number(int(m, 2, 32, type, path));
    }
    case 'rawextension':
    case 'fieldsv1': {
      const raw = bytesOf(m, 1, type, path);
      return raw && raw.length ? parseJSON(raw, type, path) : null;
    }
    case 'stringlist':
      return (m.get(1) ?? []).map((v) => {
        if (v.wire !== WIRE_LEN) throw new ProtobufError(`${path}: list item has ${wireTypeName(v.wire)} wire type, expected length-delimited`);
        return utf8.decode(v.value as Uint8Array);
      });
  }
}

/** The JSON value Go writes for a built-in's zero value (field absent, not a pointer). */
export function builtinZero(type: BuiltinType): unknown {
  switch (type) {
    case 'duration':
      return '0s';
    case 'quantity':
      return '0';
    case 'intorstring':
      return 0;
    default:
      return null;
  }
}
