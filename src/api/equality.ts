// Equality and copying for JSON-shaped API objects.
//
// Kubernetes compares objects with apimachinery's `equality.Semantic`, which
// works on Go structs: a field that was never set and a field holding its zero
// value look the same there because the wire form omits both. Skiff keeps
// objects as plain JSON, so the nearest useful rule is: a key that is missing
// and a key whose value is `undefined` are the same (JSON.stringify drops
// both); everything else, including `null`, `[]` and `{}`, is a value of its
// own and must match exactly.

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep equality for JSON values. Object keys are unordered and a missing key
 * equals a key set to `undefined`; arrays are ordered; numbers, strings and
 * booleans compare by value (so `0` equals `-0`).
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    for (const k of Object.keys(a)) {
      if (a[k] === undefined) continue;
      if (!Object.hasOwn(b, k) || !semanticEqual(a[k], b[k])) return false;
    }
    for (const k of Object.keys(b)) {
      if (b[k] !== undefined && !Object.hasOwn(a, k)) return false;
    }
    return true;
  }
  // Distinct primitives (or a primitive against an object/undefined/null).
  return false;
}

/** A deep copy of a JSON value; the copy shares nothing with the original. */
export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}
