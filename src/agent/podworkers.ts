// Pod workers (the kubelet's pod_workers.go): one serialized async queue per
// pod UID. Updates for a pod that arrive while it syncs are merged into one
// more sync afterwards; two syncs of one pod never overlap, syncs of
// different pods run in parallel. A sync may ask to run again after a delay
// (back-off, periodic resync); a failed sync retries with exponential
// back-off. A worker whose sync reports the pod finished is dropped.

export type SyncOutcome = { done: true } | { done: false; requeueAfterMs?: number };

interface Worker {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  failures: number;
}

export interface PodWorkersOptions {
  /** How long stop() waits for running syncs before returning (default 2 s). */
  stopWaitMs?: number;
  sync: (uid: string) => Promise<SyncOutcome>;
  onError?: (uid: string, e: unknown) => void;
  /** First retry of a failed sync (doubles to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private get stopWaitMs(): number {
    return this.o.stopWaitMs ?? 2000;
  }
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: PodWorkersOptions) {}

  get size(): number {
    return this.workers.size;
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  /** Asks for a sync of the pod now (merged with one already pending). */
  update(uid: string): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, dirty: false, failures: 0 }));
    w.dirty = true;
    if (!w.running) void this.run(uid, w);
  }

  /** Asks for a sync after ms (the earlier of two requests wins). */
  updateAfter(uid: string, ms: number): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, dirty: false, failures: 0 }));
    const at = Date.now() + ms;
    if (w.timer && w.timerAt! <= at) return;
    clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = setTimeout(() => {
      w!.timer = undefined;
      w!.timerAt = undefined;
      this.update(uid);
    }, ms);
    w.timer.unref();
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    try {
      while (w.dirty && !this.stopped) {
        w.dirty = false;
        let out: SyncOutcome;
        try {
          out = await this.o.sync(uid);
          w.failures = 0;
        } catch (e) {
          this.o.onError?.(uid, e);
          const base = this.o.retryMs ?? 500;
          const delay = Math.min(this.o.maxRetryMs ?? 30_000, base * 2 ** w.failures++);
          out = { done: false, requeueAfterMs: delay };
        }
        if (out.done) {
          if (!w.dirty) {
            clearTimeout(w.timer);
            this.workers.delete(uid);
            return;
          }
        } else if (out.requeueAfterMs !== undefined) {
          this.updateAfter(uid, out.requeueAfterMs);
        }
      }
    } finally {
      w.running = false;
      this.checkIdle();
    }
  }

  private checkIdle(): void {
    if ([...this.workers.values()].some((w) => w.running)) return;
    for (const f of this.idleWaiters.splice(0)) f();
  }

  /** Stops taking updates; resolves when no sync is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) clearTimeout(w.timer);
    if (![...this.workers.values()].some((w) => w.running)) return;
    // A sync may be waiting out a container's grace period (up to minutes): give running syncs
    // a moment, then let the agent stop anyway. The containers are not touched; the next
    // agent finds the pod terminating and finishes the job.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), new Promise<void>((r) => (timer = setTimeout(r, this.stopWaitMs)))]);
    clearTimeout(timer);
  }
}
