// Object-lifecycle metadata rules: what the API server does to metadata around
// every create, update and delete. Modelled on k8s.io/apiserver's
// registry/rest (create.go, update.go, delete.go), the generic registry
// store's graceful-deletion and finalizer handling, and apimachinery's
// simple name generator. Pure: the clock and randomness come from a MetaEnv.

import { randomUUID } from 'node:crypto';
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { deepCopy, semanticEqual } from './equality.ts';

export interface MetaEnv {
  now(): Date;
  uid(): string;
  /** A number in [0, 1), as Math.random returns. */
  random(): number;
}

export const defaultEnv: MetaEnv = {
  now: () => new Date(),
  uid: () => randomUUID(),
  random: () => Math.random(),
};

/**
 * Any API object. There is deliberately no index signature: kubernetes-types
 * declares its kinds as interfaces, which TypeScript will not match against
 * one, so `Pod`, `Deployment` and `Record<string, unknown>` are all accepted.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Longest valid object name; generated names never exceed it. */
export const MAX_NAME_LENGTH = 63;
const RANDOM_SUFFIX_LENGTH = 5;
/** Longest generateName prefix kept before the random suffix (63 - 5). */
export const MAX_GENERATED_PREFIX_LENGTH = MAX_NAME_LENGTH - RANDOM_SUFFIX_LENGTH;
/** apimachinery's rand alphabet: no vowels, no 0/1/3, so no words and no look-alikes. */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** ObjectMeta with kubernetes-types' `readonly` (server-owned fields) lifted: this module is the server. */
type MutableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

function metaOf(obj: KubeObject): MutableMeta {
  return (obj.metadata ??= {});
}

/**
 * metav1.Time's wire form: RFC 3339 in UTC at whole seconds. Go truncates the
 * sub-second part rather than rounding, and so does this.
 */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

function addSeconds(ts: string | Date, seconds: number): Date {
  const ms = typeof ts === 'string' ? Date.parse(ts) : ts.getTime();
  return new Date(ms + seconds * 1000);
}

/** `prefix` (cut to 58 characters) followed by 5 random characters from NAME_SUFFIX_ALPHABET. */
export function generateName(prefix: string, env: MetaEnv = defaultEnv): string {
  const base = prefix.length > MAX_GENERATED_PREFIX_LENGTH ? prefix.slice(0, MAX_GENERATED_PREFIX_LENGTH) : prefix;
  let suffix = '';
  for (let i = 0; i < RANDOM_SUFFIX_LENGTH; i++) {
    const n = NAME_SUFFIX_ALPHABET.length;
    const idx = Math.min(n - 1, Math.max(0, Math.floor(env.random() * n)));
    suffix += NAME_SUFFIX_ALPHABET[idx];
  }
  return base + suffix;
}

/**
 * Before storing a new object. The server owns uid, creationTimestamp and
 * (for kinds with a spec/status split) generation; whatever the client sent
 * for them is replaced, and the fields that only exist on stored or deleting
 * objects are cleared. Mutates and returns `obj`.
 *
 * Note: real Kubernetes rejects a create that carries a resourceVersion
 * ("resourceVersion should not be set on objects to be created"); Skiff
 * clears it instead.
 */
export function prepareForCreate<T extends KubeObject>(obj: T, opts: { tracksGeneration?: boolean; env?: MetaEnv } = {}): T {
  const env = opts.env ?? defaultEnv;
  const m = metaOf(obj);
  if (!m.name && m.generateName) m.name = generateName(m.generateName, env);
  m.uid = env.uid();
  m.creationTimestamp = timestamp(env.now());
  if (opts.tracksGeneration) m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  return obj;
}

/** Top-level keys that never count as a change of desired state. */
const NON_SPEC_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** True when anything outside apiVersion, kind, metadata and status differs. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (NON_SPEC_KEYS.has(k)) continue;
    if (!semanticEqual(ao[k], bo[k])) return true;
  }
  return false;
}

