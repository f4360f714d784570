// The PodSecurity admission plugin: a namespace's
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels pick a
// Pod Security Standard per mode. Enforce refuses a violating pod (403,
// `violates PodSecurity "restricted:latest": ...`); warn answers a Warning
// header kubectl prints (also for workload templates); audit annotates the
// request's audit record. Pod updates that leave the spec alone are not
// re-evaluated, as in Kubernetes.

import * as errors from '../../../api/errors.ts';
import type { AdmissionPlugin, AnyObject, Attributes } from '../types.ts';
import { evaluatePod, formatFailures, type Level } from './checks.ts';

const PREFIX = 'pod-security.kubernetes.io/';
const LEVELS = new Set(['privileged', 'baseline', 'restricted']);

interface Policy {
  level: Level;
  version: string;
}

function policyFor(labels: Record<string, string> | undefined, mode: 'enforce' | 'warn' | 'audit'): Policy {
  const raw = labels?.[PREFIX + mode];
  const version = labels?.[`${PREFIX}${mode}-version`] || 'latest';
  if (raw === undefined) return { level: 'privileged', version };
  // An unknown level is evaluated as the strictest, as Kubernetes does.
  return { level: LEVELS.has(raw) ? (raw as Level) : 'restricted', version: /^(latest|v1\.\d+)$/.test(version) ? version : 'latest' };
}

const fmt = (p: Policy) => `${p.level}:${p.version}`;

/** The pod template of a workload kind, if it has one. */
function templateOf(resource: string, group: string, obj: AnyObject): { metadata?: AnyObject; spec?: AnyObject } | undefined {
  if (group === 'apps' && ['deployments', 'replicasets', 'statefulsets', 'daemonsets'].includes(resource)) return obj.spec?.template;
  if (group === 'batch' && resource === 'jobs') return obj.spec?.template;
  if (group === 'batch' && resource === 'cronjobs') return obj.spec?.jobTemplate?.spec?.template;
  if (group === '' && (resource === 'replicationcontrollers' || resource === 'podtemplates')) return resource === 'podtemplates' ? obj.template : obj.spec?.template;
  return undefined;
}

export function podSecurity(namespaceLabels: (namespace: string) => Record<string, string> | undefined): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    validate(a: Attributes) {
      if (a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const { resource, group } = a.resource;
      const isPod = group === '' && resource === 'pods';
      const pod = isPod ? a.object : templateOf(resource, group, a.object);
      if (!pod) return;
      if (isPod && a.operation === 'UPDATE' && JSON.stringify(a.object.spec) === JSON.stringify(a.oldObject?.spec)) return;
      const labels = namespaceLabels(a.namespace);
      const enforce = policyFor(labels, 'enforce');
      const warn = policyFor(labels, 'warn');
      const audit = policyFor(labels, 'audit');
      const cache = new Map<Level, string>();
      const evaluate = (p: Policy) => {
        if (!cache.has(p.level)) cache.set(p.level, formatFailures(evaluatePod(p.level, pod.metadata ?? {}, pod.spec ?? {})));
        return cache.get(p.level)!;
      };
      // Workload templates are only warned and audited about; pods are enforced.
      if (isPod && enforce.level !== 'privileged') {
        const failures = evaluate(enforce);
        if (failures) throw errors.forbidden({ group: '', resource: 'pods' }, a.name, `violates PodSecurity ${JSON.stringify(fmt(enforce))}: ${failures}`);
      }
      if (audit.level !== 'privileged') {
        const failures = evaluate(audit);
        if (failures) a.annotate('pod-security.kubernetes.io/audit-violations', `would violate PodSecurity ${JSON.stringify(fmt(audit))}: ${failures}`);
      }
      if (warn.level !== 'privileged') {
        const failures = evaluate(warn);
        if (failures) a.warn(`would violate PodSecurity ${JSON.stringify(fmt(warn))}: ${failures}`);
      }
    },
  };
}
