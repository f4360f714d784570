// The clock controllers read time from and schedule wake-ups on
// (Kubernetes' k8s.io/utils/clock in small). The real one uses the wall
// clock and unref'd timers; FakeClock lets tests of time math (cron
// schedules, backoff, deadlines, TTLs, grace periods) step time by hand:
// timers fire when step() moves past them. Wakeups keeps at most one timer
// per key on a clock and adds the key to a queue when it fires.

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

/**
 * One pending wake-up per key: when it comes, the key is handed to `fire`
 * (a workqueue's add). A controller whose clock is injectable uses this
 * instead of WorkQueue.addAfter, which only knows the wall clock.
 */
export class Wakeups<K = string> {
  private readonly timers = new Map<K, { at: number; cancel: () => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (key: K) => void,
  ) {}

  /**
   * Wakes `key` at `at`, replacing its pending wake-up. With `earliest`, a
   * pending wake-up that comes sooner (and has not yet come) is kept instead.
   */
  at(key: K, at: Date, opts: { earliest?: boolean } = {}): void {
    const t = at.getTime();
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.at === t) return;
      if (opts.earliest && pending.at < t && pending.at > this.clock.now().getTime()) return;
      pending.cancel();
    }
    const entry = { at: t, cancel: () => {} };
    entry.cancel = this.clock.at(at, () => {
      // A timer already due fires later (a microtask): a newer wake-up set meanwhile stays.
      if (this.timers.get(key) === entry) this.timers.delete(key);
      this.fire(key);
    });
    this.timers.set(key, entry);
  }

  /** When `key` is due to wake, if it is. */
  when(key: K): number | undefined {
    return this.timers.get(key)?.at;
  }

  cancel(key: K): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
