// The HorizontalPodAutoscaler controller (autoscaling/v2; v1 objects are
// the same objects converted by the API server). Every sync period (15 s)
// each HPA reads its target's scale subresource, the target's pods and
// their resource metrics from metrics.k8s.io (podmetrics.ts, podinfo.ts),
// computes the replicas each metric asks for (replicas.ts: unready pods,
// the cpu initialization period, missing metrics, the tolerance),
// stabilizes and limits them (behavior.ts),
// rescales through the scale subresource and writes status with
// Kubernetes' conditions (AbleToScale, ScalingActive, ScalingLimited) and
// events.

import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import { Informer, keyOf, splitKey } from '../../client/informer.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { EventRecorder } from '../../client/events.ts';
import { Quantity } from '../../api/quantity.ts';
import { semanticEqual } from '../../api/equality.ts';
import { resourceForKind } from '../../apiserver/registry/resources.ts';
import { calcReplicas, DEFAULT_CPU_INITIALIZATION_PERIOD_MS, DEFAULT_INITIAL_READINESS_DELAY_MS, DEFAULT_TOLERANCE } from './replicas.ts';
import { amount, podMetricsFor, type PodMetricsObject } from './podmetrics.ts';
import { podInfo } from './podinfo.ts';
import { limit, rulesOf, stabilize, type Recommendation, type ScaleEvent } from './behavior.ts';

type Hpa = HorizontalPodAutoscaler & KubeObject;

