import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, parseTimestamp, shortHumanDuration, translateTimestampSince } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  const cases: [string, number, string][] = [
    ['two seconds in the future is invalid', -2 * S, '<invalid>'],
    ['up to a second in the future reads 0s', -1.5 * S, '0s'],
    ['zero', 0, '0s'],
    ['sub-second truncates', 999, '0s'],
    ['seconds below two minutes', 5 * S, '5s'],
    ['119s is still seconds', 119 * S + 999, '119s'],
    ['two minutes drops the zero seconds', 2 * M, '2m'],
    ['minutes and seconds below ten minutes', 3 * M + 20 * S, '3m20s'],
    ['9m59s', 9 * M + 59 * S, '9m59s'],
    ['ten minutes drops seconds', 10 * M + 30 * S, '10m'],
    ['179 minutes still in minutes', 179 * M + 59 * S, '179m'],
    ['three hours', 3 * H, '3h'],
    ['hours and minutes below eight hours', 5 * H + 3 * M, '5h3m'],
    ['7h59m', 7 * H + 59 * M, '7h59m'],
    ['eight hours drops minutes', 8 * H + 30 * M, '8h'],
    ['47 hours still in hours', 47 * H + 59 * M, '47h'],
    ['two days', 2 * D, '2d'],
    ['days and hours below eight days', 3 * D + 4 * H, '3d4h'],
    ['7d23h', 7 * D + 23 * H, '7d23h'],
    ['eight days drops hours', 8 * D + 5 * H, '8d'],
    ['729 days still in days', 729 * D + 23 * H, '729d'],
    ['two years', 2 * Y, '2y'],
    ['years and days below eight years', 2 * Y + 10 * D, '2y10d'],
    ['7y364d', 7 * Y + 364 * D, '7y364d'],
    ['eight years drops days', 8 * Y + 100 * D, '8y'],
  ];
  for (const [name, ms, want] of cases) {
    test(`${name}: ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('shortHumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1 * S, '0s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [59 * M + 59 * S, '59m'],
    [H, '1h'],
    [23 * H + 59 * M, '23h'],
    [D, '1d'],
    [364 * D, '364d'],
    [Y, '1y'],
    [3 * Y + 200 * D, '3y'],
  ];
  for (const [ms, want] of cases) {
    test(`${ms}ms is ${want}`, () => assert.equal(shortHumanDuration(ms), want));
  }
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  test('missing, empty and Go zero timestamps are <unknown>', () => {
    assert.equal(translateTimestampSince(undefined, now), '<unknown>');
    assert.equal(translateTimestampSince(null, now), '<unknown>');
    assert.equal(translateTimestampSince('', now), '<unknown>');
    assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  });
  test('age of an RFC 3339 timestamp', () => {
    assert.equal(translateTimestampSince('2024-06-01T11:56:40Z', now), '3m20s');
  });
  test('MicroTime with microseconds parses', () => {
    assert.equal(parseTimestamp('2024-06-01T11:59:00.123456Z')?.toISOString(), '2024-06-01T11:59:00.123Z');
    assert.equal(translateTimestampSince('2024-06-01T11:59:00.123456Z', now), '59s');
  });
});
