// Revision hashes: Kubernetes names a ControllerRevision `<parent>-<hash>`
// and labels pods with it. The hash is FNV-32a over the revision's content
// (here its canonical JSON) plus the collision count, its decimal digits
// spelled with rand.SafeEncodeString's alphabet so it never forms words.

/** Key-sorted JSON: equal objects give equal strings whatever their key order. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s` (and then `extra`). */
export function fnv32a(s: string, extra?: Uint8Array): number {
  let h = 0x811c9dc5;
  const add = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const b of Buffer.from(s, 'utf8')) add(b);
  if (extra) for (const b of extra) add(b);
  return h >>> 0;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' rand.SafeEncodeString: each byte mapped into an alphabet without vowels or look-alikes. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += ALPHANUMS[b % ALPHANUMS.length];
  return out;
}

/** The hash of `value`, salted by the collision count when there is one (like Kubernetes' ComputeHash). */
export function computeHash(value: unknown, collisionCount?: number): string {
  let extra: Uint8Array | undefined;
  if (collisionCount !== undefined && collisionCount !== null) {
    extra = new Uint8Array(4);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
  }
  return safeEncodeString(String(fnv32a(canonicalJSON(value), extra)));
}
