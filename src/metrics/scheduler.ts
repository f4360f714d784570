// The scheduler's metrics with Kubernetes' names, for the scheduler to
// record (src/scheduler registers nothing itself):
//
//   const m = new SchedulerMetrics(registry);
//   // after each scheduling attempt of a pod:
//   m.attempt(result, profile, seconds);   // result: 'scheduled' | 'unschedulable' | 'error'
//   // once a pod is bound, from its first attempt to binding:
//   m.podScheduled(attempts, secondsSinceFirstAttempt);

import { Counter, Histogram, type Registry } from 'prom-client';

export type ScheduleResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  readonly podSchedulingDuration: Histogram<'attempts'>;
  readonly schedulingAttemptDuration: Histogram<'result' | 'profile'>;

  constructor(registry: Registry) {
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers: [registry],
    });
    this.schedulingAttemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i),
      registers: [registry],
    });
    this.podSchedulingDuration = new Histogram({
      name: 'scheduler_pod_scheduling_duration_seconds',
      help: 'E2e latency for a pod being scheduled which may include multiple scheduling attempts.',
      labelNames: ['attempts'],
      buckets: Array.from({ length: 20 }, (_, i) => 0.01 * 2 ** i),
      registers: [registry],
    });
    for (const result of ['scheduled', 'unschedulable', 'error'] as const) this.scheduleAttempts.inc({ result, profile: 'default-scheduler' }, 0);
  }

  attempt(result: ScheduleResult, profile: string, seconds: number): void {
    this.scheduleAttempts.inc({ result, profile });
    this.schedulingAttemptDuration.observe({ result, profile }, seconds);
  }

  /** Kubernetes caps the attempts label at 15 ("15" means 15 or more). */
  podScheduled(attempts: number, seconds: number): void {
    this.podSchedulingDuration.observe({ attempts: String(Math.min(attempts, 15)) }, seconds);
  }
}
