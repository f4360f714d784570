// A minimal protobuf wire-format reader: varints, 64-bit, length-delimited and 32-bit
// fields, and skipping of unknown fields (groups included). No dependencies.

/** Malformed protobuf input: truncated varints, lengths past the end, wrong wire types... */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', '6', '7'];

export function wireTypeName(wire: number): string {
  return WIRE_NAMES[wire] ?? String(wire);
}

const utf8 = new TextDecoder('utf-8');

export class WireReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A field key: field number and wire type. */
  tag(): { field: number; wire: number } {
    const at = this.pos;
    const key = this.varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field < 1 || field > 0x1fffffff) throw new ProtobufError(`invalid field number ${field} at byte ${at}`);
    if (wire > 5) throw new ProtobufError(`invalid wire type ${wire} for field ${field} at byte ${at}`);
    return { field, wire };
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    const at = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError(`truncated varint at byte ${at}`);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${at}`);
  }

  /** A length prefix, checked against the bytes left. */
  length(): number {
    const at = this.pos;
    const n = this.varint();
    if (n > BigInt(this.end - this.pos)) {
      throw new ProtobufError(`length ${n} at byte ${at} runs past the end of the message (${this.end - this.pos} bytes left)`);
    }
    return Number(n);
  }

  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  private need(n: number, what: string): number {
    if (this.end - this.pos < n) throw new ProtobufError(`truncated ${what} at byte ${this.pos}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  fixed64(): bigint {
    return this.view.getBigUint64(this.need(8, '64-bit value'), true);
  }

  double(): number {
    return this.view.getFloat64(this.need(8, '64-bit value'), true);
  }

  fixed32(): number {
    return this.view.getUint32(this.need(4, '32-bit value'), true);
  }

  float(): number {
    return this.view.getFloat32(this.need(4, '32-bit value'), true);
  }

  /** Skip a field's value of the given wire type (the key already read). */
  skip(wire: number, field: number, depth = 0): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.need(8, '64-bit value');
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_I32:
        this.need(4, '32-bit value');
        return;
      case WIRE_SGROUP: {
        if (depth > 64) throw new ProtobufError('groups nested too deeply');
        for (;;) {
          if (this.done()) throw new ProtobufError(`unterminated group for field ${field}`);
          const t = this.tag();
          if (t.wire === WIRE_EGROUP) {
            if (t.field !== field) throw new ProtobufError(`group for field ${field} ended by field ${t.field}`);
            return;
          }
          this.skip(t.wire, t.field, depth + 1);
        }
      }
      default:
        throw new ProtobufError(`unexpected ${wireTypeName(wire)} wire type for field ${field} at byte ${this.pos}`);
    }
  }
}
