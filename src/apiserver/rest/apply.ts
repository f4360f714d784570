// Server-side apply requests (application/apply-patch+yaml).

import * as errors from '../../api/errors.ts';
import { ApplyConflictError, ApplyError, serverSideApply } from '../../api/apply/index.ts';
import { timestamp } from '../../api/meta.ts';
import { decodeBody } from '../http/negotiate.ts';
import { readBody } from '../http/respond.ts';
import { apiVersionOf } from '../registry/resources.ts';
import type { Obj, ResourceRequest } from './types.ts';

/**
 * Server-side apply: the applied configuration merged with field ownership
 * (conflicts are 409 unless force=true); a missing object is created.
 */
export async function handleApply(
  r: ResourceRequest,
  ns: string,
  o: { dryRun: boolean; fieldValidation: string; subresource?: string; answer: (code: number, obj: Obj) => void; decoded: (obj: Obj) => Obj },
): Promise<void> {
  const { rest, info, query } = r;
  const manager = query.get('fieldManager');
  if (!manager) throw errors.badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
  const force = query.get('force') === 'true';
  const raw = await readBody(r.req);
  const config = decodeBody('application/apply-patch+yaml', raw).value;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
  const cfg = o.decoded(config as Obj);
  const name = (cfg.metadata as { name?: string } | undefined)?.name;
  if (name !== undefined && name !== info.name) throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${info.name})`);
  const applyOpts = { manager, force, now: timestamp(new Date()), apiVersion: apiVersionOf(rest.info), kind: rest.info.kind, subresource: o.subresource };
  const run = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ApplyConflictError) throw new errors.StatusError(e.toStatus() as unknown as errors.Status);
      if (e instanceof ApplyError) throw e.code === 400 ? errors.badRequest(e.message) : errors.internalError(e.message);
      throw e;
    }
  };
  try {
    const updated = await rest.update(ns, info.name, (cur) => run(() => serverSideApply(cur, cfg, applyOpts).object as Obj), { dryRun: o.dryRun, subresource: o.subresource, applied: true });
    return o.answer(200, updated);
  } catch (e) {
    if (!errors.isStatusError(e, 'NotFound') || o.subresource) throw e;
  }
  const created = run(() => serverSideApply(undefined, cfg, applyOpts).object as Obj);
  ((created.metadata ??= {}) as { name?: string }).name ??= info.name;
  o.answer(201, await rest.create(ns, created, { dryRun: o.dryRun, applied: true }));
}

