// The fake engine's "processes": a tiny interpreter for the commands pods
// commonly run with busybox (sh -c scripts, sleep, echo, exit, touch, rm,
// cat, test, printenv, trap, httpd, nc, tail /dev/zero), so the same pod
// specs that run on the real engine behave alike here. Nothing is spawned:
// a process is an async function over a per-container file view, writing
// stdout/stderr lines through callbacks. Cheap enough for hollow nodes: a
// process that sleeps holds one timer, one that runs forever holds none.

/** How a fake process ended. */
export interface ExitOutcome {
  exitCode: number;
  reason?: 'OOMKilled';
}

/** A listening port of a fake process: gets the raw request bytes, answers the response bytes (null = close). */
export type PortHandler = (request: Buffer) => Buffer | string | null | Promise<Buffer | string | null>;

/** The file view of one container: its mounts, then a private in-memory root. */
export interface FakeFs {
  read(path: string): string | undefined;
  write(path: string, data: string, append?: boolean): void;
  exists(path: string): boolean;
  remove(path: string): void;
}

export interface ProcessContext {
  env: Map<string, string>;
  stdout(line: string): void;
  stderr(line: string): void;
  fs: FakeFs;
  memoryLimitBytes?: number;
  /** Aborted when the process is killed. */
  signal: AbortSignal;
  /** The process asked to ignore SIGTERM (`trap "" TERM`). */
  ignoreTerm(): void;
  listen(port: number, handler: PortHandler): void;
}

/** Programs the fake engine knows (by basename); anything else fails to start as runc would. */
export const PROGRAMS = new Set(['sh', 'bash', 'ash', 'sleep', 'echo', 'true', 'false', 'touch', 'rm', 'cat', 'test', '[', 'printenv', 'env', 'httpd', 'nc', 'tail', 'exit', 'trap', 'mkdir', 'date', 'hostname', 'pause', 'wget']);

export function programKnown(argv0: string): boolean {
  return PROGRAMS.has(basename(argv0));
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

class Killed extends Error {}

class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Resolves after ms, rejects with Killed when the signal aborts first. Infinite waits hold no timer. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Killed());
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      reject(new Killed());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(ms)) {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      timer.unref();
    }
  });
}

/** Splits a shell word list, honouring single and double quotes and backslashes. */
export function tokenize(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      cur += s.slice(i + 1, j < 0 ? s.length : j);
      i = j < 0 ? s.length : j;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        cur += s[j];
      }
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

type Connector = ';' | '&&' | '||';

/** Splits a script into simple commands and the connectors before each (outside quotes). */
function splitScript(script: string): { cmd: string; before: Connector }[] {
  const parts: { cmd: string; before: Connector }[] = [];
  let cur = '';
  let before: Connector = ';';
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      cur += c;
      continue;
    }
    const two = script.slice(i, i + 2);
    if (two === '&&' || two === '||' || c === ';' || c === '\n') {
      if (cur.trim()) parts.push({ cmd: cur.trim(), before });
      before = two === '&&' || two === '||' ? two : ';';
      if (two === '&&' || two === '||') i++;
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) parts.push({ cmd: cur.trim(), before });
  return parts;
}

