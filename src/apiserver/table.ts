// Table responses (meta.k8s.io/v1 Table), what `kubectl get` prints. The
// cells come from the per-kind printers in src/api/printers; this wraps them
// with each row's object as PartialObjectMetadata, as Kubernetes does.

import type { StoredObject } from '../storage/objects.ts';
import { apiVersionOf, type ResourceInfo } from './registry/resources.ts';
import { printTable } from '../api/printers/table.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(info: ResourceInfo, objects: StoredObject[], opts: { resourceVersion?: string; continueToken?: string; remainingItemCount?: number; includeObject?: IncludeObject; now?: Date; tableVersion?: 'v1' | 'v1beta1' }) {
  const printed = printTable(apiVersionOf(info), info.kind, objects, { now: opts.now ?? new Date() });
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.tableVersion ?? 'v1'}`,
    metadata,
    columnDefinitions: printed.columnDefinitions,
    rows: printed.rows.map((row, i) => {
      const o = objects[i]!;
      const out: Record<string, unknown> = { cells: row.cells };
      if (include === 'Object') out.object = o;
      else if (include === 'Metadata') out.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return out;
    }),
  };
}
