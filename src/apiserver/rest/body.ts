// Request bodies: objects (JSON, YAML or protobuf), patches and
// DeleteOptions, decoded with Kubernetes' error wording.

import * as errors from '../../api/errors.ts';
import { decodeBody, PATCH_TYPES, parseMediaTypes, type PatchType } from '../http/negotiate.ts';
import { readBody } from '../http/respond.ts';
import type { DeleteRequest } from './resource.ts';
import type { Obj, ResourceRequest } from './types.ts';

const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export async function objectBody(r: ResourceRequest): Promise<Obj> {
  return decodeObject(r, await readBody(r.req), r.rest.info.kind);
}

/** Decodes a request body that must be one object of `kind`; any failure is a 400 in Kubernetes' wording. */
export function decodeObject(r: ResourceRequest, raw: Buffer, kind: string): Obj {
  const unrecognized = (why: string) => errors.badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why}`);
  let value: unknown;
  const isProtobuf = parseMediaTypes(r.req.headers['content-type'])[0]?.type === 'application/vnd.kubernetes.protobuf';
  if (isProtobuf && r.protobuf && !raw.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw unrecognized('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  try {
    value = decodeBody(r.req.headers['content-type'], raw, r.protobuf).value;
  } catch (e) {
    if (e instanceof errors.StatusError) {
      if (e.status.reason === 'BadRequest') throw unrecognized(e.status.message ?? '');
      throw e;
    }
    // The protobuf decoder's errors: the body is not what it claims to be.
    throw unrecognized((e as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return value as Obj;
}

export async function patchBody(r: ResourceRequest): Promise<{ type: PatchType; patch: unknown }> {
  const mt = parseMediaTypes(r.req.headers['content-type'])[0]?.type ?? '';
  if (!(PATCH_TYPES as readonly string[]).includes(mt) || mt === 'application/apply-patch+yaml') {
    throw errors.unsupportedMediaType(mt, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  }
  const raw = await readBody(r.req);
  return { type: mt as PatchType, patch: decodeBody(mt, raw).value };
}

export async function deleteOptions(r: ResourceRequest): Promise<DeleteRequest> {
  const out: DeleteRequest = {};
  const raw = await readBody(r.req);
  if (raw.length > 0) {
    const v = decodeObject(r, raw, 'DeleteOptions') as Record<string, unknown>;
    {
      if (typeof v.propagationPolicy === 'string') out.propagationPolicy = v.propagationPolicy as DeleteRequest['propagationPolicy'];
      if (typeof v.gracePeriodSeconds === 'number') out.gracePeriodSeconds = v.gracePeriodSeconds;
      if (v.preconditions && typeof v.preconditions === 'object') out.preconditions = v.preconditions as DeleteRequest['preconditions'];
      if (Array.isArray(v.dryRun) && v.dryRun.includes('All')) out.dryRun = true;
      if (v.orphanDependents === true) out.propagationPolicy = 'Orphan';
    }
  }
  const q = r.query;
  const pp = q.get('propagationPolicy');
  if (pp) {
    if (!['Foreground', 'Background', 'Orphan'].includes(pp)) throw errors.badRequest(`invalid propagationPolicy "${pp}": must be Foreground, Background or Orphan`);
    out.propagationPolicy = pp as DeleteRequest['propagationPolicy'];
  }
  const gps = q.get('gracePeriodSeconds');
  if (gps !== null) out.gracePeriodSeconds = Number(gps);
  return out;
}

