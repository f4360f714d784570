// Printers for RoleBinding, ClusterRoleBinding, PodDisruptionBudget and Lease,
// and the two tables Kubernetes uses for kinds without a printer of their own.

import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col, int, intOrString, type Printer } from './common.ts';
import { DOC } from './descriptions.ts';
import { parseTimestamp, translateTimestampSince } from './duration.ts';

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
function subjectsStrings(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(what: string, roleRefDoc: string): Printer {
  return {
    columns: [
      NAME_COLUMN,
      col('Role', 'string', roleRefDoc),
      AGE_COLUMN,
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    cells(obj: RoleBinding | ClusterRoleBinding, now) {
      return [
        obj.metadata?.name ?? '',
        `${obj.roleRef?.kind ?? ''}/${obj.roleRef?.name ?? ''}`,
        translateTimestampSince(obj.metadata?.creationTimestamp, now),
        ...subjectsStrings(obj.subjects),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding', DOC.rbRoleRef);
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding', DOC.crbRoleRef);

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells(obj: PodDisruptionBudget, now) {
    const min = obj.spec?.minAvailable;
    const max = obj.spec?.maxUnavailable;
    return [
      obj.metadata?.name ?? '',
      min === undefined || min === null ? 'N/A' : intOrString(min),
      max === undefined || max === null ? 'N/A' : intOrString(max),
      int(obj.status?.disruptionsAllowed),
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
    ];
  },
};

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col('Holder', 'string', DOC.leaseHolder), AGE_COLUMN],
  cells: (obj: Lease, now) => [
    obj.metadata?.name ?? '',
    obj.spec?.holderIdentity ?? '',
    translateTimestampSince(obj.metadata?.creationTimestamp, now),
  ],
};

/**
 * The API server's default table (rest.NewDefaultTableConvertor), used for
 * built-in kinds without a printer such as Role, ClusterRole and LimitRange:
 * NAME and CREATED AT, the creation time in RFC 3339 (UTC, whole seconds).
 */
export const createdAtPrinter: Printer = {
  columns: [NAME_COLUMN, col('Created At', 'date', DOC.creationTimestamp)],
  cells(obj: any) {
    const t = parseTimestamp(obj?.metadata?.creationTimestamp);
    // Go's zero time formats as 0001-01-01T00:00:00Z.
    const created = t === undefined ? '0001-01-01T00:00:00Z' : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [obj?.metadata?.name ?? '', created];
  },
};

/**
 * The custom-resource table for a kind without printer columns: NAME and the
 * Age column every CustomResourceDefinition gets by default (type date).
 * A missing creationTimestamp yields a null cell, as the JSONPath finds nothing.
 */
export const defaultPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Age', 'date', 'Custom resource definition column (in JSONPath format): .metadata.creationTimestamp'),
  ],
  cells(obj: any, now) {
    const ts = obj?.metadata?.creationTimestamp;
    return [obj?.metadata?.name ?? '', ts === undefined || ts === null ? null : translateTimestampSince(ts, now)];
  },
};
