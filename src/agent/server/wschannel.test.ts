import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHANNEL_PROTOCOLS, decodeFrame, encodeFrame, negotiateChannelProtocol } from './wschannel.ts';

const proto = (name: string) => CHANNEL_PROTOCOLS.find((p) => p.name === name)!;

describe('WebSocket channel framing', () => {
  test('binary frames carry the channel byte first', () => {
    const v5 = proto('v5.channel.k8s.io');
    assert.deepEqual(encodeFrame(v5, 1, Buffer.from('hi')), Buffer.from([1, 0x68, 0x69]));
    assert.deepEqual(decodeFrame(v5, Buffer.from([0, 0x61]), true), { channel: 0, data: Buffer.from('a') });
    assert.deepEqual(decodeFrame(v5, Buffer.from([4, ...Buffer.from('{"Width":80,"Height":24}')]), true), { channel: 4, data: Buffer.from('{"Width":80,"Height":24}') });
  });

  test('v5 has a close signal; v4 reads the same bytes as channel 255 data', () => {
    assert.deepEqual(decodeFrame(proto('v5.channel.k8s.io'), Buffer.from([255, 0]), true), { close: 0 });
    assert.deepEqual(decodeFrame(proto('v4.channel.k8s.io'), Buffer.from([255, 0]), true), { channel: 255, data: Buffer.from([0]) });
  });

  test('base64 variants send the channel as a digit and the data as base64 text', () => {
    const b64 = proto('v4.base64.channel.k8s.io');
    assert.equal(encodeFrame(b64, 2, Buffer.from('err')), '2ZXJy');
    assert.deepEqual(decodeFrame(b64, Buffer.from('0aGVsbG8='), false), { channel: 0, data: Buffer.from('hello') });
  });

  test('an empty message is ignored', () => {
    assert.equal(decodeFrame(proto('v5.channel.k8s.io'), Buffer.alloc(0), true), undefined);
  });

  test('negotiation takes the first offered protocol spoken here; none offered means channel.k8s.io', () => {
    assert.equal(negotiateChannelProtocol(['v5.channel.k8s.io'])?.name, 'v5.channel.k8s.io');
    assert.equal(negotiateChannelProtocol(['bogus', 'v4.channel.k8s.io', 'v5.channel.k8s.io'])?.name, 'v4.channel.k8s.io');
    assert.equal(negotiateChannelProtocol([])?.name, 'channel.k8s.io');
    assert.equal(negotiateChannelProtocol(['bogus']), undefined);
  });
});
