// The instructions that change only the image config (ENV, LABEL, EXPOSE,
// VOLUME, USER, CMD, ENTRYPOINT, SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD,
// MAINTAINER) and the small parsers they share (Go durations, signals,
// --chown, --chmod). Pure: the builder calls these with values already
// expanded.

import type { OciImageConfig } from '../engine/images.ts';
import { parseGroup, parsePasswd } from '../engine/spec/user.ts';
import { BuildError } from './errors.ts';

export type ImageConfigBody = NonNullable<OciImageConfig['config']>;

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const i = out.findIndex((e) => e.split('=')[0] === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

export function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq < 0) m.set(e, '');
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

/** EXPOSE words (`80`, `80/tcp`, `53/udp`, `8000-8002`) as ExposedPorts keys. */
export function exposedPorts(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw new BuildError(`invalid port ${JSON.stringify(w)}: EXPOSE takes PORT[-END][/tcp|udp|sctp]`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (a < 1 || b > 65535 || b < a) throw new BuildError(`invalid port range ${JSON.stringify(w)}`);
    for (let p = a; p <= b; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  }
  return out;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
export function parseDuration(s: string, flag: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || s === '') throw new BuildError(`invalid duration for --${flag}: ${JSON.stringify(s)} (use Go durations such as 30s, 1m30s, 500ms)`);
  return Math.round(total);
}

export function healthcheck(args: string, json: string[] | undefined, flags: [string, string | null][]): ImageConfigBody['Healthcheck'] {
  const t = args.trim();
  const word = t.split(/\s+/)[0]?.toUpperCase();
  if (word === 'NONE') {
    if (t.split(/\s+/).length > 1 || flags.length) throw new BuildError('HEALTHCHECK NONE takes no other arguments');
    return { Test: ['NONE'] };
  }
  if (word !== 'CMD') throw new BuildError(`HEALTHCHECK takes CMD or NONE, got ${JSON.stringify(t.split(/\s+/)[0] ?? '')}`);
  const rest = t.slice(3).trim();
  if (rest === '') throw new BuildError('HEALTHCHECK CMD needs a command');
  let inner: string[] | undefined;
  if (rest.startsWith('[')) {
    try {
      const v = JSON.parse(rest) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) inner = v;
    } catch {
      inner = undefined;
    }
  }
  void json;
  const hc: NonNullable<ImageConfigBody['Healthcheck']> = { Test: inner ? ['CMD', ...inner] : ['CMD-SHELL', rest] };
  for (const [name, value] of flags) {
    const v = value ?? '';
    if (name === 'retries') {
      if (!/^\d+$/.test(v)) throw new BuildError(`invalid --retries ${JSON.stringify(v)}: a whole number`);
      hc.Retries = Number(v);
      continue;
    }
    const ns = parseDuration(v, name);
    if (ns !== 0 && ns < 1e6) throw new BuildError(`--${name} cannot be less than 1ms`);
    if (name === 'interval') hc.Interval = ns;
    else if (name === 'timeout') hc.Timeout = ns;
    else if (name === 'start-period') hc.StartPeriod = ns;
    else if (name === 'start-interval') (hc as Record<string, unknown>).StartInterval = ns;
  }
  return hc;
}

const SIGNALS = ['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS'];

export function checkSignal(s: string): string {
  if (/^\d+$/.test(s) && Number(s) > 0 && Number(s) < 65) return s;
  const up = s.toUpperCase().replace(/^SIG/, '');
  if (SIGNALS.includes(up) || /^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$/.test(up)) return s;
  throw new BuildError(`invalid signal: ${s}`);
}

/** --chmod: octal only (`755`, `0644`). */
export function parseChmod(v: string | null): number {
  if (v === null || !/^[0-7]{3,4}$/.test(v)) throw new BuildError(`invalid --chmod ${JSON.stringify(v)}: give octal permissions such as 755 or 0644`);
  return parseInt(v, 8);
}

/** --chown USER[:GROUP] against the image's passwd/group; a user without a group takes its uid as gid, as Docker does. */
export function parseChown(v: string | null, passwd: string | undefined, group: string | undefined): { uid: number; gid: number } {
  if (v === null || v === '') throw new BuildError('--chown needs USER[:GROUP]');
  const [u, g] = v.split(':', 2) as [string, string | undefined];
  let uid: number;
  if (/^\d+$/.test(u)) uid = Number(u);
  else {
    const e = parsePasswd(passwd ?? '').find((p) => p.name === u);
    if (!e) throw new BuildError(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
    uid = e.uid;
  }
  let gid = uid;
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const e = parseGroup(group ?? '').find((x) => x.name === g);
      if (!e) throw new BuildError(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
      gid = e.gid;
    }
  }
  return { uid, gid };
}

/** CMD/ENTRYPOINT/RUN: the exec form as given, the shell form run by SHELL. */
export function commandOf(args: string, json: string[] | undefined, shell: string[]): string[] {
  return json ?? [...shell, args];
}
