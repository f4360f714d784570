// The DefaultStorageClass admission plugin: a PersistentVolumeClaim created
// without spec.storageClassName (absent, not "") and without the beta
// storage-class annotation gets the cluster's default class, the one
// annotated storageclass.kubernetes.io/is-default-class: "true" (the newest
// if several are, as Kubernetes 1.28+ does). No default class: unchanged.

interface ClassLike {
  metadata?: { name?: string; creationTimestamp?: string; annotations?: Record<string, string> };
}

interface ClaimLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: { storageClassName?: string | null };
}

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function isDefaultClass(c: ClassLike): boolean {
  return DEFAULT_ANNOTATIONS.some((a) => c.metadata?.annotations?.[a] === 'true');
}

/** The default class among `classes`: newest first, then by name. */
export function defaultClass(classes: ClassLike[]): ClassLike | undefined {
  return classes.filter(isDefaultClass).sort((a, b) => {
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  })[0];
}

export function admitDefaultStorageClass(pvc: ClaimLike, classes: ClassLike[]): void {
  if (pvc.spec?.storageClassName != null) return;
  if (pvc.metadata?.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
  const name = defaultClass(classes)?.metadata?.name;
  if (name) (pvc.spec ??= {}).storageClassName = name;
}
