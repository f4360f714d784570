// Server-side apply and managed fields, as pure functions for the API server.
//
// serverSideApply is PATCH with Content-Type application/apply-patch+yaml
// (kubectl apply --server-side): the applied configuration is merged into the
// stored object (or creates it), fields the applier applied last time and no
// longer applies are removed unless someone else owns them, and changing a
// field another manager owns is a conflict unless forced. trackUpdate is what
// every other write does to metadata.managedFields: the fields it changed
// move to its manager. Semantics follow sigs.k8s.io/structured-merge-diff
// (merge.Updater) and apimachinery's fieldmanager chain; the type facts come
// from ../patch/schema.ts through ./types.ts.

import { deepCopy, semanticEqual } from '../equality.ts';
import { patchSchemaFor } from '../patch/schema.ts';
import { FieldSet } from './fieldset.ts';
import {
  ApplyConflictError,
  ApplyError,
  conflictFor,
  decodeManagedFields,
  encodeManagedFields,
  identity,
  scopeConfig,
  scopeFilter,
  type ApplyConflict,
  type ManagedEntry,
} from './managed.ts';
import { isObject, sortedJSON, type Obj } from './types.ts';
import { StructureError, compare, merge, removePath, toFieldSet, type Comparison } from './walk.ts';

export { ApplyConflictError, ApplyError, type ApplyConflict } from './managed.ts';
export { FieldSet, pathString } from './fieldset.ts';

export interface ApplyOptions {
  /** fieldManager (kubectl sends "kubectl"). */
  manager: string;
  force: boolean;
  /** RFC3339, written as the entry's time. */
  now: string;
  /** The request's version, e.g. "apps/v1"; the configuration must carry the same. */
  apiVersion: string;
  kind: string;
  subresource?: string;
}

export interface ApplyResult {
  /** The object to store (not yet defaulted or validated), metadata.managedFields updated. */
  object: Record<string, unknown>;
}

export interface UpdateOptions {
  manager: string;
  now: string;
  apiVersion: string;
  /** Defaults to the object's kind. */
  kind?: string;
  subresource?: string;
}

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function metaOf(o: Obj): Obj {
  if (!isObject(o.metadata)) o.metadata = {};
  return o.metadata as Obj;
}

function takeManagedFields(o: Obj): unknown {
  const meta = isObject(o.metadata) ? o.metadata : undefined;
  const mf = meta?.managedFields;
  if (meta) delete meta.managedFields;
  return mf;
}

function putManagedFields(o: Obj, entries: Iterable<ManagedEntry>): void {
  const list = encodeManagedFields(entries);
  if (list.length > 0) metaOf(o).managedFields = list;
  else if (isObject(o.metadata)) delete o.metadata.managedFields;
}

function scoped(c: Comparison, subresource: string | undefined): Comparison {
  return {
    added: scopeFilter(c.added, subresource),
    modified: scopeFilter(c.modified, subresource),
    removed: scopeFilter(c.removed, subresource),
  };
}

/** Go's GroupVersion string: "v1" for the core group. */
function gvkString(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
}

/**
 * Applies `config` as manager `opts.manager`. `current` is the stored object,
 * or undefined to create it. Throws ApplyConflictError (409) when the apply
 * would change fields other managers own and `force` is false, and ApplyError
 * for a configuration Kubernetes refuses (wrong version, managedFields set,
 * a map-list item without its key or twice).
 */
