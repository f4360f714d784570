// The clock controllers read time from, and schedule wake-ups on. The real
// one uses the wall clock and unref'd timers; FakeClock lets tests of time
// math (cron schedules, backoff, deadlines, TTLs) step time by hand: timers
// fire when step() moves past them. Kubernetes' k8s.io/utils/clock in small.

export interface Clock {
  now(): Date;
  /** Calls fn once `at` has come; answers how to cancel it. */
  at(at: Date, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => new Date(),
  at(at, fn) {
    const t = setTimeout(fn, Math.max(0, at.getTime() - Date.now()));
    t.unref();
    return () => clearTimeout(t);
  },
};

export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void }[] = [];
  private t: number;

  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  at(at: Date, fn: () => void): () => void {
    const timer = { at: at.getTime(), fn };
    if (timer.at <= this.t) {
      queueMicrotask(fn);
      return () => {};
    }
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by ms (or to a Date) and fires every timer that came due, in order. */
  step(by: number | Date): void {
    this.t = typeof by === 'number' ? this.t + by : Math.max(this.t, by.getTime());
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.fn();
  }

  /** How many timers wait (tests check a controller asked to be woken). */
  get pending(): number {
    return this.timers.length;
  }
}

/** RFC 3339 with seconds, as Kubernetes' metav1.Time serialises. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
