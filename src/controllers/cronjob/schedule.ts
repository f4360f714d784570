// CronJob schedules as Kubernetes reads them (robfig/cron's standard parser):
// five fields or a descriptor (@yearly, @annually, @monthly, @weekly, @daily,
// @midnight, @hourly), an optional CRON_TZ= or TZ= prefix, or spec.timeZone.
// The arithmetic is cron-parser's; minute resolution, like Kubernetes.

import { CronExpressionParser } from 'cron-parser';

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** More missed start times than this and Kubernetes warns (TooManyMissedTimes) and starts only the latest. */
export const MAX_MISSED = 100;

export interface Schedule {
  /** The first start time strictly after `t`, or undefined if none ever comes. */
  next(t: Date): Date | undefined;
  /** The last start time at or before `t`, or undefined. */
  prev(t: Date): Date | undefined;
  timeZone: string;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses a schedule; throws an Error whose message says what is wrong. */
export function parseSchedule(schedule: string, timeZone?: string | null): Schedule {
  let s = schedule.trim();
  let tz = timeZone ?? 'UTC';
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(s);
  if (m) {
    tz = m[1];
    s = m[2].trim();
  }
  if (!validTimeZone(tz)) throw new Error(`unknown time zone ${tz}`);
  if (s.startsWith('@')) {
    const expanded = DESCRIPTORS[s];
    if (!expanded) throw new Error(`unrecognized descriptor: ${s}`);
    s = expanded;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${s}`);
  const expr = `0 ${s}`;
  // Validate now, so a bad field is reported once, not on every sync.
  try {
    CronExpressionParser.parse(expr, { tz, strict: false });
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const at = (t: Date, dir: 'next' | 'prev'): Date | undefined => {
    try {
      const it = CronExpressionParser.parse(expr, { tz, currentDate: t });
      return (dir === 'next' ? it.next() : it.prev()).toDate();
    } catch {
      return undefined;
    }
  };
  return {
    timeZone: tz,
    next: (t) => at(t, 'next'),
    // prev() is strictly before its start; a start time exactly at t counts as "at or before".
    prev: (t) => at(new Date(Math.floor(t.getTime() / 1000) * 1000 + 1000), 'prev'),
  };
}

export interface MissedTimes {
  /** The most recent start time in (earliest, now], if any. */
  mostRecent?: Date;
  /** How many start times fell in (earliest, now], counted up to MAX_MISSED + 1. */
  count: number;
}

/**
 * Kubernetes' mostRecentScheduleTime: start times after the last one
 * scheduled (or the CronJob's creation), no older than
 * startingDeadlineSeconds, up to now.
 */
export function missedStartTimes(sched: Schedule, earliest: Date, now: Date, startingDeadlineSeconds?: number | null): MissedTimes {
  let from = earliest;
  if (startingDeadlineSeconds != null) {
    const deadline = new Date(now.getTime() - startingDeadlineSeconds * 1000);
    if (deadline > from) from = deadline;
  }
  let count = 0;
  let mostRecent: Date | undefined;
  for (let t = sched.next(from); t && t <= now; t = sched.next(t)) {
    count++;
    mostRecent = t;
    if (count > MAX_MISSED) {
      // Too many to walk: the latest is found from now backwards.
      mostRecent = sched.prev(now);
      break;
    }
  }
  return { mostRecent, count };
}

/** The Job for a start time: `<cronjob>-<minutes since the epoch>`. */
export function jobNameFor(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

/** A start time as RFC 3339 in the schedule's time zone (the cronjob-scheduled-timestamp annotation). */
export function formatInZone(t: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offMin = Math.round((local - Math.floor(t.getTime() / 1000) * 1000) / 60_000);
  const base = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offMin === 0) return `${base}Z`;
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  return `${base}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
