// The Dockerfile as the builder reads it: `dockerfile-ast` finds
// instructions, their lines, flags, continuation lines, heredocs and the
// escape directive; this file turns them into plain records grouped by stage
// (global ARGs before the first FROM) and refuses what Docker refuses, naming
// the line: unknown instructions, instructions before FROM, bad flags.
// Arguments stay unexpanded here: values depend on ARG/ENV at build time.

import dockerfileAst from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { BuildError } from './errors.ts';

const { DockerfileParser } = dockerfileAst;

export const KEYWORDS = ['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** The flags each instruction takes (`--name[=value]`); anything else is an error, as in Docker. */
const FLAGS: Partial<Record<Keyword, string[]>> = {
  FROM: ['platform'],
  RUN: ['network', 'mount', 'security'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

export interface Heredoc {
  name: string;
  content: string;
  /** `<<"EOF"` or `<<'EOF'`: no variable expansion. */
  quoted: boolean;
  /** `<<-EOF`: leading tabs stripped. */
  stripTabs: boolean;
}

export interface DockerfileInstruction {
  keyword: Keyword;
  /** 1-based line where the instruction starts. */
  line: number;
  /** `--name=value` flags in order (value null for a bare `--name`). */
  flags: [string, string | null][];
  /** Arguments after the flags, continuation lines joined; for a heredoc instruction, its first line only. */
  args: string;
  /** The exec (JSON) form, when the arguments are a JSON array of strings. */
  json?: string[];
  heredocs: Heredoc[];
  /** The instruction as written, on one line, for progress and history. */
  text: string;
}

export interface DockerfileStage {
  index: number;
  /** `AS name`, lower-cased as Docker compares it. */
  name?: string;
  from: DockerfileInstruction;
  instructions: DockerfileInstruction[];
}

export interface ParsedDockerfile {
  file: string;
  escape: string;
  /** ARGs before the first FROM (usable in FROM lines). */
  globalArgs: DockerfileInstruction[];
  stages: DockerfileStage[];
}

function jsonForm(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // Not JSON: Docker falls back to the shell form.
  }
  return undefined;
}

function heredocsOf(ins: Instruction, lines: string[], firstLine: string): Heredoc[] {
  const getter = (ins as unknown as { getHeredocs?: () => { getName(): string; getContentRange(): { start: { line: number }; end: { line: number } } | null }[] }).getHeredocs;
  if (!getter) return [];
  const docs = getter.call(ins);
  const markers = [...firstLine.matchAll(/<<(-?)(["']?)([^\s"'<>|&;]+)\2/g)];
  return docs.map((h) => {
    const r = h.getContentRange();
    const body = r ? lines.slice(r.start.line, r.end.line + 1).join('\n') + '\n' : '';
    const m = markers.find((x) => x[3] === h.getName());
    const stripTabs = m?.[1] === '-';
    return { name: h.getName(), content: stripTabs ? body.replace(/^\t+/gm, '') : body, quoted: Boolean(m?.[2]), stripTabs };
  });
}

function convert(ins: Instruction, lines: string[], file: string): DockerfileInstruction {
  const line = ins.getRange().start.line + 1;
  const keyword = ins.getKeyword().toUpperCase();
  if (!(KEYWORDS as readonly string[]).includes(keyword)) throw new BuildError(`unknown instruction: ${ins.getInstruction()}`, file, line);
  const kw = keyword as Keyword;
  const getFlags = (ins as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags;
  const flags: [string, string | null][] = getFlags ? getFlags.call(ins).map((f) => [f.getName(), f.getValue()]) : [];
  const allowed = FLAGS[kw] ?? [];
  for (const [name] of flags) if (!allowed.includes(name)) throw new BuildError(`unknown flag: --${name} (${kw} takes ${allowed.length ? allowed.map((f) => `--${f}`).join(', ') : 'no flags'})`, file, line);
  const content = ins.getArgumentsContent() ?? '';
  let args = content;
  let heredocs: Heredoc[] = [];
  if ((kw === 'RUN' || kw === 'COPY' || kw === 'ADD') && /<<-?["']?[^\s"']/.test(content.split('\n')[0] ?? '')) {
    args = content.split('\n')[0]!;
    heredocs = heredocsOf(ins, lines, args);
    if (heredocs.length === 0) args = content;
  }
  const json = kw === 'RUN' || kw === 'CMD' || kw === 'ENTRYPOINT' || kw === 'SHELL' || kw === 'VOLUME' || kw === 'COPY' || kw === 'ADD' || kw === 'HEALTHCHECK' ? jsonForm(args) : undefined;
  const flagText = flags.map(([n, v]) => (v === null ? `--${n}` : `--${n}=${v}`)).join(' ');
  const text = `${kw} ${flagText ? flagText + ' ' : ''}${args.replace(/\s*\n\s*/g, ' ')}`.trim();
  return { keyword: kw, line, flags, args, ...(json ? { json } : {}), heredocs, text };
}

/** Parses a Dockerfile's text; `file` names it in errors (`Dockerfile:3: ...`). */
export function parseDockerfile(source: string, file = 'Dockerfile'): ParsedDockerfile {
  const df = DockerfileParser.parse(source);
  const lines = source.split(/\r?\n/);
  const escape = df.getEscapeCharacter();
  const globalArgs: DockerfileInstruction[] = [];
  const stages: DockerfileStage[] = [];
  const names = new Set<string>();
  for (const ins of df.getInstructions()) {
    const i = convert(ins, lines, file);
    if (i.keyword === 'FROM') {
      const words = i.args.trim().split(/\s+/).filter(Boolean);
      let name: string | undefined;
      if (words.length === 3 && words[1]!.toUpperCase() === 'AS') name = words[2]!.toLowerCase();
      else if (words.length !== 1) throw new BuildError(`FROM requires either one or three arguments (image [AS name]), got ${words.length}`, file, i.line);
      if (name !== undefined) {
        if (!/^[a-z][a-z0-9-_.]*$/.test(name)) throw new BuildError(`invalid name for build stage: ${JSON.stringify(words[2])}, name can't start with a number or contain symbols`, file, i.line);
        if (names.has(name)) throw new BuildError(`duplicate stage name ${JSON.stringify(name)}`, file, i.line);
        names.add(name);
      }
      stages.push({ index: stages.length, ...(name !== undefined ? { name } : {}), from: i, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (i.keyword !== 'ARG') throw new BuildError(`no build stage in current context: ${i.keyword} must come after FROM (only ARG may come before it)`, file, i.line);
      globalArgs.push(i);
      continue;
    }
    stage.instructions.push(i);
  }
  if (stages.length === 0) throw new BuildError('the Dockerfile has no FROM instruction; a build needs at least one stage', file);
  return { file, escape, globalArgs, stages };
}

/** Parses one ONBUILD trigger (`RUN echo hi`) as an instruction, reported at `line`. */
export function parseTrigger(trigger: string, file: string, line: number): DockerfileInstruction {
  const df = DockerfileParser.parse(trigger);
  const ins = df.getInstructions();
  if (ins.length !== 1) throw new BuildError(`ONBUILD trigger ${JSON.stringify(trigger)} is not one instruction`, file, line);
  const i = convert(ins[0]!, trigger.split(/\r?\n/), file);
  return { ...i, line };
}
