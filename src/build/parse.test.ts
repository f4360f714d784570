// The Dockerfile reader: stages, global ARGs, continuation lines, heredocs,
// JSON forms and the errors that name a line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './parse.ts';
import { planStages } from './plan.ts';
import { BuildError } from './errors.ts';

const DF = `# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM \${BASE} AS build
RUN echo a \\
    && echo b
RUN <<-EOF
\techo heredoc
EOF
FROM build AS test
CMD ["sh", "-c", "echo hi"]
FROM scratch AS out
COPY --from=build --chmod=755 /bin/busybox /bin/
ENTRYPOINT echo shell form
`;

test('stages, global ARGs, lines, flags, continuations, heredocs and JSON forms', () => {
  const df = parseDockerfile(DF);
  assert.equal(df.globalArgs.length, 1);
  assert.deepEqual(df.stages.map((s) => [s.name, s.from.line]), [['build', 3], ['test', 9], ['out', 11]]);
  const [run1, run2] = df.stages[0]!.instructions;
  assert.equal(run1!.line, 4);
  assert.equal(run1!.args, 'echo a     && echo b');
  assert.deepEqual(run2!.heredocs, [{ name: 'EOF', content: 'echo heredoc\n', quoted: false, stripTabs: true }]);
  assert.deepEqual(df.stages[1]!.instructions[0]!.json, ['sh', '-c', 'echo hi']);
  const copy = df.stages[2]!.instructions[0]!;
  assert.deepEqual(copy.flags, [['from', 'build'], ['chmod', '755']]);
  assert.equal(copy.args, '/bin/busybox /bin/');
  assert.equal(df.stages[2]!.instructions[1]!.json, undefined);
});

test('errors name the file and line', () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(() => parseDockerfile(text, 'app/Dockerfile'), (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.match(e.message, re);
      return true;
    });
  bad('FROM a\n\nBOGUS x\n', /^app\/Dockerfile:3: unknown instruction: BOGUS$/);
  bad('ENV A=1\nFROM a\n', /^app\/Dockerfile:1: no build stage in current context/);
  bad('FROM a AS x\nFROM b AS x\n', /^app\/Dockerfile:2: duplicate stage name "x"$/);
  bad('FROM a AS 1x\n', /invalid name for build stage/);
  bad('FROM a b\n', /FROM requires either one or three arguments/);
  bad('# only a comment\n', /has no FROM instruction/);
  bad('FROM a\nRUN --bogus true\n', /^app\/Dockerfile:2: unknown flag: --bogus/);
});

test('planStages: the target and what it needs, nothing else', () => {
  const df = parseDockerfile('FROM busybox AS a\nFROM busybox AS b\nFROM a AS c\nCOPY --from=1 /x /x\nFROM busybox AS d\n');
  const p = planStages(df, new Map(), 'c');
  assert.deepEqual([...p.needed].sort(), [0, 1, 2]);
  assert.equal(p.steps, 4);
  assert.deepEqual(p.bases.get(2), { kind: 'stage', index: 0 });
  assert.deepEqual([...planStages(df, new Map()).needed], [3]);
  assert.throws(() => planStages(parseDockerfile('FROM busybox\nCOPY --from=3 /x /x\n'), new Map()), /invalid stage index 3/);
  const withArg = planStages(parseDockerfile('ARG V=1.36\nFROM busybox:${V}\n'), new Map([['V', '1.36']]));
  assert.deepEqual(withArg.bases.get(0), { kind: 'image', ref: 'busybox:1.36' });
});
