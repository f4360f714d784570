// The HorizontalPodAutoscaler printer, for autoscaling/v1 and v2. Kubernetes
// prints the internal (v2-shaped) object, so a v1 HPA's CPU target and
// current utilization are first mapped onto v2 metrics. An HPA without
// metrics reads back from storage with v2's default, 80% CPU utilization.

import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import { Quantity } from '../quantity.ts';
import { AGE_COLUMN, NAME_COLUMN, col, int, type Printer } from './common.ts';
import { DOC } from './descriptions.ts';
import { translateTimestampSince } from './duration.ts';

const DEFAULT_CPU_UTILIZATION = 80;

/** (*Quantity).String(), which prints a nil quantity as "<nil>". */
function q(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '<nil>';
  try {
    return Quantity.parse(v).toString();
  } catch {
    return String(v);
  }
}

function cpuUtilizationSpec(target: number): MetricSpec {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } };
}

/** spec.metrics and status.currentMetrics as Kubernetes prints them, for either version. */
export function hpaMetrics(obj: any, apiVersion: string): { specs: MetricSpec[]; statuses: MetricStatus[] } {
  if (apiVersion === 'autoscaling/v1') {
    const v1 = obj as HPAv1;
    const target = v1.spec?.targetCPUUtilizationPercentage;
    const current = v1.status?.currentCPUUtilizationPercentage;
    const specs = [cpuUtilizationSpec(target ?? DEFAULT_CPU_UTILIZATION)];
    const statuses: MetricStatus[] =
      current === undefined || current === null
        ? []
        : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
    return { specs, statuses };
  }
  const v2 = obj as HorizontalPodAutoscaler;
  const specs = v2.spec?.metrics ?? [];
  return {
    specs: specs.length > 0 ? specs : [cpuUtilizationSpec(DEFAULT_CPU_UTILIZATION)],
    statuses: v2.status?.currentMetrics ?? [],
  };
}

/** formatHPAMetrics: "cpu: 30%/80%" style targets, at most two then "+ N more...". */
export function formatHPAMetrics(specs: MetricSpec[], statuses: MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (spec.type) {
      case 'External': {
        const target = spec.external?.target;
        if (target?.averageValue !== undefined) {
          const cur = st?.external?.current?.averageValue;
          list.push(`${cur !== undefined ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`);
        } else {
          const cur = st?.external ? q(st.external.current?.value) : '<unknown>';
          list.push(`${cur}/${q(target?.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = st?.pods ? q(st.pods.current?.averageValue) : '<unknown>';
        list.push(`${cur}/${q(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Object': {
        const target = spec.object?.target;
        if (target?.averageValue !== undefined) {
          const cur = st?.object?.current?.averageValue;
          list.push(`${cur !== undefined ? q(cur) : '<unknown>'}/${q(target.averageValue)} (avg)`);
        } else {
          const cur = st?.object ? q(st.object.current?.value) : '<unknown>';
          list.push(`${cur}/${q(target?.value)}`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        const name = src?.name ?? '';
        const target = src?.target;
        if (target?.averageValue !== undefined) {
          const current = cur ? q(cur.current?.averageValue) : '<unknown>';
          list.push(`${name}: ${current}/${q(target.averageValue)}`);
        } else {
          const util = cur?.current?.averageUtilization;
          const current = cur && util !== undefined && util !== null ? `${int(util)}%` : '<unknown>';
          const t = target?.averageUtilization;
          list.push(`${name}: ${current}/${t !== undefined && t !== null ? `${int(t)}%` : '<auto>'}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const hpaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', DOC.hpaRef),
    col('Targets', 'string', DOC.hpaMetrics),
    col('MinPods', 'string', DOC.hpaMin),
    col('MaxPods', 'string', DOC.hpaMax),
    col('Replicas', 'string', DOC.hpaCurrent),
    AGE_COLUMN,
  ],
  cells(obj: HorizontalPodAutoscaler, now, apiVersion) {
    const { specs, statuses } = hpaMetrics(obj, apiVersion);
    const ref = obj.spec?.scaleTargetRef;
    const min = obj.spec?.minReplicas;
    return [
      obj.metadata?.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHPAMetrics(specs, statuses),
      // minReplicas defaults to 1 in both versions.
      min === undefined || min === null ? '1' : String(int(min)),
      int(obj.spec?.maxReplicas),
      int(obj.status?.currentReplicas),
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
    ];
  },
};