/**
 * Before storing an update (rest.BeforeUpdate plus the strategies' generation
 * rule). Mutates and returns `obj`:
 *  - generation: always the old value, plus one when `tracksGeneration` and
 *    something outside apiVersion/kind/metadata/status changed; never bumped
 *    for the status subresource.
 *  - creationTimestamp and deletionTimestamp: the old values win whenever the
 *    old object has them.
 *  - uid and deletionGracePeriodSeconds: filled in from the old object only
 *    when the update leaves them out. A client that sends a *different* value
 *    keeps it here, so validateObjectMetaUpdate (run afterwards) rejects it
 *    as "field is immutable", as Kubernetes does.
 */
export function prepareForUpdate<T extends KubeObject>(obj: T, old: T, opts: { tracksGeneration?: boolean; subresource?: string } = {}): T {
  const m = metaOf(obj);
  const om = old.metadata ?? {};

  if (om.generation !== undefined) m.generation = om.generation;
  else delete m.generation;
  if (opts.tracksGeneration && opts.subresource !== 'status' && specChanged(obj, old)) {
    m.generation = (om.generation ?? 0) + 1;
  }

  if (!m.uid && om.uid) m.uid = om.uid;
  if (om.creationTimestamp) m.creationTimestamp = om.creationTimestamp;
  if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
  if (om.deletionGracePeriodSeconds != null && m.deletionGracePeriodSeconds == null) {
    m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  }
  return obj;
}

export type DeleteDecision = { action: 'delete' } | { action: 'update'; object: KubeObject } | { action: 'none' };

export interface DeleteOptions {
  /** The grace period asked for; negative means 1. For graceful kinds the caller resolves the default (e.g. a pod's terminationGracePeriodSeconds); absent counts as 0 on a first deletion. */
  gracePeriodSeconds?: number;
  /** The kind honours grace periods (rest.RESTGracefulDeleteStrategy), e.g. Pod. */
  graceful?: boolean;
  /** Pass only for kinds the garbage collector handles; absent leaves GC finalizers alone. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  tracksGeneration?: boolean;
  env?: MetaEnv;
}

function bumpGeneration(m: MutableMeta, tracksGeneration: boolean | undefined): void {
  // Kubernetes bumps whenever generation is set (> 0).
  if (tracksGeneration || (m.generation ?? 0) > 0) m.generation = (m.generation ?? 0) + 1;
}

/**
 * The finalizer list a delete with `policy` leaves: orphan/foregroundDeletion
 * are dropped and re-added as the policy asks, after the others. Returns
 * undefined when the set of finalizers would not change.
 */
function gcFinalizers(current: string[], policy: DeleteOptions['propagationPolicy']): string[] | undefined {
  if (!policy) return undefined;
  const next = current.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === 'Orphan') next.push(FINALIZER_ORPHAN);
  if (policy === 'Foreground') next.push(FINALIZER_FOREGROUND);
  const a = new Set(current);
  const b = new Set(next);
  if (a.size === b.size && [...a].every((f) => b.has(f))) return undefined;
  return next;
}

/**
 * Decide what a DELETE does to `obj` (rest.BeforeDelete plus the registry
 * store's graceful-deletion/finalizer handling). `obj` is not modified; an
 * 'update' carries a modified copy to store.
 *
 *  - Graceful kinds: the first delete sets deletionTimestamp = now + grace and
 *    deletionGracePeriodSeconds = grace and bumps generation. A later delete
 *    may only shorten the grace: the timestamp moves earlier by the difference;
 *    an equal, longer or absent grace is 'none' (and cannot change finalizers).
 *  - propagationPolicy rewrites the orphan/foregroundDeletion finalizers.
 *  - With finalizers left, the object is only marked: non-graceful marking sets
 *    deletionTimestamp = now (or keeps an earlier one) and grace 0, bumping
 *    generation the first time.
 *  - Without finalizers, 'delete' unless a grace period > 0 is now running.
 *  - 'none' when the object would be stored unchanged.
 */
