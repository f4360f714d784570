// Field sets: the fields of an object one manager owns, as a tree shaped like
// Kubernetes' FieldsV1 encoding (sigs.k8s.io/structured-merge-diff fieldpath).
// A path is a list of path elements, each already in its serialized form:
//   f:<name>          a field of an object (struct field or map key)
//   k:{"name":"web"}  the item of a map-list whose key fields have these values
//                     (JSON object, key fields sorted by name)
//   v:"value"         the item of a set (a list of primitives), JSON-encoded
//   i:<index>         an item by position (parsed; Skiff's kinds never write it)
// A node that is itself owned is a "member"; in FieldsV1 a member leaf is
// `{}` and a member with owned children carries `".": {}` beside them.

export type PathElement = string;
export type Path = readonly PathElement[];

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** structured-merge-diff's order: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = RANK[a[0] ?? ''] ?? 9;
  const rb = RANK[b[0] ?? ''] ?? 9;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) n.children.set(pe, (c = new FieldSet()));
      n = c;
    }
    n.member = true;
  }

  /** The node at `path`, if the tree has one. */
  node(path: Path): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) n = n?.children.get(pe);
    return n;
  }

  has(path: Path): boolean {
    return this.node(path)?.member === true;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  copy(): FieldSet {
    return this.union(new FieldSet());
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || o.member;
    for (const k of new Set([...this.children.keys(), ...o.children.keys()])) {
      const a = this.children.get(k);
      const b = o.children.get(k);
      const c = a && b ? a.union(b) : (a ?? b)!.copyNonEmpty();
      if (c && !c.isEmpty()) out.children.set(k, c);
    }
    return out;
  }

  private copyNonEmpty(): FieldSet | undefined {
    if (this.isEmpty()) return undefined;
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) {
      const cc = c.copyNonEmpty();
      if (cc) out.children.set(k, cc);
    }
    return out;
  }

  /** Members of this set that are not members of `o` (member by member, as Go's Set.Difference). */
  difference(o: FieldSet): FieldSet {
    return this.combine(o, (a, b) => a && !b);
  }

  intersection(o: FieldSet): FieldSet {
    return this.combine(o, (a, b) => a && b);
  }

  /** Drops every member at or below a member of `o` (Go's RecursiveDifference). */
  withoutSubtreesOf(o: FieldSet): FieldSet {
    const out = new FieldSet();
    if (o.member) return out;
    out.member = this.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const r = oc ? c.withoutSubtreesOf(oc) : c.copyNonEmpty();
      if (r && !r.isEmpty()) out.children.set(k, r);
    }
    return out;
  }

  private combine(o: FieldSet, keep: (a: boolean, b: boolean) => boolean): FieldSet {
    const out = new FieldSet();
    out.member = keep(this.member, o.member);
    for (const [k, c] of this.children) {
      const r = c.combine(o.children.get(k) ?? EMPTY, keep);
      if (!r.isEmpty()) out.children.set(k, r);
    }
    return out;
  }

  /**
   * The set plus every ancestor reached through a field (f:) as a member:
   * structured-merge-diff's EnsureNamedFieldsAreMembers, without a schema to
   * tell struct fields from map keys.
   */
  withNamedAncestors(): FieldSet {
    const out = new FieldSet();
    const walk = (n: FieldSet, path: PathElement[]): boolean => {
      let owned = n.member;
      for (const [k, c] of n.children) if (walk(c, [...path, k])) owned = true;
      const last = path[path.length - 1];
      if (n.member || (owned && last !== undefined && last.startsWith('f:'))) out.insert(path);
      return owned;
    };
    for (const [k, c] of this.children) walk(c, [k]);
    return out;
  }

  /** Member paths in structured-merge-diff's iteration order: a node's members, then its children. */
  members(): Path[] {
    const out: Path[] = [];
    const walk = (n: FieldSet, prefix: Path): void => {
      const keys = [...n.children.keys()].sort(comparePathElements);
      for (const k of keys) if (n.children.get(k)!.member) out.push([...prefix, k]);
      for (const k of keys) {
        const c = n.children.get(k)!;
        if (c.children.size > 0) walk(c, [...prefix, k]);
      }
    };
    walk(this, []);
    return out;
  }

  /** The FieldsV1 JSON form (keys sorted as the API server writes them). */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const k of [...this.children.keys()].sort(comparePathElements)) {
      const c = this.children.get(k)!;
      if (!c.isEmpty()) out[k] = c.toFieldsV1();
    }
    return out;
  }

  /** Reads FieldsV1; throws Error on a malformed document. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (n: unknown, path: PathElement[]): void => {
      if (typeof n !== 'object' || n === null || Array.isArray(n)) throw new Error('FieldsV1: expected an object');
      const keys = Object.keys(n);
      if (keys.length === 0 && path.length > 0) s.insert(path);
      for (const k of keys) {
        if (k === '.') {
          if (path.length > 0) s.insert(path);
          continue;
        }
        if (!/^[fkvi]:/.test(k)) throw new Error(`FieldsV1: unknown path element ${JSON.stringify(k)}`);
        walk((n as Record<string, unknown>)[k], [...path, k]);
      }
    };
    walk(v, []);
    return s;
  }
}

const EMPTY = new FieldSet();

/** Go's %q for the values that appear in keys (JSON quoting is the same for printable text). */
function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A path as Kubernetes prints it in conflicts: `.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key).sort().map((k) => `${k}=${goValue(key[k])}`).join(',')}]`;
        }
        case 'v':
          return `[=${goValue(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
