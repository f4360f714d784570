// The server side of `kubectl get`: turns objects of one kind into the
// columns and rows of a meta.k8s.io/v1 Table, computed exactly as Kubernetes'
// printers compute them (k8s pkg/printers/internalversion). Like the
// Kubernetes API server, every row carries the wide (priority 1) cells too;
// kubectl hides priority-1 columns unless asked for `-o wide`.
// Rows carry cells (and, for finished pods, conditions): the caller adds each
// row's PartialObjectMetadata.

import { hpaPrinter } from './autoscaling.ts';
import { cronJobPrinter, jobPrinter } from './batch.ts';
import type { Printer, TableColumnDefinition, TableRow } from './common.ts';
import {
  configMapPrinter,
  namespacePrinter,
  pvcPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core.ts';
import { eventPrinter } from './event.ts';
import { nodePrinter } from './node.ts';
import { podPrinter } from './pod.ts';
import {
  clusterRoleBindingPrinter,
  createdAtPrinter,
  defaultPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
  roleBindingPrinter,
} from './rbac.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './service.ts';
import {
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './workloads.ts';

export type { Printer, TableColumnDefinition, TableRow, TableRowCondition } from './common.ts';

/** Printers by "group/Kind" (core group ""), for every version of the kind. */
const PRINTERS = new Map<string, Printer>([
  ['/Pod', podPrinter],
  ['/ReplicationController', replicationControllerPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/Node', nodePrinter],
  ['/Event', eventPrinter],
  ['/Namespace', namespacePrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/PersistentVolumeClaim', pvcPrinter],
  ['/ResourceQuota', resourceQuotaPrinter],
  ['/LimitRange', createdAtPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['batch/Job', jobPrinter],
  ['batch/CronJob', cronJobPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['events.k8s.io/Event', eventPrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
  ['rbac.authorization.k8s.io/Role', createdAtPrinter],
  ['rbac.authorization.k8s.io/ClusterRole', createdAtPrinter],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingPrinter],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingPrinter],
  ['apiextensions.k8s.io/CustomResourceDefinition', createdAtPrinter],
  ['autoscaling/HorizontalPodAutoscaler', hpaPrinter],
]);

/** The group of an apiVersion: "" for "v1", "apps" for "apps/v1". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The printer Kubernetes uses for a kind; custom and unknown kinds get NAME and AGE. */
export function printerFor(apiVersion: string, kind: string): Printer {
  return PRINTERS.get(`${groupOf(apiVersion)}/${kind}`) ?? defaultPrinter;
}

/** Whether the kind has a printer of its own (rather than the NAME/AGE default). */
export function hasPrinter(apiVersion: string, kind: string): boolean {
  return PRINTERS.has(`${groupOf(apiVersion)}/${kind}`);
}

export interface PrintTableOptions {
  /** The clock: every AGE and duration is measured up to this instant. */
  now: Date;
  /** metav1.TableOptions.noHeaders: leave the column definitions out. */
  noHeaders?: boolean;
}

/**
 * Columns and rows for objects of one kind (all of apiVersion/kind), one row
 * per object in order. With noHeaders the column definitions are left out,
 * as Kubernetes does (it then encodes them as null; this returns []).
 */
export function printTable(
  apiVersion: string,
  kind: string,
  objects: any[],
  opts: PrintTableOptions,
): { columnDefinitions: TableColumnDefinition[]; rows: TableRow[] } {
  const printer = printerFor(apiVersion, kind);
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now, obj?.apiVersion ?? apiVersion) };
    const conditions = printer.conditions?.(obj);
    if (conditions && conditions.length > 0) row.conditions = conditions;
    return row;
  });
  const columnDefinitions = opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c }));
  return { columnDefinitions, rows };
}
