// Printers for core/v1 configuration and storage kinds: Namespace, ConfigMap,
// Secret, ServiceAccount, PersistentVolumeClaim and ResourceQuota.

import type {
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  ResourceQuota,
  Secret,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import { Quantity } from '../quantity.ts';
import { AGE_COLUMN, NAME_COLUMN, col, compareStrings, type Printer } from './common.ts';
import { DOC } from './descriptions.ts';
import { translateTimestampSince } from './duration.ts';

function age(obj: { metadata?: { creationTimestamp?: string } }, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

/** Quantity.String(); a missing quantity is Go's zero Quantity, "0". */
function quantity(v: string | number | undefined): string {
  if (v === undefined || v === null || v === '') return '0';
  try {
    return Quantity.parse(v).toString();
  } catch {
    return String(v);
  }
}

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  // status.phase defaults to Active.
  cells: (obj: Namespace, now) => [obj.metadata?.name ?? '', obj.status?.phase ?? 'Active', age(obj, now)],
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'string', DOC.cmData), AGE_COLUMN],
  cells: (obj: ConfigMap, now) => [
    obj.metadata?.name ?? '',
    Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length,
    age(obj, now),
  ],
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', DOC.secretType), col('Data', 'string', DOC.secretData), AGE_COLUMN],
  // type defaults to Opaque; stringData is merged into data before storage.
  cells: (obj: Secret, now) => [
    obj.metadata?.name ?? '',
    obj.type ?? 'Opaque',
    Object.keys({ ...(obj.data ?? {}), ...(obj.stringData ?? {}) }).length,
    age(obj, now),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'string', DOC.saSecrets), AGE_COLUMN],
  cells: (obj: ServiceAccount, now) => [obj.metadata?.name ?? '', (obj.secrets ?? []).length, age(obj, now)],
};

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
function claimClass(pvc: PersistentVolumeClaim): string {
  const ann = pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (ann !== undefined) return ann;
  return pvc.spec?.storageClassName ?? '';
}

export const pvcPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', DOC.pvcPhase),
    col('Volume', 'string', DOC.pvcVolumeName),
    col('Capacity', 'string', DOC.pvcCapacity),
    col('Access Modes', 'string', DOC.pvcAccessModes),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    col('VolumeMode', 'string', DOC.pvcVolumeMode, 1),
  ],
  cells(obj: PersistentVolumeClaim, now) {
    // status.phase defaults to Pending.
    const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (obj.status?.phase ?? 'Pending');
    const volumeName = obj.spec?.volumeName ?? '';
    let capacity = '';
    let accessModes = '';
    if (volumeName !== '') {
      accessModes = accessModesString(obj.status?.accessModes);
      capacity = quantity(obj.status?.capacity?.['storage']);
    }
    return [
      obj.metadata?.name ?? '',
      phase,
      volumeName,
      capacity,
      accessModes,
      claimClass(obj),
      obj.spec?.volumeAttributesClassName ?? '<unset>',
      age(obj, now),
      // spec.volumeMode defaults to Filesystem.
      obj.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    AGE_COLUMN,
  ],
  cells(obj: ResourceQuota, now) {
    const hard = obj.status?.hard ?? {};
    const used = obj.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort(compareStrings)) {
      const pieces = name.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      target.push(`${name}: ${quantity(used[name])}/${quantity(hard[name])}`);
    }
    return [obj.metadata?.name ?? '', requests.join(', '), limits.join(', '), age(obj, now)];
  },
};
