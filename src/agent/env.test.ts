import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand } from './env.ts';

test('$(VAR) expansion as Kubernetes does it', () => {
  const m = new Map([
    ['A', 'x'],
    ['B', 'y'],
  ]);
  const look = (n: string) => m.get(n);
  const rows: [string, string][] = [
    ['$(A)', 'x'],
    ['$(A)-$(B)', 'x-y'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$A', '$A'],
    ['a$', 'a$'],
    ['$(A', '$(A'],
    ['plain', 'plain'],
  ];
  for (const [input, want] of rows) assert.equal(expand(input, look), want, input);
});
