// What a resource's registry does to an object beyond generic metadata
// handling, where Kubernetes' strategies do more than default and validate:
// a Secret's stringData is folded into data; a Job gets a selector and
// template labels generated from its uid; a Namespace gets the finalizer
// that holds its deletion until its contents are gone.

type Obj = Record<string, any>;

/** Write-only convenience: stringData entries overwrite data entries, base64-encoded, and are not stored. */
function foldStringData(secret: Obj): void {
  if (!secret.stringData || typeof secret.stringData !== 'object') return;
  const data = (secret.data ??= {}) as Record<string, string>;
  for (const [k, v] of Object.entries(secret.stringData as Record<string, unknown>)) data[k] = Buffer.from(String(v)).toString('base64');
  delete secret.stringData;
}

/** Unless spec.manualSelector, a Job selects its pods by its own uid. */
function generateJobSelector(job: Obj): void {
  const spec = (job.spec ??= {});
  if (spec.manualSelector === true) return;
  const uid = job.metadata?.uid as string;
  const name = job.metadata?.name as string;
  const tpl = ((spec.template ??= {}).metadata ??= {});
  tpl.labels = {
    ...(tpl.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

/** The finalizer that keeps a deleted namespace until the namespace controller has emptied it. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** After metadata is prepared (uid known), before validation. */
export function beforeCreate(kind: string, obj: Obj): void {
  if (kind === 'Secret') foldStringData(obj);
  else if (kind === 'Job') generateJobSelector(obj);
  else if (kind === 'Namespace') (obj.spec ??= {}).finalizers = [NAMESPACE_FINALIZER];
}

export function beforeUpdate(kind: string, obj: Obj): void {
  if (kind === 'Secret') foldStringData(obj);
}
