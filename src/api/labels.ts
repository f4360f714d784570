// Label selectors: the string grammar of ?labelSelector= and `kubectl -l`, the
// metav1.LabelSelector object form used by workloads, and label key/value
// validation. Behaviour, canonical string form and error wording follow
// Kubernetes (k8s.io/apimachinery/pkg/labels and metav1's selector helpers),
// because kubectl users and controllers compare these strings verbatim.

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** Kubernetes' selection.Operator values; '!' is DoesNotExist, 'gt'/'lt' print as '>'/'<'. */
export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  /** Sorted. Exactly one for = == != gt lt, none for exists and !, at least one for in and notin. */
  values: string[];
}

export class SelectorError extends Error {
  /**
   * Set by parseSelector: offset of the token the parser stopped at, or of the
   * requirement's key when the requirement parsed but failed validation. It is
   * kept out of the message so the message stays word-for-word what Kubernetes
   * returns.
   */
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'SelectorError';
    this.position = position;
  }
}

export class Selector {
  readonly requirements: readonly Requirement[];
  // A nil metav1.LabelSelector selects nothing, yet has no requirement that
  // could express that, so it needs its own flag.
  readonly #matchesNothing: boolean;

  /**
   * Builds a selector from requirements as given (no validation, like
   * Kubernetes' SelectorFromValidatedSet); use newRequirement to validate.
   * Requirements are ordered by key, which is what makes toString canonical.
   */
  constructor(requirements: readonly Requirement[] = [], matchesNothing = false) {
    this.#matchesNothing = matchesNothing;
    this.requirements = Object.freeze(
      [...requirements]
        .map((r) => Object.freeze({ key: r.key, operator: r.operator, values: [...r.values].sort(compareStrings) }))
        .sort((a, b) => compareStrings(a.key, b.key)),
    );
  }

