// Leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it: a candidate takes the lease when it is
// free or its holder has not renewed it for leaseDurationSeconds (measured on
// the candidate's own clock from when it last saw the record change, so
// clocks need not agree); the leader renews every retryPeriod and gives up
// leadership if it cannot renew within renewDeadline. Every write carries the
// resourceVersion it read, so two candidates never both win. stop() releases
// the lease (holder cleared) so a successor need not wait it out.
// Defaults: lease 15 s, renew deadline 10 s, retry 2 s.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { isAlreadyExists, isConflict, isNotFound, type Client } from './rest.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** This candidate's holderIdentity (default: hostname_pid_random). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called once this candidate holds the lease. */
  onStartedLeading?: () => void;
  /** Called when a leader loses (or releases) the lease. */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Release the lease on stop() (default true). */
  releaseOnCancel?: boolean;
  now?: () => number;
  onError?: (e: unknown) => void;
}

/** A Lease's MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  readonly identity: string;
  private leading = false;
  private observed: Lease | undefined;
  /** Local time at which `observed` last changed. */
  private observedAt = 0;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private readonly o: Required<Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs' | 'releaseOnCancel'>>;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.identity = opts.identity ?? `${process.env.HOSTNAME ?? 'skiff'}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    this.o = {
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
      releaseOnCancel: opts.releaseOnCancel ?? true,
    };
    if (this.o.leaseDurationMs <= this.o.renewDeadlineMs) throw new Error('leader election: leaseDuration must be greater than renewDeadline');
    if (this.o.renewDeadlineMs <= this.o.retryPeriodMs) throw new Error('leader election: renewDeadline must be greater than retryPeriod');
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder as last observed ('' when free or unknown). */
  get leader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  start(): this {
    this.tick();
    return this;
  }

  private schedule(): void {
    if (this.stopped) return;
    // client-go jitters the acquire retry by up to 20%; renewals run every retryPeriod.
    const d = this.leading ? this.o.retryPeriodMs : this.o.retryPeriodMs * (1 + Math.random() * 0.2);
    this.timer = setTimeout(() => this.tick(), d);
    this.timer.unref();
  }

  private tick(): void {
    this.busy = this.busy.then(async () => {
      if (this.stopped) return;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (e) {
        this.opts.onError?.(e);
      }
      const now = this.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.opts.onStartedLeading?.();
        }
      } else if (this.leading && now - this.lastRenew >= this.o.renewDeadlineMs) {
        this.leading = false;
        this.opts.onStoppedLeading?.();
      }
      this.schedule();
    });
  }

  private leases() {
    return this.client.resource<Lease>('coordination.k8s.io/v1', 'leases');
  }

  private observe(l: Lease): void {
    const before = this.observed;
    if (!before || before.metadata?.resourceVersion !== l.metadata?.resourceVersion) {
      this.observed = l;
      this.observedAt = this.now();
      const holder = l.spec?.holderIdentity ?? '';
      if ((before?.spec?.holderIdentity ?? '') !== holder && holder) this.opts.onNewLeader?.(holder);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const seconds = Math.round(this.o.leaseDurationMs / 1000) || 1;
    let cur: Lease;
    try {
      cur = await this.leases().get(this.opts.namespace, this.opts.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: { holderIdentity: this.identity, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      try {
        this.observe(await this.leases().create(this.opts.namespace, fresh));
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    }
    this.observe(cur);
    const spec = cur.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (holder && holder !== this.identity && this.observedAt + durationMs > now) return false;
    const mine = holder === this.identity;
    const next: Lease = {
      ...cur,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: seconds,
        renewTime: microTime(now),
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
      },
    };
    try {
      this.observe(await this.leases().update(this.opts.namespace, next));
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Stops campaigning or renewing; a leader releases the lease (holder cleared) unless releaseOnCancel is false. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
    if (!this.leading) return;
    this.leading = false;
    if (this.o.releaseOnCancel && this.observed) {
      const now = this.now();
      try {
        const cur = await this.leases().get(this.opts.namespace, this.opts.name);
        if (cur.spec?.holderIdentity === this.identity) {
          await this.leases().update(this.opts.namespace, { ...cur, spec: { ...cur.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) } });
        }
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
    this.opts.onStoppedLeading?.();
  }
}
