// metadata.managedFields: reading and writing the entries, who a manager is,
// which fields are never tracked, and the conflict error with apimachinery's
// wording (managedfields/internal/conflict.go).

import { FieldSet, pathString, type Path } from './fieldset.ts';
import { isObject, type Obj } from './types.ts';

export type Operation = 'Apply' | 'Update';

export interface ManagedEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/**
 * A manager's identity, as apimachinery's BuildManagerIdentifier: the entry
 * without time and fields, and without apiVersion for appliers (an applier is
 * the same manager whatever version it applies with). JSON in Go's field order.
 */
export function identity(e: { manager: string; operation: Operation; apiVersion?: string; subresource?: string }): string {
  const id: Obj = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** Entries by identity. Entries that are not FieldsV1 or do not parse are dropped; duplicates are united. */
export function decodeManagedFields(v: unknown): Map<string, ManagedEntry> {
  const out = new Map<string, ManagedEntry>();
  if (!Array.isArray(v)) return out;
  for (const raw of v) {
    if (!isObject(raw) || raw.fieldsType !== 'FieldsV1') continue;
    if (raw.operation !== 'Apply' && raw.operation !== 'Update') continue;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(raw.fieldsV1 ?? {});
    } catch {
      continue;
    }
    const e: ManagedEntry = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation: raw.operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      set,
    };
    if (typeof raw.time === 'string') e.time = raw.time;
    if (typeof raw.subresource === 'string' && raw.subresource !== '') e.subresource = raw.subresource;
    const id = identity(e);
    const prev = out.get(id);
    out.set(id, prev ? { ...e, set: prev.set.union(set) } : e);
  }
  return out;
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The managedFields list: non-empty entries in Kubernetes' order (operation,
 * time in seconds, manager, apiVersion, subresource), fields in Go's order.
 */
export function encodeManagedFields(entries: Iterable<ManagedEntry>): Obj[] {
  const list = [...entries].filter((e) => !e.set.isEmpty());
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((e) => {
    const o: Obj = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

// ---------------------------------------------------------------- scope

/** ObjectMeta fields no manager owns: apimachinery's StripMetaManager list, plus graceful deletion's fields. */
const systemMeta = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const stripped = FieldSet.of(['f:apiVersion'], ['f:kind'], ...systemMeta.map((f): Path => ['f:metadata', `f:${f}`]));

/**
 * The part of a field set a write through `subresource` may own: never the
 * type and system metadata; on the main resource everything but status
 * (status is reset there and owned through /status); on /status only status
 * and metadata; on /scale only spec.replicas.
 */
export function scopeFilter(set: FieldSet, subresource: string | undefined): FieldSet {
  let s = set.withoutSubtreesOf(stripped).difference(FieldSet.of(['f:metadata']));
  if (!subresource) return s.withoutSubtreesOf(FieldSet.of(['f:status']));
  if (subresource === 'status') s = onlyUnder(s, [['f:status'], ['f:metadata']]);
  else if (subresource === 'scale') s = onlyUnder(s, [['f:spec', 'f:replicas']]);
  return s;
}

/** The members of `s` at or below one of `paths`. */
function onlyUnder(s: FieldSet, paths: Path[]): FieldSet {
  const out = new FieldSet();
  for (const p of paths) {
    const n = s.node(p);
    if (!n) continue;
    if (n.member) out.insert(p);
    for (const m of n.members()) out.insert([...p, ...m]);
  }
  return out;
}

/** The applied configuration without what `subresource` may not set and without system metadata (name and namespace stay). */
export function scopeConfig(config: Obj, subresource: string | undefined): Obj {
  let out: Obj = { ...config };
  if (isObject(out.metadata)) {
    const meta = { ...out.metadata };
    for (const f of systemMeta) if (f !== 'name' && f !== 'namespace') delete meta[f];
    out.metadata = meta;
  }
  if (!subresource) delete out.status;
  else if (subresource === 'status') out = pick(out, ['apiVersion', 'kind', 'metadata', 'status']);
  else if (subresource === 'scale') {
    const spec = isObject(out.spec) && out.spec.replicas !== undefined ? { replicas: out.spec.replicas } : undefined;
    out = { ...pick(out, ['apiVersion', 'kind', 'metadata']), ...(spec ? { spec } : {}) };
  }
  return out;
}

function pick(o: Obj, keys: string[]): Obj {
  const out: Obj = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

// ---------------------------------------------------------------- conflicts

export interface ApplyConflict {
  manager: string;
  operation: Operation;
  /** Set for Update managers (their identity includes the version they wrote with). */
  apiVersion?: string;
  subresource?: string;
  /** The field, as Kubernetes prints it: `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`. */
  field: string;
  /** The cause's message: `conflict with "kubectl-client-side-apply" using apps/v1`. */
  message: string;
}

/** apimachinery's printManager: `"m"`, `"m" with subresource "s"`, `... using apps/v1` for updaters. */
export function printManager(e: { manager: string; operation: Operation; apiVersion?: string; subresource?: string }): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

export function conflictFor(e: ManagedEntry, path: Path): ApplyConflict {
  const c: ApplyConflict = { manager: e.manager, operation: e.operation, field: pathString(path), message: '' };
  if (e.operation === 'Update') c.apiVersion = e.apiVersion;
  if (e.subresource) c.subresource = e.subresource;
  c.message = `conflict with ${printManager(c)}`;
  return c;
}

/**
 * A server-side apply that would change fields other managers own. The API
 * server answers 409 with `toStatus()`.
 */
export class ApplyConflictError extends Error {
  override readonly name = 'ApplyConflictError';
  readonly code = 409;
  readonly reason = 'Conflict';

  constructor(readonly conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts));
  }

  /** Status causes: one FieldManagerConflict per field. */
  get causes(): { reason: 'FieldManagerConflict'; message: string; field: string }[] {
    return this.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: c.message, field: c.field }));
  }

  toStatus(): Obj {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: 'Conflict', details: { causes: this.causes }, code: 409 };
  }
}

function conflictMessage(conflicts: ApplyConflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) return `Apply failed with 1 conflict: ${only.message}: ${only.field}`;
  const byManager = new Map<string, ApplyConflict[]>();
  for (const c of conflicts) {
    const id = identity(c);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const cs = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(cs[0]!)}:`, ...cs.map((c) => `- ${c.field}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** Any other failure of an apply: 400 for a request Kubernetes rejects as bad, 500 (reason "", Unknown) where it fails while typing the patch. */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    message: string,
    readonly code: 400 | 500,
  ) {
    super(message);
  }

  get reason(): 'BadRequest' | '' {
    return this.code === 400 ? 'BadRequest' : '';
  }
}
