// The kubelet's flowcontrol.Backoff: per-key delays that start at `initial`,
// double on each Next up to `max`, and are forgotten once the key has been
// quiet for twice the max (10 minutes with the kubelet's 5 minutes): a
// container that ran that long starts its CrashLoopBackOff afresh.

export class Backoff {
  private readonly entries = new Map<string, { backoffMs: number; lastUpdate: number }>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private expired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs;
  }

  /** The current delay of a key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Moves the key's delay on: initial the first time (or after a quiet spell), else doubled. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(this.maxMs, e.backoffMs * 2);
    e.lastUpdate = eventTime;
  }

  /** Whether the key is still waiting out its delay counted from eventTime (e.g. when the container finished). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e.lastUpdate)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** Whether the key is waiting counted from its last update (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(this.now(), e.lastUpdate)) return false;
    return this.now() - e.lastUpdate < e.backoffMs;
  }

  /** Milliseconds until the key's wait from eventTime ends (0 when not waiting). */
  remaining(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.backoffMs - (this.now() - eventTime));
  }

  /** Milliseconds until the key's wait from its last update ends (0 when not waiting). */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.backoffMs - (this.now() - e.lastUpdate));
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops keys of a prefix (a pod's, when it goes away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops entries quiet for longer than twice the max. */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (this.expired(now, e.lastUpdate)) this.entries.delete(k);
  }
}
