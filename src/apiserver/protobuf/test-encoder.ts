// A tiny protobuf encoder for tests: build messages field by field.

const utf8 = new TextEncoder();

function varintBytes(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let b = Number(u & 0x7fn);
    u >>= 7n;
    if (u) b |= 0x80;
    out.push(b);
  } while (u);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function key(field: number, wire: number): Uint8Array {
  return Uint8Array.from(varintBytes(BigInt((field << 3) | wire)));
}

/** A varint field (int32, int64, bool, enum); negative numbers take 10 bytes, as in Go. */
export function int(field: number, v: number | bigint | boolean): Uint8Array {
  const n = typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
  return concat(key(field, 0), Uint8Array.from(varintBytes(n)));
}

export function bytes(field: number, b: Uint8Array): Uint8Array {
  return concat(key(field, 2), Uint8Array.from(varintBytes(BigInt(b.length))), b);
}

export function str(field: number, s: string): Uint8Array {
  return bytes(field, utf8.encode(s));
}

/** An embedded message field. */
export function msg(field: number, ...fields: Uint8Array[]): Uint8Array {
  return bytes(field, concat(...fields));
}

/** One map<string, string> entry. */
export function mapStr(field: number, k: string, v: string): Uint8Array {
  return msg(field, str(1, k), str(2, v));
}

export function double(field: number, v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return concat(key(field, 1), b);
}

/** A `k8s\0` body wrapping raw in runtime.Unknown. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array, contentType = ''): Uint8Array {
  return concat(
    Uint8Array.of(0x6b, 0x38, 0x73, 0),
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, raw),
    str(3, ''),
    str(4, contentType),
  );
}

/** ObjectMeta the way Go writes it: every non-pointer field present, mostly empty. */
export function objectMeta(name: string, extra: Uint8Array[] = []): Uint8Array {
  return msg(1, str(1, name), str(2, ''), str(3, ''), str(4, ''), str(5, ''), str(6, ''), int(7, 0), msg(8), ...extra);
}