export function serverSideApply(current: Record<string, unknown> | undefined, config: Record<string, unknown>, opts: ApplyOptions): ApplyResult {
  if (!isObject(config)) throw new ApplyError('the body of an apply patch must be an object', 400);
  if (config.apiVersion !== opts.apiVersion) {
    throw new ApplyError(
      `Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${opts.apiVersion}`,
      400,
    );
  }
  if (isObject(config.metadata) && config.metadata.managedFields != null) throw new ApplyError('metadata.managedFields must be nil', 400);

  const sub = opts.subresource || undefined;
  const schema = patchSchemaFor(opts.apiVersion, opts.kind);
  const live: Obj = current ? deepCopy(current) : {};
  const managers = decodeManagedFields(takeManagedFields(live));
  const cfg = scopeConfig(config, sub);

  let applied: FieldSet;
  try {
    applied = scopeFilter(toFieldSet(cfg, schema), sub);
  } catch (e) {
    if (!(e instanceof StructureError)) throw e;
    const m = isObject(config.metadata) ? config.metadata : {};
    const nn = `${typeof m.namespace === 'string' ? m.namespace : ''}/${typeof m.name === 'string' ? m.name : ''}`;
    throw new ApplyError(`failed to create typed patch object (${nn}; ${gvkString(opts.apiVersion, opts.kind)}): ${e.message}`, 500);
  }

  const self: ManagedEntry = { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, set: applied };
  if (sub) self.subresource = sub;
  const selfId = identity(self);
  const previous = managers.get(selfId);
  managers.set(selfId, self);

  const merged = merge(live, cfg, schema);

  // Prune: what this manager applied last time and no longer applies goes,
  // unless some manager (this one included) still owns it or something below it.
  if (previous) {
    let owned = new FieldSet();
    for (const e of managers.values()) owned = owned.union(e.set);
    const drop = scopeFilter(previous.set.withNamedAncestors(), sub).difference(owned.withNamedAncestors());
    for (const p of drop.members()) removePath(merged, p);
  }

  const changes = scoped(compare(live, merged, schema), sub);
  const changed = changes.modified.union(changes.added);
  const conflicts: [string, ApplyConflict[]][] = [];
  for (const [id, e] of managers) {
    if (id === selfId) continue;
    const mine = e.set.intersection(changed);
    if (!mine.isEmpty()) conflicts.push([id, mine.members().map((p) => conflictFor(e, p))]);
  }
  if (conflicts.length > 0 && !opts.force) {
    conflicts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    throw new ApplyConflictError(conflicts.flatMap(([, cs]) => cs));
  }
  for (const [id, e] of managers) {
    if (id !== selfId) e.set = e.set.difference(changed).difference(changes.removed);
  }

  const objectChanged = !semanticEqual(live, merged);
  self.time = objectChanged || !previous?.time ? opts.now : previous.time;

  putManagedFields(merged, managers.values());
  syncLastApplied(merged, config, opts.manager);
  return { object: merged };
}

/**
 * kubectl's client-side apply annotation follows server-side applies by
 * "kubectl" once the object has it (apimachinery's lastAppliedUpdater), so
 * a later client-side apply starts from what was applied last.
 */
function syncLastApplied(obj: Obj, config: Obj, manager: string): void {
  const annotations = isObject(obj.metadata) ? obj.metadata.annotations : undefined;
  if (manager !== 'kubectl' || !isObject(annotations) || annotations[LAST_APPLIED_ANNOTATION] === undefined) return;
  const c = deepCopy(config);
  const ca = isObject(c.metadata) ? c.metadata.annotations : undefined;
  if (isObject(ca)) delete ca[LAST_APPLIED_ANNOTATION];
  // Go's encoding/json: sorted keys, HTML-escaped, a trailing newline.
  annotations[LAST_APPLIED_ANNOTATION] =
    sortedJSON(c).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

/** `[]` or `[{}]` in a request asks to reset managedFields (apimachinery's isResetManagedFields). */
function isReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  return mf.length === 0 || (mf.length === 1 && isObject(mf[0]) && Object.keys(mf[0]).length === 0);
}

/**
 * Records an ordinary write (create, update, patch) by `opts.manager`:
 * fields it added or changed move to its Update entry (taken from every other
 * manager, appliers included), fields it removed leave every entry, and
 * entries left empty disappear. Returns a copy of `updated` with
 * metadata.managedFields set. managedFields the request itself carries are
 * kept when they parse (that is how clients edit them), `[]` resets them, and
 * writes through a subresource always start from the stored ones.
 */
export function trackUpdate(current: Record<string, unknown> | undefined, updated: Record<string, unknown>, opts: UpdateOptions): Record<string, unknown> {
  const sub = opts.subresource || undefined;
  const kind = opts.kind ?? (typeof updated.kind === 'string' ? updated.kind : typeof current?.kind === 'string' ? current.kind : '');
  const schema = patchSchemaFor(opts.apiVersion, kind);
  const live: Obj = current ? deepCopy(current) : {};
  const next: Obj = deepCopy(updated);
  const liveMF = takeManagedFields(live);
  const requestMF = takeManagedFields(next);

  let managers: Map<string, ManagedEntry>;
  if (sub) managers = decodeManagedFields(liveMF);
  else if (isReset(requestMF)) managers = new Map();
  else {
    managers = decodeManagedFields(requestMF);
    if (managers.size === 0) managers = decodeManagedFields(liveMF);
  }

  const changes = scoped(compare(live, next, schema), sub);
  const changed = changes.modified.union(changes.added);
  for (const e of managers.values()) e.set = e.set.difference(changed).difference(changes.removed);

  if (!changed.isEmpty()) {
    const self: ManagedEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, time: opts.now, set: changed };
    if (sub) self.subresource = sub;
    const id = identity(self);
    const prev = managers.get(id);
    if (prev) self.set = prev.set.union(changed);
    managers.set(id, self);
  }
  putManagedFields(next, managers.values());
  return next;
}
