// HorizontalPodAutoscaler between autoscaling/v1 (one CPU target) and
// autoscaling/v2 (a list of metrics), the storage version. A v1 client sees
// the CPU utilization target and current value; metrics v1 cannot express
// are kept in storage and not shown to it.

type Obj = Record<string, any>;

const isCPUUtilization = (m: Obj) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

export function hpaV1ToV2(v1: Obj, storedV2?: Obj): Obj {
  const { targetCPUUtilizationPercentage, ...specRest } = (v1.spec ?? {}) as Obj;
  // Metrics other than the CPU target survive a v1 round trip through the stored object.
  const kept = ((storedV2?.spec?.metrics ?? []) as Obj[]).filter((m) => !isCPUUtilization(m));
  const metrics =
    targetCPUUtilizationPercentage === undefined || targetCPUUtilizationPercentage === null
      ? kept
      : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }, ...kept];
  const spec: Obj = { ...specRest };
  if (metrics.length > 0) spec.metrics = metrics;
  if (storedV2?.spec?.behavior) spec.behavior = storedV2.spec.behavior;
  const out: Obj = { ...v1, apiVersion: 'autoscaling/v2', spec };
  if (v1.status) {
    const { currentCPUUtilizationPercentage, ...statusRest } = v1.status as Obj;
    const status: Obj = { ...statusRest };
    if (currentCPUUtilizationPercentage !== undefined && currentCPUUtilizationPercentage !== null) {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }];
    }
    if (storedV2?.status?.conditions) status.conditions = storedV2.status.conditions;
    out.status = status;
  }
  return out;
}

export function hpaV2ToV1(v2: Obj): Obj {
  const { metrics, behavior: _behavior, ...specRest } = (v2.spec ?? {}) as Obj;
  const cpu = ((metrics ?? []) as Obj[]).find(isCPUUtilization);
  const spec: Obj = { ...specRest };
  if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const out: Obj = { ...v2, apiVersion: 'autoscaling/v1', spec };
  if (v2.status) {
    const { currentMetrics, conditions: _conditions, ...statusRest } = v2.status as Obj;
    const status: Obj = { ...statusRest };
    const cur = ((currentMetrics ?? []) as Obj[]).find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
    if (cur?.resource?.current?.averageUtilization !== undefined) status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
    status.currentReplicas ??= 0;
    out.status = status;
  }
  return out;
}
