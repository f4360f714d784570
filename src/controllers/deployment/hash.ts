// The pod-template-hash (Kubernetes' controller.ComputeHash): FNV-32a over
// the pod template (plus the collision count as 8 little-endian bytes),
// printed in decimal and each digit mapped onto apimachinery's safe
// alphabet. Kubernetes hashes Go's spew dump of the struct; we hash
// canonical JSON (sorted keys), so the value differs but the form and the
// properties (stable, collision count changes it) are the same.

import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { NAME_SUFFIX_ALPHABET } from '../../api/meta.ts';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** apimachinery's rand.SafeEncodeString: each character onto the no-vowels alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += NAME_SUFFIX_ALPHABET[ch.codePointAt(0)! % NAME_SUFFIX_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level: the same template always gives the same bytes. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const keys = Object.keys(v as object)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const body = Buffer.from(canonicalJSON(template ?? {}));
  let h = fnv32a(body);
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {}) as PodTemplateSpec;
  const labels = copy.metadata?.labels;
  if (labels) {
    delete labels[POD_TEMPLATE_HASH];
    if (Object.keys(labels).length === 0) delete copy.metadata!.labels;
  }
  return copy;
}

/** Drops nulls and empty maps/lists: Kubernetes' semantic equality treats nil and empty alike. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(prune) : undefined;
  if (v === null || typeof v !== 'object') return v ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Templates equal apart from the pod-template-hash label (Kubernetes' EqualIgnoreHash, semantic). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJSON(prune(withoutHash(a)) ?? {}) === canonicalJSON(prune(withoutHash(b)) ?? {});
}
