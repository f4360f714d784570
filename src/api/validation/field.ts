// Field-level validation errors, formatted the way Kubernetes'
// apimachinery field.Error renders them, so Status causes and messages
// produced by Skiff are byte-for-byte what kubectl users expect.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail: string;
}

/** A field path such as `spec.template.spec.containers[0].name`. Immutable. */
export class Path {
  #parent: Path | undefined;
  #segment: string;
  #kind: 'name' | 'index' | 'key' = 'name';

  /** `new Path('a', 'b')` is shorthand for `new Path('a').child('b')`. */
  constructor(name: string, ...more: string[]) {
    this.#parent = undefined;
    this.#segment = name;
    if (more.length > 0) return this.child(more[0]!, ...more.slice(1));
  }

  static #make(parent: Path, segment: string, kind: 'name' | 'index' | 'key'): Path {
    const p = new Path(segment);
    p.#parent = parent;
    p.#kind = kind;
    return p;
  }

  child(name: string, ...more: string[]): Path {
    let p = Path.#make(this, name, 'name');
    for (const m of more) p = Path.#make(p, m, 'name');
    return p;
  }

  index(i: number): Path {
    return Path.#make(this, String(i), 'index');
  }

  key(k: string): Path {
    return Path.#make(this, k, 'key');
  }

  toString(): string {
    const parts: Path[] = [];
    for (let p: Path | undefined = this; p; p = p.#parent) parts.unshift(p);
    let out = '';
    for (const p of parts) {
      if (p.#kind === 'name') {
        if (out.length > 0 && p.#segment.length > 0) out += '.';
        out += p.#segment;
      } else {
        out += `[${p.#segment}]`;
      }
    }
    return out;
  }
}

export type PathLike = Path | string;
const str = (p: PathLike): string => (typeof p === 'string' ? p : p.toString());

export function required(path: PathLike, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: str(path), badValue: '', detail };
}

export function invalid(path: PathLike, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: str(path), badValue: value, detail };
}

export function typeInvalid(path: PathLike, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field: str(path), badValue: value, detail };
}

export function notFound(path: PathLike, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field: str(path), badValue: value, detail: '' };
}

export function notSupported(path: PathLike, value: unknown, validValues: readonly string[]): FieldError {
  const detail =
    validValues.length > 0 ? 'supported values: ' + validValues.map((v) => goQuote(v)).join(', ') : '';
  return { type: 'FieldValueNotSupported', field: str(path), badValue: value, detail };
}

export function duplicate(path: PathLike, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field: str(path), badValue: value, detail: '' };
}

export function forbidden(path: PathLike, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: str(path), badValue: '', detail };
}

export function tooLong(path: PathLike, maxLength: number): FieldError {
  const detail =
    maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { type: 'FieldValueTooLong', field: str(path), badValue: '<value omitted>', detail };
}

export function tooMany(path: PathLike, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return { type: 'FieldValueTooMany', field: str(path), badValue: actual >= 0 ? actual : OMIT, detail };
}

export function internalError(path: PathLike, message: string): FieldError {
  return { type: 'InternalError', field: str(path), badValue: message, detail: message };
}

const OMIT = Symbol('omit-value');

const TYPE_WORDS: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
  InternalError: 'Internal error',
};

/** The cause message: what field.Error.ErrorBody() returns. */
export function errorMessage(e: FieldError): string {
  const word = TYPE_WORDS[e.type];
  let s: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      s = word;
      break;
    default:
      s = e.badValue === OMIT ? word : `${word}: ${renderValue(e.badValue)}`;
  }
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

/** `field: body`, as field.Error.Error() prints it. */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorMessage(e)}`;
}

/**
 * Joins errors the way an apimachinery Aggregate does: duplicates dropped,
 * a single error bare, several wrapped in `[a, b]`.
 */
export function aggregateErrors(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = errorString(e);
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  if (msgs.length === 1) return msgs[0]!;
  return `[${msgs.join(', ')}]`;
}

/** `The Deployment "bad" is invalid: ...` (kubectl's wording of a 422). */
export function aggregateMessage(kind: string, name: string, errs: readonly FieldError[]): string {
  const head = `The ${kind} ${goQuote(name)} is invalid`;
  return errs.length === 0 ? head : `${head}: ${aggregateErrors(errs)}`;
}

/**
 * The Status.message an API server puts in a 422: the kind is qualified by
 * its group (`Deployment.apps`), core kinds are bare (`Pod`).
 */
export function statusMessage(group: string, kind: string, name: string, errs: readonly FieldError[]): string {
  const gk = group ? `${kind}.${group}` : kind;
  const head = `${gk} ${goQuote(name)} is invalid`;
  return errs.length === 0 ? head : `${head}: ${aggregateErrors(errs)}`;
}

export interface StatusCause {
  reason: FieldErrorType;
  message: string;
  field: string;
}

export function statusCauses(errs: readonly FieldError[]): StatusCause[] {
  return errs.map((e) => ({ reason: e.type, message: errorMessage(e), field: e.field }));
}

// --- value rendering -------------------------------------------------------

function renderValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return goJSON(v);
}

/** Go's %q / strconv.Quote for the characters that matter in practice. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * encoding/json output: HTML-significant characters escaped, and the keys
 * of string maps (labels, selectors, annotations) sorted as Go maps are.
 */
export function goJSON(v: unknown): string {
  const json = JSON.stringify(sortStringMaps(v)) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function sortStringMaps(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortStringMaps);
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>);
  const isStringMap = entries.length > 0 && entries.every(([, x]) => typeof x === 'string');
  if (isStringMap) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries) if (x !== undefined) out[k] = sortStringMaps(x);
  return out;
}