export interface HpaOptions {
  /** How often each HPA is evaluated (Kubernetes: --horizontal-pod-autoscaler-sync-period, 15 s). */
  syncPeriodMs?: number;
  tolerance?: number;
  /** Kubernetes: --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs?: number;
  /** Kubernetes: --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface Scale {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export class HpaController {
  private readonly informer: Informer<Hpa>;
  private readonly queue = new WorkQueue<string>({ name: 'horizontalpodautoscaler' });
  private readonly recorder: EventRecorder;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  private running?: Promise<void>;
  private readonly period: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    private readonly opts: HpaOptions = {},
  ) {
    this.period = opts.syncPeriodMs ?? 15_000;
    this.now = opts.now ?? Date.now;
    this.recorder = new EventRecorder(client, { component: 'horizontal-pod-autoscaler', onError: (e) => opts.log?.(`hpa: event: ${(e as Error).message}`) });
    this.informer = new Informer<Hpa>(client.resource('autoscaling/v2', 'horizontalpodautoscalers') as never, { onError: (e) => opts.log?.(`hpa: ${(e as Error).message}`) });
    this.informer.onAdd((h) => this.queue.add(keyOf(h))).onUpdate((o, h) => {
      if (o.metadata?.generation !== h.metadata?.generation) this.queue.add(keyOf(h));
    }).onDelete((h) => {
      this.recommendations.delete(keyOf(h));
      this.scaleEvents.delete(keyOf(h));
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
    this.running = runWorkers(this.queue, 2, (k) => this.sync(k), { onError: (k, e) => this.opts.log?.(`hpa: ${k}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    this.informer.stop();
    await this.queue.shutDown();
    await this.running;
    await this.recorder.flush();
  }

  private async sync(key: string): Promise<void> {
    const hpa = this.informer.get(key);
    if (!hpa) return;
    try {
      await this.reconcile(key, hpa);
    } finally {
      // Level-triggered on a clock: every HPA is looked at again each period.
      if (this.informer.get(key)) this.queue.addAfter(key, this.period);
    }
  }

  private scalePath(hpa: Hpa): string | undefined {
    const ref = hpa.spec!.scaleTargetRef;
    const [group, version] = (ref.apiVersion ?? 'v1').includes('/') ? ref.apiVersion!.split('/') : ['', ref.apiVersion ?? 'v1'];
    const info = resourceForKind(ref.apiVersion ?? 'v1', ref.kind);
    if (!info || !info.subresources.some((s) => s.name === 'scale')) return undefined;
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    return `${prefix}/namespaces/${hpa.metadata!.namespace}/${info.resource}/${encodeURIComponent(ref.name)}/scale`;
  }

  private async reconcile(key: string, hpa: Hpa): Promise<void> {
    const { namespace } = splitKey(key);
    const ref = hpa.spec!.scaleTargetRef;
    const conditions: HorizontalPodAutoscalerCondition[] = [];
    const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => conditions.push({ type, status, reason, message });
    const now = this.now();

    const path = this.scalePath(hpa);
    let scale: Scale | undefined;
    let scaleError = '';
    if (!path) scaleError = `the server could not find the requested resource (kind ${ref.kind} in ${ref.apiVersion ?? 'v1'})`;
    else {
      try {
        scale = await this.client.request<Scale>({ method: 'GET', path });
      } catch (e) {
        scaleError = (e as Error).message;
      }
    }
    if (!scale) {
      const message = `the HPA controller was unable to get the target's current scale: ${scaleError}`;
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', scaleError);
      cond('AbleToScale', 'False', 'FailedGetScale', message);
      await this.writeStatus(hpa, { currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
      return;
    }
    // As Kubernetes: the replicas asked for are "current" (a scale just made may not show in status yet);
    // status.currentReplicas reports what runs.
    const current = scale.spec?.replicas ?? scale.status?.replicas ?? 0;
    const running = scale.status?.replicas ?? 0;
    const min = hpa.spec!.minReplicas ?? 1;
    const max = hpa.spec!.maxReplicas;
    if ((scale.spec?.replicas ?? current) === 0 && min > 0) {
      cond('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      await this.writeStatus(hpa, { currentReplicas: running, desiredReplicas: 0, conditions });
      return;
    }

    // Metrics: the highest recommendation wins; a metric that fails is reported, not fatal while another works.
    const metricStatuses: MetricStatus[] = [];
    let desired = -1;
    let reasonText = '';
    const failures: string[] = [];
    let pods: Pod[] | undefined;
    let usage: PodMetricsObject[] | undefined;
    for (const m of hpa.spec!.metrics?.length ? hpa.spec!.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]) {
      if (m.type !== 'Resource' || !m.resource) {
        failures.push(`metric type ${m.type} is not supported`);
        continue;
      }
      const resource = m.resource.name;
      try {
        if (!scale.status?.selector) throw new Error('the target has no label selector in its scale status');
        pods ??= (await this.client.resource<Pod & KubeObject>('v1', 'pods').list(namespace, { labelSelector: scale.status.selector })).items;
        usage ??= await this.podMetrics(namespace, scale.status.selector);
        if (usage.length === 0) throw new Error(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
        const target = m.resource.target;
        const calc = calcReplicas(
          current,
          pods.map((p) => podInfo(p, resource)),
          podMetricsFor(usage, resource),
          resource,
          target.type === 'Utilization' ? { utilization: target.averageUtilization ?? 80 } : { averageValue: amount(resource, String(target.averageValue ?? '0')) },
          {
            now,
            tolerance: this.opts.tolerance ?? DEFAULT_TOLERANCE,
            cpuInitializationPeriodMs: this.opts.cpuInitializationPeriodMs ?? DEFAULT_CPU_INITIALIZATION_PERIOD_MS,
            initialReadinessDelayMs: this.opts.initialReadinessDelayMs ?? DEFAULT_INITIAL_READINESS_DELAY_MS,
          },
        );
        if (calc.error) throw new Error(calc.error);
        const avg = resource === 'cpu' ? `${Math.round(calc.averageValue)}m` : Quantity.fromScaled(Math.round(calc.averageValue), 0, 'BinarySI').canonical();
        metricStatuses.push({ type: 'Resource', resource: { name: resource, current: { averageValue: avg, ...(calc.utilization !== undefined ? { averageUtilization: calc.utilization } : {}) } } });
        if (calc.replicas > desired) {
          desired = calc.replicas;
          reasonText = `${resource} resource${target.type === 'Utilization' ? ' utilization (percentage of request)' : ''} above target`;
        }
      } catch (e) {
        const msg = `failed to get ${resource} utilization: ${(e as Error).message}`;
        failures.push(msg);
        this.recorder.event(hpa, 'Warning', 'FailedGetResourceMetric', msg);
        metricStatuses.push({ type: '' as never });
      }
    }
    const validStatuses = metricStatuses.filter((s) => s.type);
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    if (desired < 0) {
      const msg = `the HPA was unable to compute the replica count: ${failures[0] ?? 'no metrics'}`;
      this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${failures.length} invalid out of ${hpa.spec!.metrics?.length ?? 1}), first error is: ${failures[0]}`);
      conditions.push({ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: msg });
      await this.writeStatus(hpa, { currentReplicas: running, desiredReplicas: hpa.status?.desiredReplicas ?? current, currentMetrics: validStatuses, conditions });
      return;
    }
    cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${hpa.spec!.metrics?.[0]?.resource?.name ?? 'cpu'} resource utilization (percentage of request)`);
    if (desired <= current) reasonText = desired < current ? 'All metrics below target' : reasonText;

    const rules = rulesOf(hpa.spec!.behavior);
    const history = (this.recommendations.get(key) ?? []).filter((r) => r.at > now - Math.max(rules.down.stabilizationWindowSeconds, rules.up.stabilizationWindowSeconds) * 1000);
    const stable = stabilize(current, desired, history, now, rules);
    history.push({ at: now, replicas: desired });
    this.recommendations.set(key, history);
    const events = (this.scaleEvents.get(key) ?? []).filter((e) => e.at > now - 30 * 60_000);
    const limited = limit(current, stable.replicas, min, max, events, now, rules);
    conditions[0] = { type: 'AbleToScale', status: 'True', reason: limited.replicas !== current ? 'SucceededRescale' : stable.reason, message: limited.replicas !== current ? `the HPA controller was able to update the target scale to ${limited.replicas}` : stable.message };
    cond('ScalingLimited', limited.limited ? 'True' : 'False', limited.reason, limited.message);

    let lastScaleTime = hpa.status?.lastScaleTime;
    if (limited.replicas !== current) {
      try {
        await this.client.request({ method: 'PATCH', path: path!, body: { spec: { replicas: limited.replicas } }, contentType: 'application/merge-patch+json' });
      } catch (e) {
        conditions[0] = { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${(e as Error).message}` };
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${limited.replicas}; reason: ${reasonText}; error: ${(e as Error).message}`);
        await this.writeStatus(hpa, { currentReplicas: running, desiredReplicas: hpa.status?.desiredReplicas ?? current, currentMetrics: validStatuses, conditions });
        return;
      }
      events.push({ at: now, change: limited.replicas - current });
      lastScaleTime = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${limited.replicas}; reason: ${reasonText}`);
      this.opts.log?.(`hpa: ${key}: ${current} -> ${limited.replicas} (${reasonText})`);
    }
    this.scaleEvents.set(key, events);
    await this.writeStatus(hpa, { currentReplicas: running, desiredReplicas: limited.replicas, currentMetrics: validStatuses, conditions, ...(lastScaleTime ? { lastScaleTime } : {}) });
  }

  private async podMetrics(namespace: string, selector: string): Promise<PodMetricsObject[]> {
    const list = await this.client.request<{ items?: PodMetricsObject[] }>({ method: 'GET', path: `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}` });
    return list.items ?? [];
  }

  private async writeStatus(hpa: Hpa, status: NonNullable<HorizontalPodAutoscaler['status']>): Promise<void> {
    const stamp = new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    // A condition keeps its transition time while its status stays the same.
    status.conditions = (status.conditions ?? []).map((c) => {
      const old = hpa.status?.conditions?.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : stamp };
    });
    const next = { ...status, observedGeneration: hpa.metadata?.generation };
    if (!next.currentMetrics) delete next.currentMetrics;
    if (semanticEqual(hpa.status ?? {}, next)) return;
    try {
      const updated = await this.client.resource<Hpa>('autoscaling/v2', 'horizontalpodautoscalers').updateStatus(hpa.metadata!.namespace, { ...hpa, status: next });
      // Keep our own view current so the next period compares against what we wrote.
      void updated;
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }
}