export function beginDeletion(obj: KubeObject, opts: DeleteOptions): DeleteDecision {
  const env = opts.env ?? defaultEnv;
  const out = deepCopy(obj);
  const m = metaOf(out);
  const now = env.now();

  let grace = opts.gracePeriodSeconds;
  if (grace !== undefined && grace < 0) grace = 1;
  if (m.deletionGracePeriodSeconds != null && m.deletionGracePeriodSeconds < 0) m.deletionGracePeriodSeconds = 1;

  let graceful = false;
  if (opts.graceful) {
    if (m.deletionTimestamp) {
      const current = m.deletionGracePeriodSeconds;
      // Marked with no (or zero) grace: nothing to wait for; fall through to
      // the non-graceful path, which deletes unless finalizers remain.
      if (current != null && current !== 0) {
        if (grace === undefined || grace >= current) return { action: 'none' };
        m.deletionTimestamp = timestamp(addSeconds(addSeconds(m.deletionTimestamp, -current), grace));
        m.deletionGracePeriodSeconds = grace;
        graceful = true;
      }
    } else {
      const g = grace ?? 0;
      m.deletionTimestamp = timestamp(addSeconds(now, g));
      m.deletionGracePeriodSeconds = g;
      bumpGeneration(m, opts.tracksGeneration);
      graceful = true;
    }
  }

  const nextFinalizers = gcFinalizers(m.finalizers ?? [], opts.propagationPolicy);
  if (nextFinalizers) {
    if (nextFinalizers.length > 0) m.finalizers = nextFinalizers;
    else delete m.finalizers;
  }
  const pendingFinalizers = (m.finalizers?.length ?? 0) > 0;

  if (!graceful) {
    if (!pendingFinalizers) return { action: 'delete' };
    // markAsDeleting: keep an earlier deletionTimestamp, never a later one.
    if (!m.deletionTimestamp) bumpGeneration(m, opts.tracksGeneration);
    if (!m.deletionTimestamp || Date.parse(m.deletionTimestamp) > now.getTime()) m.deletionTimestamp = timestamp(now);
    m.deletionGracePeriodSeconds = 0;
  } else if (!pendingFinalizers && m.deletionGracePeriodSeconds === 0) {
    return { action: 'delete' };
  }

  if (semanticEqual(out, obj)) return { action: 'none' };
  return { action: 'update', object: out };
}

/**
 * After an update: true when the object is marked for deletion, has no
 * finalizers left and no grace period running (deletionGracePeriodSeconds
 * absent or 0), as the registry store's ShouldDeleteDuringUpdate decides.
 * A positive grace period is not timed out here: for graceful kinds the
 * owner of the grace (the kubelet) finishes with a zero-grace delete.
 */
export function readyToRemove(obj: KubeObject): boolean {
  const m = obj.metadata;
  if (!m?.deletionTimestamp) return false;
  if ((m.finalizers?.length ?? 0) > 0) return false;
  return m.deletionGracePeriodSeconds == null || m.deletionGracePeriodSeconds === 0;
}

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return obj.metadata?.finalizers?.includes(f) ?? false;
}

/** Appends `f` unless present. True if added. */
export function addFinalizer(obj: KubeObject, f: string): boolean {
  if (hasFinalizer(obj, f)) return false;
  const m = metaOf(obj);
  (m.finalizers ??= []).push(f);
  return true;
}

/** Removes every occurrence of `f`; drops the list when it becomes empty. True if removed. */
export function removeFinalizer(obj: KubeObject, f: string): boolean {
  const m = obj.metadata;
  if (!m?.finalizers?.includes(f)) return false;
  const rest = m.finalizers.filter((x) => x !== f);
  if (rest.length > 0) m.finalizers = rest;
  else delete m.finalizers;
  return true;
}

/** The owner reference with controller: true (validation allows at most one). */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isOwnedBy(obj: KubeObject, ownerUID: string): boolean {
  return obj.metadata?.ownerReferences?.some((r) => r.uid === ownerUID) ?? false;
}

/**
 * An owner reference pointing at `owner`, which must be a stored object
 * (apiVersion, kind, name and uid set). controller/blockOwnerDeletion are
 * included only when given; Kubernetes' NewControllerRef sets both true.
 */
export function ownerReferenceTo(owner: KubeObject, opts: { controller?: boolean; blockOwnerDeletion?: boolean } = {}): OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error(`ownerReferenceTo: owner needs apiVersion, kind, metadata.name and metadata.uid (got ${apiVersion}/${kind} ${name} uid=${uid})`);
  }
  const ref: OwnerReference = { apiVersion, kind, name, uid };
  if (opts.controller !== undefined) ref.controller = opts.controller;
  if (opts.blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = opts.blockOwnerDeletion;
  return ref;
}

/** "namespace/name", or just "name" for cluster-scoped objects. */
export function namespacedName(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}
