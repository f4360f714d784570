// Docker's word processing for Dockerfile arguments: quotes, the escape
// character, and variable substitution ($VAR, ${VAR}, ${VAR:-word},
// ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?msg}, ${VAR?msg},
// ${VAR#pat}, ${VAR##pat}, ${VAR%pat}, ${VAR%%pat}) as the builder applies
// them to ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME,
// WORKDIR and ARG. Unset variables expand to the empty string. Pure.

export type Vars = ReadonlyMap<string, string>;

export class WordError extends Error {
  override name = 'WordError';
}

const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly vars: Vars,
    private readonly escape: string,
  ) {}

  private peek(): string | undefined {
    return this.s[this.i];
  }

  /** Reads until `stop` (unquoted, unescaped) or the end; returns the processed text. */
  word(stop?: string): string {
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (stop !== undefined && ch === stop) return out;
      if (ch === "'") out += this.single();
      else if (ch === '"') out += this.double();
      else if (ch === '$') out += this.dollar();
      else if (ch === this.escape) {
        this.i++;
        if (this.i < this.s.length) out += this.s[this.i++];
        else out += ch;
      } else {
        out += ch;
        this.i++;
      }
    }
    if (stop !== undefined) throw new WordError(`missing '${stop}' in ${JSON.stringify(this.s)}`);
    return out;
  }

  private single(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new WordError(`unexpected end of statement while looking for matching single-quote in ${JSON.stringify(this.s)}`);
    const v = this.s.slice(this.i, end);
    this.i = end + 1;
    return v;
  }

  private double(): string {
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === '$') out += this.dollar();
      else if (ch === this.escape) {
        const next = this.s[this.i + 1];
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.i += 2;
        } else {
          out += ch;
          this.i++;
        }
      } else {
        out += ch;
        this.i++;
      }
    }
    throw new WordError(`unexpected end of statement while looking for matching double-quote in ${JSON.stringify(this.s)}`);
  }

  private name(): string {
    let n = '';
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i]!)) n += this.s[this.i++];
    return n;
  }

  private dollar(): string {
    this.i++;
    const ch = this.peek();
    if (ch === '{') {
      this.i++;
      const name = this.name();
      if (name === '') throw new WordError(`bad substitution in ${JSON.stringify(this.s)}: expected a variable name after '\${'`);
      const value = this.vars.get(name);
      const op = this.peek();
      if (op === '}') {
        this.i++;
        return value ?? '';
      }
      const two = this.s.slice(this.i, this.i + 2);
      for (const o of [':-', ':+', ':?', '##', '%%']) {
        if (two === o) {
          this.i += 2;
          return this.modifier(o, name, value);
        }
      }
      if (op === undefined) throw new WordError(`missing '}' in ${JSON.stringify(this.s)}`);
      if (op === '-' || op === '+' || op === '?' || op === '#' || op === '%') {
        this.i++;
        return this.modifier(op, name, value);
      }
      throw new WordError(`unsupported modifier (${op}) in substitution of ${name} in ${JSON.stringify(this.s)}`);
    }
    if (ch !== undefined && NAME_CHAR.test(ch)) {
      const name = this.name();
      return this.vars.get(name) ?? '';
    }
    return '$';
  }

  private modifier(op: string, name: string, value: string | undefined): string {
    const word = this.word('}');
    this.i++; // the closing brace
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (op) {
      case ':-':
        return nonEmpty ? value! : word;
      case '-':
        return set ? value! : word;
      case ':+':
        return nonEmpty ? word : '';
      case '+':
        return set ? word : '';
      case ':?':
        if (!nonEmpty) throw new WordError(`${name}: ${word || 'is not allowed to be unset or empty'}`);
        return value!;
      case '?':
        if (!set) throw new WordError(`${name}: ${word || 'is not allowed to be unset'}`);
        return value!;
      default:
        return trimPattern(value ?? '', op, word);
    }
  }
}

/** `#`/`##` remove the shortest/longest prefix matching a glob, `%`/`%%` the suffix. */
function trimPattern(value: string, op: string, pattern: string): string {
  const re = globRegExp(pattern);
  const n = value.length;
  if (op === '#' || op === '##') {
    const lens = op === '#' ? [...Array(n + 1).keys()] : [...Array(n + 1).keys()].reverse();
    for (const l of lens) if (re.test(value.slice(0, l))) return value.slice(l);
  } else {
    const lens = op === '%' ? [...Array(n + 1).keys()] : [...Array(n + 1).keys()].reverse();
    for (const l of lens) if (re.test(value.slice(n - l))) return value.slice(0, n - l);
  }
  return value;
}

function globRegExp(p: string): RegExp {
  let re = '';
  for (const c of p) re += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, 's');
}

/** Processes one word: removes quotes and escapes, substitutes variables. */
export function processWord(word: string, vars: Vars, escape = '\\'): string {
  return new Lexer(word, vars, escape).word();
}

/**
 * Splits on unquoted whitespace, keeping quotes and escapes in each word (for
 * processWord afterwards): how Docker splits `KEY="a b" K2=c`.
 */
export function splitQuoted(s: string, escape = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      cur += ch;
      if (ch === escape && quote === '"' && i + 1 < s.length) cur += s[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    cur += ch;
    if (ch === escape && i + 1 < s.length) cur += s[++i];
    else if (ch === '"' || ch === "'") quote = ch;
  }
  if (quote) throw new WordError(`unmatched ${quote} in ${JSON.stringify(s)}`);
  if (inWord) words.push(cur);
  return words;
}

/** Whitespace-separated words, each processed (COPY, ADD, EXPOSE, VOLUME... in their non-JSON form). */
export function processWords(s: string, vars: Vars, escape = '\\'): string[] {
  return s
    .split(/[ \t\r\n]+/)
    .filter((w) => w !== '')
    .map((w) => processWord(w, vars, escape));
}

/** `KEY=value KEY2="v 2"` (or the legacy `KEY value with spaces` form) as ordered pairs, values processed. */
export function parseKeyValues(s: string, vars: Vars, escape = '\\', opts: { allowBare?: boolean } = {}): [string, string | undefined][] {
  const words = splitQuoted(s, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=') && !opts.allowBare) {
    // Legacy form: the first word is the key, the rest of the line the value.
    const key = words[0]!;
    const rest = s.trimStart().slice(key.length).trim();
    if (rest === '') throw new WordError(`${key} must have two arguments`);
    return [[key, processWord(rest, vars, escape)]];
  }
  const out: [string, string | undefined][] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) {
      if (!opts.allowBare) throw new WordError(`syntax error - can't find = in "${w}". Must be of the form: name=value`);
      out.push([processWord(w, vars, escape), undefined]);
      continue;
    }
    const key = processWord(w.slice(0, eq), vars, escape);
    if (key === '') throw new WordError(`empty name in "${w}"`);
    out.push([key, processWord(w.slice(eq + 1), vars, escape)]);
  }
  return out;
}
