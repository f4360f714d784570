// Reads a seccomp profile file (a Localhost profile) into the OCI form runc
// takes. Accepts what the kubelet's users write: the Docker/containerd
// profile format (`names` or `name`, `archMap`, `includes`/`excludes` by
// capability and architecture, `minKernel`) and the plain OCI
// `linux.seccomp` object. Everything is checked, so a bad profile fails the
// container's creation with a message naming the problem rather than runc's.

import type { OciSeccomp, OciSeccompAction, OciSeccompArg, OciSeccompSyscall } from './oci.ts';
import { seccompArchitectures } from './seccomp.ts';

export class SeccompProfileError extends Error {
  override name = 'SeccompProfileError';
}

const ACTIONS = new Set<string>(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);
const OPS = new Set<string>(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);
const ARCHES = new Set<string>([
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_RISCV64',
]);
const FLAGS = new Set<string>(['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']);

export interface ProfileContext {
  /** The container's capabilities (kernel names), for `includes.caps`/`excludes.caps`. */
  capabilities: string[];
  /** Node's process.arch; decides `archMap` and `includes.arches`. */
  arch?: string;
  /** Running kernel (`6.1.0-...`), for `includes.minKernel`; absent = every minimum met. */
  kernel?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SeccompProfileError(`${what} must be a list of strings`);
  return v as string[];
}

function action(v: unknown, what: string): OciSeccompAction {
  if (v === 'SCMP_ACT_NOTIFY') throw new SeccompProfileError(`${what}: SCMP_ACT_NOTIFY needs a seccomp agent, which this node does not run`);
  if (typeof v !== 'string' || !ACTIONS.has(v)) throw new SeccompProfileError(`${what}: unknown action ${JSON.stringify(v)} (one of ${[...ACTIONS].join(', ')})`);
  return v as OciSeccompAction;
}

function errno(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4095) throw new SeccompProfileError(`${what}: errnoRet must be an integer from 0 to 4095`);
  return v;
}

function arg(v: unknown, what: string): OciSeccompArg {
  if (!isObject(v)) throw new SeccompProfileError(`${what} must be an object`);
  const { index, value, valueTwo, op } = v;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) throw new SeccompProfileError(`${what}.index must be 0 to 5`);
  for (const [k, n] of [['value', value], ['valueTwo', valueTwo]] as const) {
    if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0)) throw new SeccompProfileError(`${what}.${k} must be a non-negative integer`);
  }
  if (typeof value !== 'number') throw new SeccompProfileError(`${what}.value is required`);
  if (typeof op !== 'string' || !OPS.has(op)) throw new SeccompProfileError(`${what}: unknown op ${JSON.stringify(op)} (one of ${[...OPS].join(', ')})`);
  return { index, value, ...(typeof valueTwo === 'number' ? { valueTwo } : {}), op: op as OciSeccompArg['op'] };
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const parse = (s: string) => (/^(\d+)\.(\d+)/.exec(s) ?? []).slice(1).map(Number);
  const [a = 0, b = 0] = parse(kernel);
  const [x, y] = parse(min);
  if (x === undefined || y === undefined) throw new SeccompProfileError(`minKernel ${JSON.stringify(min)} is not of the form <major>.<minor>`);
  return a > x || (a === x && b >= y);
}

