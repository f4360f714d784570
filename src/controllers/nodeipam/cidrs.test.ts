import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capacity, cidrAt, indexOf, newCidrSet } from './cidrs.ts';

describe('cluster CIDR carving', () => {
  const set = newCidrSet('10.42.0.0/16', 24);
  test('a /16 holds 256 node /24s, lowest first', () => {
    assert.equal(capacity(set), 256);
    assert.equal(cidrAt(set, 0), '10.42.0.0/24');
    assert.equal(cidrAt(set, 255), '10.42.255.0/24');
  });
  const rows: [string, number][] = [
    ['10.42.7.0/24', 7],
    ['10.42.7.0/25', -1],
    ['10.42.7.128/24', -1],
    ['10.43.0.0/24', -1],
    ['nonsense/24', -1],
  ];
  for (const [cidr, want] of rows) test(`index of ${cidr} is ${want}`, () => assert.equal(indexOf(set, cidr), want));
  test('host bits in the cluster CIDR are dropped', () => assert.equal(cidrAt(newCidrSet('10.42.3.4/16', 24), 1), '10.42.1.0/24'));
  test('a node mask shorter than the cluster mask is refused', () => assert.throws(() => newCidrSet('10.42.0.0/16', 8), /does not fit/));
  test('a bad cluster CIDR is refused', () => assert.throws(() => newCidrSet('10.42.0.0', 24), /not an IPv4 CIDR/));
});