  matches(labels: Record<string, string> | undefined | null): boolean {
    if (this.#matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  isEmpty(): boolean {
    return !this.#matchesNothing && this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }

  /** exact equality requirements (key=value / key==value) as a map, for index lookups; undefined if none */
  equalityRequirements(): Record<string, string> | undefined {
    let out: Record<string, string> | undefined;
    for (const r of this.requirements) {
      if (r.operator === '=' || r.operator === '==') {
        out ??= {};
        out[r.key] = r.values[0] ?? '';
      }
    }
    return out;
  }

  /**
   * The single value `key` must have, as Kubernetes' RequiresExactMatch answers
   * it: only the first requirement on that key counts, and `in` with one value
   * is exact too.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r === undefined) return undefined;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) {
      return r.values[0];
    }
    return undefined;
  }
}

export const everything: Selector = new Selector();
export const nothing: Selector = new Selector([], true);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasLabel(labels: Record<string, string>, key: string): boolean {
  // Own properties only: a label called "constructor" must not be found on Object.prototype.
  return Object.prototype.hasOwnProperty.call(labels, key);
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const present = hasLabel(labels, r.key);
  const value = present ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !present || !r.values.includes(value as string);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present || r.values.length !== 1) return false;
      const have = parseInt64(value as string);
      const want = parseInt64(r.values[0] as string);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementToString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return '!' + r.key;
    case 'in':
      return `${r.key} in (${r.values.join(',')})`;
    case 'notin':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values.join(',')}`;
    case 'lt':
      return `${r.key}<${r.values.join(',')}`;
    default:
      return `${r.key}${r.operator}${r.values.join(',')}`;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

// ---------------------------------------------------------------------------
// Validation (Kubernetes' IsQualifiedName / IsValidLabelValue wording)

const NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_RE = new RegExp(`^${NAME_FMT}$`);
const NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const VALUE_FMT = `(${NAME_FMT})?`;
const VALUE_RE = new RegExp(`^${VALUE_FMT}$`);
const VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN_FMT = `${DNS_LABEL_FMT}(\\.${DNS_LABEL_FMT})*`;
const SUBDOMAIN_RE = new RegExp(`^${SUBDOMAIN_FMT}$`);
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

// Kubernetes builds this text by concatenation, double space before "or" included;
// clients that match on the message expect exactly that.
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

// Kubernetes measures lengths in bytes, not UTF-16 units.
function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function validateDNSSubdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!SUBDOMAIN_RE.test(value)) errs.push(regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with a label key (optional DNS-subdomain prefix and '/', then a name of at most 63 characters); empty if valid. */
export function validateLabelKey(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...validateDNSSubdomain(prefix).map((m) => 'prefix part ' + m));
  } else {
    return [
      'a valid label key ' + regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push('name part ' + maxLenError(63));
  if (!NAME_RE.test(name)) errs.push('name part ' + regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc'));
  return errs;
}

/** Problems with a label value (may be empty; at most 63 characters); empty if valid. */
export function validateLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!VALUE_RE.test(value)) errs.push(regexError(VALUE_MSG, VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------
// Requirement construction with Kubernetes' field-error wording

/** Go's %q, which Kubernetes uses to show bad values. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

// Go's %#v of a []string; the value list is only ever empty when it came from a
// LabelSelector, where Kubernetes has copied it into a nil slice.
function goStringSlice(values: readonly string[]): string {
  return values.length === 0 ? '[]string(nil)' : `[]string{${values.map(goQuote).join(', ')}}`;
}

function invalid(path: string, shownValue: string, detail: string): string {
  return `${path}: Invalid value: ${shownValue}: ${detail}`;
}

// utilerrors.Aggregate: one error is shown bare, several in brackets, duplicates once.
function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(', ')}]`;
}

const ALL_OPERATORS: readonly Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/**
 * Validates and builds one requirement (Kubernetes' NewRequirement): the key,
 * the operator, the number of values the operator takes, integer values for
 * gt/lt, and each value as a label value. Throws SelectorError listing every problem.
 */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  return buildRequirement(key, operator, values, 'key');
}

function buildRequirement(key: string, operator: Operator, values: readonly string[], keyPath: string, position?: number): Requirement {
  const errs: string[] = [];
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length > 0) errs.push(invalid(keyPath, goQuote(key), keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid('values', goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid('values', goStringSlice(values), 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid('values', goStringSlice(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid('values', goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${goQuote(String(operator))}: supported values: ${ALL_OPERATORS.map(goQuote).join(', ')}`);
  }
  values.forEach((v, i) => {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, goQuote(v), valueErrs.join('; ')));
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs), position);
  return { key, operator, values: [...values].sort(compareStrings) };
}

// ---------------------------------------------------------------------------
// String form: lexer and parser

type Tok = 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Token {
  tok: Tok;
  lit: string;
  pos: number;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isWhitespace(s[i] as string)) i++;
    if (i >= s.length) {
      out.push({ tok: 'eos', lit: '', pos: i });
      return out;
    }
    const start = i;
    if (isSpecial(s[i] as string)) {
      // Longest match; the only two-character operators are != and ==.
      const two = s.slice(i, i + 2);
      const lit = two === '!=' || two === '==' ? two : (s[i] as string);
      i += lit.length;
      out.push({ tok: lit as Tok, lit, pos: start });
      continue;
    }
    while (i < s.length && !isSpecial(s[i] as string) && !isWhitespace(s[i] as string)) i++;
    const lit = s.slice(start, i);
    out.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit, pos: start });
  }
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(s: string) {
    this.#tokens = lex(s);
  }

  // Where a value or key is expected, `in` and `notin` are plain words
  // (so `in in (in)` is a valid selector).
  #peek(asValue: boolean): Token {
    const t = this.#tokens[Math.min(this.#at, this.#tokens.length - 1)] as Token;
    return asValue && (t.tok === 'in' || t.tok === 'notin') ? { ...t, tok: 'id' } : t;
  }

  #next(asValue: boolean): Token {
    const t = this.#peek(asValue);
    this.#at++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.#peek(true);
      if (t.tok === 'eos') return reqs;
      if (t.tok !== 'id' && t.tok !== '!') {
        throw new SelectorError(`found '${t.lit}', expected: !, identifier, or 'end of string'`, t.pos);
      }
      try {
        reqs.push(this.#requirement());
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError('unable to parse requirement: ' + e.message, e.position);
        throw e;
      }
      const after = this.#next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or 'end of string'`, after.pos);
      const following = this.#peek(true);
      if (following.tok !== 'id' && following.tok !== '!') {
        throw new SelectorError(`found '${following.lit}', expected: identifier after ','`, following.pos);
      }
    }
  }

  #requirement(): Requirement {
    let t = this.#next(true);
    const negated = t.tok === '!';
    if (negated) t = this.#next(true);
    if (t.tok !== 'id') throw new SelectorError(`found '${t.lit}', expected: identifier`, t.pos);
    const key = t.lit;
    const keyErrs = validateLabelKey(key);
    // The parser reports a bad key with no field path, which Kubernetes prints as "<nil>".
    if (keyErrs.length > 0) throw new SelectorError(invalid('<nil>', goQuote(key), keyErrs.join('; ')), t.pos);
    // `!key` is complete on its own; whatever follows is the caller's problem.
    if (negated) return buildRequirement(key, '!', [], 'key', t.pos);
    const la = this.#peek(true);
    if (la.tok === 'eos' || la.tok === ',') return buildRequirement(key, 'exists', [], 'key', t.pos);

    const opTok = this.#next(false);
    const operator = OPERATOR_TOKENS[opTok.tok];
    if (operator === undefined) {
      throw new SelectorError(`found '${opTok.lit}', expected: in, notin, =, ==, !=, gt, lt`, opTok.pos);
    }
    const values = operator === 'in' || operator === 'notin' ? this.#valueSet() : this.#exactValue();
    return buildRequirement(key, operator, [...values].sort(compareStrings), 'key', t.pos);
  }

  #valueSet(): Set<string> {
    const open = this.#next(true);
    if (open.tok !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`, open.pos);
    const first = this.#peek(true);
    if (first.tok === ')') {
      this.#next(true);
      return new Set(['']);
    }
    if (first.tok !== 'id' && first.tok !== ',') {
      throw new SelectorError(`found '${first.lit}', expected: ',', ')' or identifier`, first.pos);
    }
    const values = this.#identifierList();
    this.#next(true); // the ')' #identifierList stopped at
    return values;
  }

  // A comma-separated list in which any item may be empty: "(,a)", "(a,)" and
  // "(a,,b)" all contain "".
  #identifierList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const t = this.#next(true);
      if (t.tok === 'id') {
        values.add(t.lit);
        const la = this.#peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') return values;
        throw new SelectorError(`found '${la.lit}', expected: ',' or ')'`, la.pos);
      }
      if (t.tok === ',') {
        if (values.size === 0) values.add('');
        const la = this.#peek(true);
        if (la.tok === ')') {
          values.add('');
          return values;
        }
        if (la.tok === ',') {
          this.#next(true);
          values.add('');
        }
        continue;
      }
      throw new SelectorError(`found '${t.lit}', expected: ',', or identifier`, t.pos);
    }
  }

  // "key=" and "key=," are allowed and mean the empty value.
  #exactValue(): Set<string> {
    const la = this.#peek(true);
    if (la.tok === 'eos' || la.tok === ',') return new Set(['']);
    const t = this.#next(true);
    if (t.tok === 'id') return new Set([t.lit]);
    throw new SelectorError(`found '${t.lit}', expected: identifier`, t.pos);
  }
}

const OPERATOR_TOKENS: Partial<Record<Tok, Operator>> = {
  in: 'in',
  notin: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt',
};

/**
 * Parses the string form used by ?labelSelector= and `kubectl -l`, e.g.
 * "app=web,env in (dev,prod),!canary,tier". An empty (or all-blank) string is
 * the empty selector, which matches everything.
 */
export function parseSelector(s: string): Selector {
  return new Selector(new Parser(s).parse());
}

/** Equality on every pair; an empty or missing set matches everything. Not validated, as in Kubernetes. */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  if (!set) return everything;
  const keys = Object.keys(set);
  if (keys.length === 0) return everything;
  return new Selector(keys.map((key) => ({ key, operator: '=' as const, values: [set[key] as string] })));
}

const EXPRESSION_OPERATORS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelector semantics: null/undefined selects nothing, a selector
 * with neither matchLabels nor matchExpressions selects everything, otherwise
 * every matchLabels pair and every expression must hold.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return nothing;
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels).sort(compareStrings);
  if (labelKeys.length + expressions.length === 0) return everything;
  const reqs: Requirement[] = labelKeys.map((k) => newRequirement(k, '=', [matchLabels[k] as string]));
  for (const expr of expressions) {
    const op = Object.prototype.hasOwnProperty.call(EXPRESSION_OPERATORS, expr.operator) ? EXPRESSION_OPERATORS[expr.operator] : undefined;
    if (op === undefined) throw new SelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, expr.values ?? []));
  }
  return new Selector(reqs);
}

/**
 * The string Kubernetes derives from a LabelSelector for Deployment/ReplicaSet
 * status.selector and the scale subresource: canonical form, "" for both a nil
 * and an empty selector. Throws SelectorError if the selector is invalid.
 */
export function labelSelectorToString(ls: LabelSelector | null | undefined): string {
  return selectorFromLabelSelector(ls).toString();
}
