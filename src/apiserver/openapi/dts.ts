// A reader for the declaration files of the `kubernetes-types` package: just
// enough TypeScript to read `import {..} from`, `export interface` and
// `export type`, with their JSDoc. The files are generated and regular, so a
// small tokenizer beats loading the TypeScript compiler at run time.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';

export type TypeExpr =
  | { k: 'prim'; name: 'string' | 'number' | 'boolean' | 'any' }
  | { k: 'lit'; value: string }
  | { k: 'ref'; name: string }
  | { k: 'array'; of: TypeExpr }
  | { k: 'map'; of: TypeExpr }
  | { k: 'union'; of: TypeExpr[] };

export interface Member {
  name: string;
  optional: boolean;
  doc?: string;
  type: TypeExpr;
}

export interface Decl {
  name: string;
  doc?: string;
  /** Members for an interface; absent for a type alias. */
  members?: Member[];
  /** The aliased type for `export type X = ...`. */
  alias?: TypeExpr;
}

export interface Module {
  /** "core/v1", "meta/v1", "runtime", "api/resource". */
  id: string;
  decls: Map<string, Decl>;
  /** Imported name -> module id it comes from. */
  imports: Map<string, string>;
}

type Tok = { t: 'doc' | 'id' | 'str' | 'p'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { i = src.indexOf('\n', i); if (i < 0) break; continue; }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      if (src[i + 2] === '*') out.push({ t: 'doc', v: cleanDoc(src.slice(i + 3, end)) });
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(src.slice(i, i + 200));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    out.push({ t: 'p', v: c });
    i++;
  }
  return out;
}

/** JSDoc body to plain text: drop the leading ` * ` of each line, keep paragraphs. */
function cleanDoc(body: string): string {
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  return lines.join('\n').trim();
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(off = 0): Tok | undefined { return this.toks[this.i + off]; }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new Error('unexpected end of declarations');
    return t;
  }
  private is(v: string, off = 0): boolean { const t = this.peek(off); return !!t && t.t !== 'str' && t.t !== 'doc' && t.v === v; }
  private expect(v: string): void {
    const t = this.next();
    if (t.v !== v || t.t === 'str') throw new Error(`expected '${v}', found '${t.v}'`);
  }
  private ident(): string {
    const t = this.next();
    if (t.t !== 'id' && t.t !== 'str') throw new Error(`expected a name, found '${t.v}'`);
    return t.v;
  }
  private docs(): string | undefined {
    let doc: string | undefined;
    while (this.peek()?.t === 'doc') doc = this.next().v;
    return doc;
  }

  parseFile(id: string): Module {
    const mod: Module = { id, decls: new Map(), imports: new Map() };
    while (this.peek()) {
      const doc = this.docs();
      if (!this.peek()) break;
      if (this.is('import')) {
        this.next();
        this.expect('{');
        const names: string[] = [];
        while (!this.is('}')) { names.push(this.ident()); if (this.is(',')) this.next(); }
        this.expect('}');
        this.expect('from');
        const from = this.next().v;
        if (this.is(';')) this.next();
        const target = posix.normalize(posix.join(posix.dirname(id), from));
        for (const n of names) mod.imports.set(n, target);
        continue;
      }
      this.expect('export');
      if (this.is('interface')) {
        this.next();
        const name = this.ident();
        this.expect('{');
        mod.decls.set(name, { name, doc, members: this.members() });
        this.expect('}');
      } else if (this.is('type')) {
        this.next();
        const name = this.ident();
        this.expect('=');
        const alias = this.type();
        if (this.is(';')) this.next();
        mod.decls.set(name, { name, doc, alias });
      } else {
        throw new Error(`unsupported declaration '${this.peek()?.v}' in ${id}`);
      }
    }
    return mod;
  }

  private members(): Member[] {
    const out: Member[] = [];
    for (;;) {
      const doc = this.docs();
      if (this.is('}')) return out;
      if (this.is('readonly') && !this.is(':', 1) && !this.is('?', 1)) this.next();
      const name = this.ident();
      const optional = this.is('?');
      if (optional) this.next();
      this.expect(':');
      out.push({ name, optional, doc, type: this.type() });
      if (this.is(';') || this.is(',')) this.next();
    }
  }

  private type(): TypeExpr {
    const of = [this.postfix()];
    while (this.is('|')) { this.next(); of.push(this.postfix()); }
    return of.length === 1 ? of[0]! : { k: 'union', of };
  }

  private postfix(): TypeExpr {
    let t = this.primary();
    while (this.is('[') && this.is(']', 1)) { this.next(); this.next(); t = { k: 'array', of: t }; }
    return t;
  }

  private primary(): TypeExpr {
    const t = this.next();
    if (t.t === 'str') return { k: 'lit', value: t.v };
    if (t.v === '(') { const inner = this.type(); this.expect(')'); return inner; }
    if (t.v === '{') {
      // Only index signatures appear: { [name: string]: T; }
      this.expect('[');
      this.ident();
      this.expect(':');
      this.ident();
      this.expect(']');
      this.expect(':');
      const of = this.type();
      if (this.is(';')) this.next();
      this.expect('}');
      return { k: 'map', of };
    }
    if (t.t !== 'id') throw new Error(`unexpected '${t.v}' in a type`);
    if (t.v === 'string' || t.v === 'number' || t.v === 'boolean' || t.v === 'any') return { k: 'prim', name: t.v };
    if (t.v === 'unknown' || t.v === 'object') return { k: 'prim', name: 'any' };
    if (t.v === 'Array' && this.is('<')) {
      this.next();
      const of = this.type();
      this.expect('>');
      return { k: 'array', of };
    }
    return { k: 'ref', name: t.v };
  }
}

export function parseDeclarations(id: string, source: string): Module {
  return new Parser(tokenize(source)).parseFile(id);
}

let root: string | undefined;

/** The installed kubernetes-types package directory. */
export function kubernetesTypesRoot(): string {
  root ??= dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
  return root;
}

const modules = new Map<string, Module>();

/** Reads and parses one module ("apps/v1") of kubernetes-types, once. */
export function loadModule(id: string): Module {
  let mod = modules.get(id);
  if (!mod) {
    const file = join(kubernetesTypesRoot(), `${id}.d.ts`);
    mod = parseDeclarations(id, readFileSync(file, 'utf8'));
    modules.set(id, mod);
  }
  return mod;
}
