// PATCH: turn the stored object and a patch into the new object, by the
// patch's media type. The result then goes through the same update path as a
// PUT (defaults, validation, revision precondition).

import * as errors from '../../api/errors.ts';
import { applyJSONPatch } from '../../api/patch/jsonpatch.ts';
import { applyMergePatch } from '../../api/patch/mergepatch.ts';
import { applyStrategicMergePatch } from '../../api/patch/strategic.ts';
import { patchSchemaFor } from '../../api/patch/schema.ts';
import { PatchError } from '../../api/patch/errors.ts';
import type { StoredObject } from '../../storage/objects.ts';
import type { PatchType } from '../http/negotiate.ts';

export function applyPatch(type: PatchType, current: StoredObject, patch: unknown, apiVersion: string, kind: string): StoredObject {
  let out: unknown;
  if (type !== 'application/json-patch+json' && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch === 'string' ? 'string' : typeof patch;
    throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  if (type === 'application/json-patch+json' && !Array.isArray(patch)) {
    const got = patch === null ? 'null' : typeof patch === 'object' ? 'object' : typeof patch;
    throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${got} into Go value of type jsonpatch.Patch`);
  }
  try {
    switch (type) {
      case 'application/json-patch+json':
        out = applyJSONPatch(current, patch);
        break;
      case 'application/merge-patch+json':
        out = applyMergePatch(current, patch);
        break;
      case 'application/strategic-merge-patch+json':
        out = applyStrategicMergePatch(current, patch, patchSchemaFor(apiVersion, kind));
        break;
      default:
        throw errors.unsupportedMediaType(type, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    }
  } catch (e) {
    if (e instanceof PatchError) {
      // A JSON patch that does not apply gets Kubernetes' fixed wording (the
      // library's reason is the cause); strategic merge errors say what failed.
      if (type === 'application/json-patch+json') {
        if (e.code === 422) throw errors.patchNotApplied(e.message);
        throw errors.badRequest(`error decoding patch: ${e.message}`);
      }
      if (e.code === 422) {
        throw new errors.StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'Invalid', code: 422 });
      }
      throw errors.badRequest(e.message);
    }
    throw e;
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw errors.badRequest('the patch did not produce an object');
  return out as StoredObject;
}
