// Errors from applying a patch. The API server turns a PatchError into a
// Status: `code` is the HTTP status Kubernetes answers with for that failure
// (400 BadRequest for a patch it cannot read, 422 for one that does not apply
// to the stored object), and `message` follows Kubernetes' wording.

export type PatchErrorCode = 400 | 422;

export class PatchError extends Error {
  override readonly name = 'PatchError';
  readonly code: PatchErrorCode;

  constructor(message: string, code: PatchErrorCode = 422) {
    super(message);
    this.code = code;
  }

  /** The Status reason that goes with the code. */
  get reason(): 'BadRequest' | 'Invalid' {
    return this.code === 400 ? 'BadRequest' : 'Invalid';
  }
}

/**
 * Go's `%v` rendering of a decoded JSON value, for messages that quote a map
 * the way apimachinery does (`map[image:x name:web]`): map keys sorted, lists
 * as `[a b]`, null as `<nil>`.
 */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

// Strategic merge patch errors (apimachinery's mergepatch package wording).
export const errBadJSONDoc = (): PatchError => new PatchError('invalid JSON document', 400);
export const errNoListOfLists = (): PatchError => new PatchError('lists of lists are not supported', 422);
export const errBadPatchFormatForPrimitiveList = (): PatchError =>
  new PatchError('invalid patch format of primitive list', 400);
export const errBadPatchFormatForRetainKeys = (): PatchError =>
  new PatchError('invalid patch format of retainKeys', 400);
export const errBadPatchFormatForSetElementOrderList = (): PatchError =>
  new PatchError('invalid patch format of setElementOrder list', 400);
export const errNoMergeKey = (m: unknown, key: string): PatchError =>
  new PatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`, 422);
export const errBadPatchType = (t: unknown, m: unknown): PatchError =>
  new PatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`, 422);
