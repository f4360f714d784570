// The build context: the directory `skiff build` was given, minus what
// .dockerignore excludes (with @balena/dockerignore, Docker's rules). COPY
// and ADD sources are resolved here: globs matched (Go's filepath.Match per
// path segment, plus `**`), paths that climb out of the context refused, and
// what a source holds hashed (names, types, modes, sizes, contents, link
// targets; not mtimes) for the layer cache key.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { posix, join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { BuildError } from './errors.ts';

type Ignore = { add(p: string[]): Ignore; ignores(p: string): boolean };
// A CommonJS module whose typings declare an ES default: take the function either way.
const ignore = ((dockerignore as unknown as { default?: unknown }).default ?? dockerignore) as () => Ignore;

export interface ContextSource {
  /** Path relative to the context root (`.` for the root itself). */
  rel: string;
  isDir: boolean;
}

/** Go's filepath.Match for one path segment: `*`, `?`, `[...]` (with `^`/`!` negation and ranges), `\` escapes. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < seg.length) re += seg[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) throw new BuildError(`syntax error in pattern ${JSON.stringify(seg)}`);
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** Normalizes a source path relative to a root; throws when it climbs out. */
export function cleanSource(src: string, what = 'build context'): string {
  const n = posix.normalize('/' + src);
  const raw = posix.normalize(src.startsWith('/') ? src.slice(1) : src);
  if (raw === '..' || raw.startsWith('../')) throw new BuildError(`forbidden path outside the ${what}: ${src}`);
  return n === '/' ? '.' : n.slice(1);
}

export class BuildContext {
  private constructor(
    readonly root: string,
    private readonly ig: Ignore | undefined,
  ) {}

  /** Opens a context directory and its .dockerignore (`<Dockerfile>.dockerignore` beside the Dockerfile wins, as in BuildKit). */
  static async open(root: string, opts: { dockerfile?: string } = {}): Promise<BuildContext> {
    let st;
    try {
      st = await stat(root);
    } catch {
      throw new BuildError(`build context ${root}: no such directory`);
    }
    if (!st.isDirectory()) throw new BuildError(`build context ${root} is not a directory`);
    let text: string | undefined;
    for (const f of [opts.dockerfile ? `${opts.dockerfile}.dockerignore` : undefined, join(root, '.dockerignore')]) {
      if (!f) continue;
      try {
        text = await readFile(f, 'utf8');
        break;
      } catch {
        // none here
      }
    }
    const lines = text
      ?.split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    return new BuildContext(root, lines?.length ? ignore().add(lines) : undefined);
  }

  /** Whether .dockerignore excludes `rel` (or a directory above it). */
  ignored(rel: string): boolean {
    if (!this.ig || rel === '.' || rel === '') return false;
    return this.ig.ignores(rel);
  }

  /** Resolves a COPY/ADD source (a path or a glob) to what it names; NotFound when nothing matches. */
  async resolve(src: string, keyword = 'COPY'): Promise<ContextSource[]> {
    return resolveIn(this.root, src, { ignored: (r) => this.ignored(r), what: 'build context', keyword });
  }

  /** Content hash of sources as copied (what a cache key needs). */
  async hash(sources: ContextSource[]): Promise<string> {
    return hashTree(this.root, sources, (r) => this.ignored(r));
  }
}

/** Resolves a source path or glob under `root` (a context or another stage's rootfs). */
export async function resolveIn(root: string, src: string, opts: { ignored?: (rel: string) => boolean; what: string; keyword: string }): Promise<ContextSource[]> {
  const ignored = opts.ignored ?? (() => false);
  const clean = cleanSource(src, opts.what);
  const notFound = () => new BuildError(`${opts.keyword} failed: file not found in ${opts.what}${opts.what === 'build context' ? ' or excluded by .dockerignore' : ''}: stat ${src}: file does not exist`);
  if (!hasGlob(clean)) {
    if (ignored(clean)) throw notFound();
    try {
      const st = await stat(join(root, clean));
      return [{ rel: clean, isDir: st.isDirectory() }];
    } catch {
      throw notFound();
    }
  }
  const segs = clean.split('/');
  const out: ContextSource[] = [];
  const walk = async (dir: string, i: number): Promise<void> => {
    if (i === segs.length) {
      if (ignored(dir)) return;
      const st = await stat(join(root, dir)).catch(() => null);
      if (st) out.push({ rel: dir, isDir: st.isDirectory() });
      return;
    }
    const seg = segs[i]!;
    const base = dir === '.' ? '' : dir + '/';
    if (seg === '**') {
      await walk(dir, i + 1);
      for (const e of await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(base + e.name, i);
      }
      return;
    }
    if (!hasGlob(seg)) return walk(base + seg, i + 1);
    const re = segmentRegExp(seg);
    const names = (await readdir(join(root, dir)).catch(() => [] as string[])).sort();
    for (const n of names) if (re.test(n)) await walk(base + n, i + 1);
  };
  await walk('.', 0);
  const uniq = [...new Map(out.map((s) => [s.rel, s])).values()];
  if (uniq.length === 0) throw notFound();
  return uniq;
}

/** sha256 over names, types, modes, sizes, contents and link targets of the sources' trees. */
export async function hashTree(root: string, sources: ContextSource[], ignored: (rel: string) => boolean = () => false): Promise<string> {
  const h = createHash('sha256');
  const file = async (p: string) => {
    await new Promise<void>((resolve, reject) => {
      const s = createReadStream(p);
      s.on('data', (c) => h.update(c));
      s.on('end', resolve);
      s.on('error', reject);
    });
  };
  const visit = async (rel: string, follow: boolean): Promise<void> => {
    const p = join(root, rel);
    const st = follow ? await stat(p) : await lstat(p);
    h.update(`\0${rel}\0${st.mode.toString(8)}\0`);
    if (st.isSymbolicLink()) h.update(await readlink(p));
    else if (st.isFile()) {
      h.update(`${st.size}\0`);
      await file(p);
    } else if (st.isDirectory()) {
      for (const n of (await readdir(p)).sort()) {
        const r = rel === '.' ? n : `${rel}/${n}`;
        if (!ignored(r)) await visit(r, false);
      }
    }
  };
  for (const s of sources) await visit(s.rel, true);
  return 'sha256:' + h.digest('hex');
}
