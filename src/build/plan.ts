// Which stages a build needs: the target (--target, else the last stage) and,
// transitively, the stages it starts FROM or copies from (COPY --from=NAME or
// an index). Other stages are skipped. FROM lines are expanded with the
// global ARGs here, once; a FROM naming an earlier stage builds on it.

import { BuildError } from './errors.ts';
import type { ParsedDockerfile } from './parse.ts';
import { processWord } from './words.ts';

export type BaseRef = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface StagePlan {
  target: number;
  needed: Set<number>;
  /** FROM of each needed stage, resolved. */
  bases: Map<number, BaseRef>;
  /** Steps shown as n/N: each needed stage's FROM and instructions. */
  steps: number;
  /** A stage by name or index, as COPY --from names it (undefined: an image). */
  stageRef(value: string, before: number): number | undefined;
}

function definedOnly(vars: ReadonlyMap<string, string | undefined>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of vars) if (v !== undefined) m.set(k, v);
  return m;
}

export function planStages(df: ParsedDockerfile, globals: ReadonlyMap<string, string | undefined>, target?: string): StagePlan {
  const vars = definedOnly(globals);
  const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name!, s.index]));
  const stageRef = (value: string, before: number): number | undefined => {
    const v = value.toLowerCase();
    const named = byName.get(v);
    if (named !== undefined) return named;
    if (/^\d+$/.test(v)) {
      const i = Number(v);
      if (i >= before) throw new BuildError(`invalid stage index ${v}: a stage can only use stages defined before it`);
      return i;
    }
    return undefined;
  };
  let targetIndex = df.stages.length - 1;
  if (target !== undefined) {
    const t = byName.get(target.toLowerCase());
    if (t === undefined) throw new BuildError(`target stage ${JSON.stringify(target)} could not be found`, df.file);
    targetIndex = t;
  }
  const bases = new Map<number, BaseRef>();
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    const st = df.stages[i]!;
    let image: string;
    try {
      image = processWord(st.from.args.trim().split(/\s+/)[0]!, vars, df.escape);
    } catch (e) {
      throw new BuildError((e as Error).message, df.file, st.from.line);
    }
    if (image === '') throw new BuildError(`base name (${st.from.args.trim().split(/\s+/)[0]}) should not be blank`, df.file, st.from.line);
    const byStage = byName.get(image.toLowerCase());
    if (image.toLowerCase() === 'scratch') bases.set(i, { kind: 'scratch' });
    else if (byStage !== undefined && byStage < i) {
      bases.set(i, { kind: 'stage', index: byStage });
      visit(byStage);
    } else if (byStage !== undefined) throw new BuildError(`stage ${JSON.stringify(image)} is defined after the stage that uses it`, df.file, st.from.line);
    else bases.set(i, { kind: 'image', ref: image });
    for (const ins of st.instructions) {
      if (ins.keyword !== 'COPY') continue;
      const from = ins.flags.find(([n]) => n === 'from')?.[1];
      if (from === undefined || from === null) continue;
      let v: string;
      try {
        v = processWord(from, vars, df.escape);
        const ref = stageRef(v, i);
        if (ref === i) throw new BuildError('a stage cannot copy from itself');
        if (ref !== undefined) visit(ref);
      } catch (e) {
        throw new BuildError(e instanceof BuildError ? e.reason : (e as Error).message, df.file, ins.line);
      }
    }
  };
  visit(targetIndex);
  let steps = 0;
  for (const i of needed) steps += 1 + df.stages[i]!.instructions.length;
  return { target: targetIndex, needed, bases, steps, stageRef };
}