/** $VAR, ${VAR} and $? in a script line (single-quoted text is left alone). */
function expand(line: string, env: Map<string, string>, status: number): string {
  let out = '';
  let single = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") single = !single;
    if (c !== '$' || single) {
      out += c;
      continue;
    }
    const rest = line.slice(i + 1);
    const m = /^(\?|\{([A-Za-z_][A-Za-z0-9_]*)\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (!m) {
      out += c;
      continue;
    }
    const name = m[2] ?? m[1]!;
    out += name === '?' ? String(status) : (env.get(name) ?? '');
    i += m[0].length;
  }
  return out;
}

function parseDuration(s: string): number {
  if (s === 'infinity' || s === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(s);
  if (!m) return NaN;
  const mult = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

/** Runs argv (already resolved from command/args/image) until it exits or is killed (then throws). */
export async function runProgram(argv: string[], ctx: ProcessContext): Promise<ExitOutcome> {
  try {
    const code = await runCommand(argv, ctx, 0);
    return { exitCode: code };
  } catch (e) {
    if (e instanceof ExitRequest) return { exitCode: e.code };
    if (e instanceof OomKill) return { exitCode: 137, reason: 'OOMKilled' };
    throw e;
  }
}

class OomKill extends Error {}

async function runScript(script: string, ctx: ProcessContext): Promise<number> {
  let status = 0;
  for (const { cmd, before } of splitScript(script)) {
    if (before === '&&' && status !== 0) continue;
    if (before === '||' && status === 0) continue;
    let words = tokenize(expand(cmd, ctx.env, status));
    // Redirections of echo/cat/printenv output: `> file`, `>> file`.
    let redirect: { path: string; append: boolean } | undefined;
    const r = words.findIndex((w) => w === '>' || w === '>>');
    if (r >= 0 && words[r + 1]) {
      redirect = { path: words[r + 1]!, append: words[r] === '>>' };
      words = [...words.slice(0, r), ...words.slice(r + 2)];
    } else {
      const glued = words.findIndex((w) => /^>>?[^>]/.test(w));
      if (glued >= 0) {
        const w = words[glued]!;
        redirect = { path: w.replace(/^>>?/, ''), append: w.startsWith('>>') };
        words = [...words.slice(0, glued), ...words.slice(glued + 1)];
      }
    }
    if (words.length === 0) continue;
    if (!PROGRAMS.has(basename(words[0]!))) {
      ctx.stderr(`sh: ${words[0]}: not found`);
      status = 127;
      continue;
    }
    if (redirect) {
      const lines: string[] = [];
      const sub: ProcessContext = { ...ctx, stdout: (l) => lines.push(l) };
      status = await runCommand(words, sub, status);
      const text = lines.map((l) => l + '\n').join('');
      ctx.fs.write(redirect.path, text, redirect.append);
    } else {
      status = await runCommand(words, ctx, status);
    }
  }
  return status;
}

async function runCommand(argv: string[], ctx: ProcessContext, status: number): Promise<number> {
  const [cmd0, ...args] = argv;
  switch (basename(cmd0 ?? '')) {
    case 'sh':
    case 'bash':
    case 'ash': {
      const c = args.indexOf('-c');
      if (c >= 0 && args[c + 1] !== undefined) return runScript(args[c + 1]!, ctx);
      // An interactive shell with no terminal reads stdin: at EOF it exits 0.
      return 0;
    }
    case 'exit':
      throw new ExitRequest(Number(args[0] ?? status) & 0xff);
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'sleep': {
      const ms = parseDuration(args[0] ?? '');
      if (Number.isNaN(ms)) {
        ctx.stderr(`sleep: invalid number '${args[0] ?? ''}'`);
        return 1;
      }
      await sleep(ms, ctx.signal);
      return 0;
    }
    case 'pause':
      await sleep(Infinity, ctx.signal);
      return 0;
    case 'echo': {
      const n = args[0] === '-n';
      ctx.stdout((n ? args.slice(1) : args).join(' '));
      return 0;
    }
    case 'date':
      ctx.stdout(new Date().toUTCString());
      return 0;
    case 'hostname':
      ctx.stdout(ctx.env.get('HOSTNAME') ?? 'localhost');
      return 0;
    case 'touch':
      for (const p of args) if (!ctx.fs.exists(p)) ctx.fs.write(p, '');
      return 0;
    case 'mkdir':
      return 0;
    case 'rm':
      for (const p of args.filter((a) => !a.startsWith('-'))) ctx.fs.remove(p);
      return 0;
    case 'cat': {
      let code = 0;
      for (const p of args) {
        const data = ctx.fs.read(p);
        if (data === undefined) {
          ctx.stderr(`cat: can't open '${p}': No such file or directory`);
          code = 1;
        } else {
          for (const l of data.replace(/\n$/, '').split('\n')) ctx.stdout(l);
        }
      }
      return code;
    }
    case 'test':
    case '[': {
      const a = args.filter((x) => x !== ']');
      if ((a[0] === '-f' || a[0] === '-e' || a[0] === '-d') && a[1]) return ctx.fs.exists(a[1]) ? 0 : 1;
      if (a[1] === '=' || a[1] === '==') return a[0] === a[2] ? 0 : 1;
      if (a[1] === '!=') return a[0] !== a[2] ? 0 : 1;
      return a.length === 1 && a[0] !== '' ? 0 : 1;
    }
    case 'printenv':
      if (args.length === 0) {
        for (const [k, v] of ctx.env) ctx.stdout(`${k}=${v}`);
        return 0;
      }
      for (const k of args) if (ctx.env.has(k)) ctx.stdout(ctx.env.get(k)!);
      return args.every((k) => ctx.env.has(k)) ? 0 : 1;
    case 'env':
      for (const [k, v] of ctx.env) ctx.stdout(`${k}=${v}`);
      return 0;
    case 'trap':
      // `trap "" TERM` (or a handler) keeps SIGTERM from ending the process.
      if (args.slice(1).some((s) => /^(TERM|SIGTERM|15)$/.test(s))) ctx.ignoreTerm();
      return 0;
    case 'tail':
      if (args.includes('/dev/zero')) {
        // Reads an endless line into memory: with a limit, the OOM killer ends it.
        if (ctx.memoryLimitBytes !== undefined) {
          await sleep(20, ctx.signal);
          throw new OomKill();
        }
        await sleep(Infinity, ctx.signal);
      }
      if (args.includes('-f')) await sleep(Infinity, ctx.signal);
      return 0;
    case 'httpd': {
      const p = args.indexOf('-p');
      const port = Number(p >= 0 ? args[p + 1] : 80);
      const h = args.indexOf('-h');
      const root = h >= 0 ? args[h + 1]! : '/www';
      ctx.listen(port, (req) => {
        const path = /^[A-Z]+ (\S+)/.exec(req.toString('latin1'))?.[1] ?? '/';
        const file = root.replace(/\/$/, '') + (path === '/' ? '/index.html' : path.split('?')[0]);
        const body = ctx.fs.read(file);
        return body === undefined ? httpResponse(404, 'Not Found\n') : httpResponse(200, body);
      });
      await sleep(Infinity, ctx.signal);
      return 0;
    }
    case 'nc': {
      const p = args.indexOf('-p');
      if (args.includes('-l') || args.includes('-lk')) {
        const port = Number(p >= 0 ? args[p + 1] : args[args.length - 1]);
        ctx.listen(port, () => null);
        await sleep(Infinity, ctx.signal);
      }
      return 0;
    }
    case 'wget':
      ctx.stderr('wget: the fake engine has no network');
      return 1;
    default:
      ctx.stderr(`sh: ${cmd0}: not found`);
      return 127;
  }
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** An HTTP/1.1 response that closes the connection. */
export function httpResponse(status: number, body = '', headers: Record<string, string> = {}): string {
  const b = Buffer.from(body);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}\r\nContent-Type: text/plain\r\nContent-Length: ${b.length}\r\nConnection: close\r\n${extra}\r\n${body}`;
}

export { Killed };
