import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufError, WireReader, WIRE_SGROUP } from './wire.ts';
import { concat, int, key, str } from './test-encoder.ts';

test('varints: one byte, multi-byte, 64-bit, negative int32 as 10 bytes', () => {
  assert.equal(new WireReader(Uint8Array.of(0x01)).varint(), 1n);
  assert.equal(new WireReader(Uint8Array.of(0xac, 0x02)).varint(), 300n);
  const max = new WireReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).varint();
  assert.equal(max, 0xffffffffffffffffn);
  assert.equal(BigInt.asIntN(32, max), -1n);
  const r = new WireReader(int(1, -5));
  assert.deepEqual(r.tag(), { field: 1, wire: 0 });
  assert.equal(BigInt.asIntN(64, r.varint()), -5n);
  assert.ok(r.done());
});

test('length-delimited fields, strings and fixed-width values', () => {
  const r = new WireReader(concat(str(2, 'héllo'), key(3, 1), new Uint8Array(8).fill(0), key(4, 5), Uint8Array.of(1, 0, 0, 0)));
  assert.deepEqual(r.tag(), { field: 2, wire: 2 });
  assert.equal(r.string(), 'héllo');
  assert.deepEqual(r.tag(), { field: 3, wire: 1 });
  assert.equal(r.double(), 0);
  assert.deepEqual(r.tag(), { field: 4, wire: 5 });
  assert.equal(r.fixed32(), 1);
  assert.ok(r.done());
});

test('skip passes over every wire type, groups included', () => {
  const body = concat(
    int(1, 7), key(2, 1), new Uint8Array(8), str(3, 'x'), key(4, 5), new Uint8Array(4),
    key(5, WIRE_SGROUP), int(1, 1), key(6, WIRE_SGROUP), key(6, 4), key(5, 4), str(9, 'end'),
  );
  const r = new WireReader(body);
  for (let i = 0; i < 5; i++) {
    const t = r.tag();
    r.skip(t.wire, t.field);
  }
  assert.deepEqual(r.tag(), { field: 9, wire: 2 });
  assert.equal(r.string(), 'end');
});

test('malformed input throws ProtobufError naming the problem', () => {
  assert.throws(() => new WireReader(Uint8Array.of(0x80, 0x80)).varint(), (e: unknown) => e instanceof ProtobufError && /truncated varint/.test(e.message));
  assert.throws(() => new WireReader(new Uint8Array(11).fill(0xff)).varint(), /longer than 10 bytes/);
  assert.throws(() => new WireReader(Uint8Array.of(0x05, 0x61)).bytes(), /length 5 at byte 0 runs past the end/);
  assert.throws(() => new WireReader(Uint8Array.of(0x01, 0, 0)).fixed64(), /truncated 64-bit value/);
  assert.throws(() => new WireReader(Uint8Array.of(0x0e)).tag(), /invalid wire type 6/);
  assert.throws(() => new WireReader(Uint8Array.of(0x00)).tag(), /invalid field number 0/);
  const open = new WireReader(concat(key(5, WIRE_SGROUP), int(1, 1)));
  const t = open.tag();
  assert.throws(() => open.skip(t.wire, t.field), /unterminated group/);
  const stray = new WireReader(key(5, 4));
  const s = stray.tag();
  assert.throws(() => stray.skip(s.wire, s.field), /unexpected end-group wire type/);
});
