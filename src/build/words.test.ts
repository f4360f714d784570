// Docker's word processing, table-driven: quotes, escapes and every
// substitution form the builder supports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValues, processWord, processWords, WordError } from './words.ts';

const vars = new Map([
  ['A', 'apple'],
  ['E', ''],
  ['P', '/usr/local/lib.tar.gz'],
]);

test('processWord: substitutions, quotes and escapes as Docker does them', () => {
  const rows: [string, string][] = [
    ['$A', 'apple'],
    ['${A}', 'apple'],
    ['${A}s', 'apples'],
    ['$A-x', 'apple-x'],
    ['$UNSET', ''],
    ['${UNSET:-dflt}', 'dflt'],
    ['${E:-dflt}', 'dflt'],
    ['${E-dflt}', ''],
    ['${UNSET-dflt}', 'dflt'],
    ['${A:+alt}', 'alt'],
    ['${E:+alt}', ''],
    ['${E+alt}', 'alt'],
    ['${UNSET:-${A}}', 'apple'],
    ['${P#*/}', 'usr/local/lib.tar.gz'],
    ['${P##*/}', 'lib.tar.gz'],
    ['${P%.*}', '/usr/local/lib.tar'],
    ['${P%%.*}', '/usr/local/lib'],
    ["'$A'", '$A'],
    ['"$A b"', 'apple b'],
    ['"a \\"q\\" \\$A"', 'a "q" $A'],
    ['\\$A', '$A'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['a $ b', 'a $ b'],
  ];
  for (const [input, want] of rows) assert.equal(processWord(input, vars), want, input);
  assert.equal(processWord('`$A', vars, '`'), '$A', 'the escape directive changes the escape character');
});

test('processWord: errors name what is wrong', () => {
  assert.throws(() => processWord('${UNSET:?is required}', vars), (e: unknown) => e instanceof WordError && e.message === 'UNSET: is required');
  assert.throws(() => processWord('${A', vars), /missing '}'/);
  assert.throws(() => processWord("'open", vars), /single-quote/);
  assert.throws(() => processWord('${}', vars), /bad substitution/);
  assert.throws(() => processWord('${A/x/y}', vars), /unsupported modifier/);
});

test('parseKeyValues: KEY=value pairs with quotes, and the legacy KEY value form', () => {
  assert.deepEqual(parseKeyValues('A=1 B="two words" C=${A}x', vars), [
    ['A', '1'],
    ['B', 'two words'],
    ['C', 'applex'],
  ]);
  assert.deepEqual(parseKeyValues('GREETING hello there  world', vars), [['GREETING', 'hello there  world']]);
  assert.throws(() => parseKeyValues('A=1 B', vars), /can't find = in "B"/);
  assert.deepEqual(processWords('a.txt  $A/*.conf /dst/', vars), ['a.txt', 'apple/*.conf', '/dst/']);
});