/** Whether a Docker-format rule's includes/excludes hold for this container. */
function applies(rule: Json, what: string, ctx: ProfileContext, nativeArch: string | undefined): boolean {
  for (const key of ['includes', 'excludes'] as const) {
    const f = rule[key];
    if (f === undefined || f === null) continue;
    if (!isObject(f)) throw new SeccompProfileError(`${what}.${key} must be an object`);
    const caps = stringList(f.caps, `${what}.${key}.caps`);
    const arches = stringList(f.arches, `${what}.${key}.arches`);
    const hasCap = caps.some((c) => ctx.capabilities.includes(c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`));
    const archNames = nativeArch ? [nativeArch] : [];
    const onArch = arches.some((a) => archNames.includes(a) || archNames.includes(`SCMP_ARCH_${a.toUpperCase()}`) || archAlias(a) === nativeArch);
    if (key === 'includes') {
      if (caps.length && !hasCap) return false;
      if (arches.length && !onArch) return false;
      if (typeof f.minKernel === 'string' && ctx.kernel && !kernelAtLeast(ctx.kernel, f.minKernel)) return false;
    } else {
      if (caps.length && hasCap) return false;
      if (arches.length && onArch) return false;
    }
  }
  return true;
}

/** Docker's short architecture names (`amd64`, `arm64`...) to seccomp's. */
function archAlias(a: string): string | undefined {
  return ({ amd64: 'SCMP_ARCH_X86_64', x86_64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', aarch64: 'SCMP_ARCH_AARCH64', '386': 'SCMP_ARCH_X86', x86: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM' } as Record<string, string>)[a];
}

/** Parses a profile file's text into the OCI form, keeping the rules that apply to this container. */
export function parseSeccompProfile(text: string, ctx: ProfileContext): OciSeccomp {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SeccompProfileError(`not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new SeccompProfileError('the profile must be a JSON object');
  const known = new Set(['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'flags', 'listenerPath', 'listenerMetadata']);
  const unknown = Object.keys(doc).filter((k) => !known.has(k));
  if (unknown.length) throw new SeccompProfileError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  if (doc.listenerPath) throw new SeccompProfileError('listenerPath needs a seccomp agent, which this node does not run');
  const defaultAction = action(doc.defaultAction, 'defaultAction');
  const defaultErrnoRet = errno(doc.defaultErrnoRet, 'defaultErrnoRet');
  const native = seccompArchitectures(ctx.arch)?.[0];

  let architectures = stringList(doc.architectures, 'architectures');
  if (doc.archMap !== undefined && doc.archMap !== null) {
    if (!Array.isArray(doc.archMap)) throw new SeccompProfileError('archMap must be a list');
    for (const [i, m] of doc.archMap.entries()) {
      if (!isObject(m) || typeof m.architecture !== 'string') throw new SeccompProfileError(`archMap[${i}] needs an architecture`);
      const subs = stringList(m.subArchitectures, `archMap[${i}].subArchitectures`);
      if (m.architecture === native) architectures = [...new Set([...architectures, m.architecture, ...subs])];
    }
  }
  for (const a of architectures) if (!ARCHES.has(a)) throw new SeccompProfileError(`unknown architecture ${JSON.stringify(a)}`);
  const flags = stringList(doc.flags, 'flags');
  for (const f of flags) if (!FLAGS.has(f)) throw new SeccompProfileError(`unknown flag ${JSON.stringify(f)}`);

  if (doc.syscalls !== undefined && doc.syscalls !== null && !Array.isArray(doc.syscalls)) throw new SeccompProfileError('syscalls must be a list');
  const syscalls: OciSeccompSyscall[] = [];
  for (const [i, r] of ((doc.syscalls as unknown[] | undefined) ?? []).entries()) {
    const what = `syscalls[${i}]`;
    if (!isObject(r)) throw new SeccompProfileError(`${what} must be an object`);
    const names = [...stringList(r.names, `${what}.names`), ...(r.name !== undefined ? stringList([r.name], `${what}.name`) : [])];
    if (!names.length || names.some((n) => !/^[a-z_][a-z0-9_]*$/.test(n))) throw new SeccompProfileError(`${what} needs syscall names (lower-case identifiers)`);
    const act = action(r.action, what);
    const ret = errno(r.errnoRet, what);
    if (r.args !== undefined && r.args !== null && !Array.isArray(r.args)) throw new SeccompProfileError(`${what}.args must be a list`);
    const args = ((r.args as unknown[] | undefined) ?? []).map((a, j) => arg(a, `${what}.args[${j}]`));
    if (!applies(r, what, ctx, native)) continue;
    syscalls.push({ names, action: act, ...(ret !== undefined ? { errnoRet: ret } : {}), ...(args.length ? { args } : {}) });
  }
  return {
    defaultAction,
    ...(defaultErrnoRet !== undefined ? { defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    ...(flags.length ? { flags } : {}),
    syscalls,
  };
}
