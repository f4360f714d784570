// The default StorageClass a Skiff cluster has, like k3s's `local-path`:
// volumes are directories on the node that first runs a pod using them
// (WaitForFirstConsumer), deleted with their claim.

import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { isAlreadyExists, type Client } from '../../client/rest.ts';

export const PROVISIONER = 'skiff.io/local-path';
export const CLASS_NAME = 'local-path';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export function localPathClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: CLASS_NAME, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Creates the class unless one by that name exists (a user's edits to it are kept). */
export async function ensureLocalPathClass(client: Client): Promise<void> {
  try {
    await client.resource<StorageClass>('storage.k8s.io/v1', 'storageclasses').create(undefined, localPathClass());
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
