import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInZone, jobNameFor, missedStartTimes, parseSchedule } from './schedule.ts';

const d = (s: string) => new Date(s);

describe('cron schedules', () => {
  test('five fields, next strictly after, prev at or before', () => {
    const s = parseSchedule('*/5 * * * *');
    assert.deepEqual(s.next(d('2024-01-01T00:07:30Z')), d('2024-01-01T00:10:00Z'));
    assert.deepEqual(s.next(d('2024-01-01T00:10:00Z')), d('2024-01-01T00:15:00Z'));
    assert.deepEqual(s.prev(d('2024-01-01T00:10:00Z')), d('2024-01-01T00:10:00Z'));
    assert.deepEqual(s.prev(d('2024-01-01T00:14:59Z')), d('2024-01-01T00:10:00Z'));
  });

  test('descriptors', () => {
    const cases: [string, string, string][] = [
      ['@hourly', '2024-03-05T10:20:00Z', '2024-03-05T11:00:00Z'],
      ['@daily', '2024-03-05T10:20:00Z', '2024-03-06T00:00:00Z'],
      ['@midnight', '2024-03-05T10:20:00Z', '2024-03-06T00:00:00Z'],
      ['@weekly', '2024-03-05T10:20:00Z', '2024-03-10T00:00:00Z'],
      ['@monthly', '2024-03-05T10:20:00Z', '2024-04-01T00:00:00Z'],
      ['@yearly', '2024-03-05T10:20:00Z', '2025-01-01T00:00:00Z'],
      ['@annually', '2024-03-05T10:20:00Z', '2025-01-01T00:00:00Z'],
    ];
    for (const [sched, from, want] of cases) assert.deepEqual(parseSchedule(sched).next(d(from)), d(want), sched);
  });

  test('time zones: spec.timeZone, CRON_TZ= and TZ= prefixes; DST moves the UTC time', () => {
    assert.deepEqual(parseSchedule('0 9 * * *', 'America/New_York').next(d('2024-01-10T00:00:00Z')), d('2024-01-10T14:00:00Z'));
    assert.deepEqual(parseSchedule('0 9 * * *', 'America/New_York').next(d('2024-07-10T00:00:00Z')), d('2024-07-10T13:00:00Z'));
    assert.deepEqual(parseSchedule('CRON_TZ=Asia/Tokyo 0 9 * * *').next(d('2024-01-10T00:00:00Z')), d('2024-01-11T00:00:00Z'));
    assert.deepEqual(parseSchedule('TZ=Europe/Berlin 30 1 * * *').next(d('2024-01-10T00:00:00Z')), d('2024-01-10T00:30:00Z'));
    assert.equal(parseSchedule('TZ=Europe/Berlin 30 1 * * *').timeZone, 'Europe/Berlin');
  });

  test('bad schedules say what is wrong', () => {
    assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
    assert.throws(() => parseSchedule('0 0 * * * *'), /expected exactly 5 fields, found 6/);
    assert.throws(() => parseSchedule('61 * * * *'), /61/);
    assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor: @fortnightly/);
    assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), /unknown time zone Mars\/Olympus/);
  });

  test('missed start times: since the last schedule, bounded by startingDeadlineSeconds, capped at 101', () => {
    const s = parseSchedule('* * * * *');
    assert.deepEqual(missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-01T00:00:59Z')), { mostRecent: undefined, count: 0 });
    assert.deepEqual(missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-01T00:01:00Z')), { mostRecent: d('2024-01-01T00:01:00Z'), count: 1 });
    assert.deepEqual(missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-01T00:03:30Z')), { mostRecent: d('2024-01-01T00:03:00Z'), count: 3 });
    // Only what is within the deadline is still startable.
    assert.deepEqual(missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-01T00:03:30Z'), 60), { mostRecent: d('2024-01-01T00:03:00Z'), count: 1 });
    assert.deepEqual(missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-01T00:03:30Z'), 10), { mostRecent: undefined, count: 0 });
    const many = missedStartTimes(s, d('2024-01-01T00:00:00Z'), d('2024-01-03T00:00:30Z'));
    assert.equal(many.count, 101);
    assert.deepEqual(many.mostRecent, d('2024-01-03T00:00:00Z'));
  });

  test('job names and the scheduled-timestamp annotation', () => {
    assert.equal(jobNameFor('backup', d('2024-01-01T00:01:00Z')), `backup-${1704067260 / 60}`);
    assert.equal(jobNameFor('backup', d('2024-01-01T00:01:00Z')), 'backup-28401121');
    assert.equal(formatInZone(d('2024-01-01T00:01:00Z'), 'UTC'), '2024-01-01T00:01:00Z');
    assert.equal(formatInZone(d('2024-01-10T14:00:00Z'), 'America/New_York'), '2024-01-10T09:00:00-05:00');
    assert.equal(formatInZone(d('2024-01-10T14:00:00Z'), 'Asia/Kolkata'), '2024-01-10T19:30:00+05:30');
  });
});
