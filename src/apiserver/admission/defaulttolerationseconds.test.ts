import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { admitDefaultTolerationSeconds } from './defaulttolerationseconds.ts';

const pod = (tolerations?: Pod['spec'] extends infer S ? (S extends { tolerations?: infer T } ? T : never) : never): Pod => ({ spec: { containers: [{ name: 'c' }], tolerations } });

describe('DefaultTolerationSeconds admission', () => {
  test('adds 300 s tolerations of not-ready and unreachable', () => {
    const p = pod();
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(p.spec!.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  test('keeps a toleration the pod already has for a taint, and adds only the other', () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6 };
    const p = pod([own]);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(p.spec!.tolerations, [own, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  });

  test('a toleration of everything (operator Exists, no key) covers both', () => {
    const p = pod([{ operator: 'Exists' }]);
    admitDefaultTolerationSeconds(p);
    assert.deepEqual(p.spec!.tolerations, [{ operator: 'Exists' }]);
  });

  test('a NoSchedule toleration of the same key does not count', () => {
    const p = pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }]);
    admitDefaultTolerationSeconds(p);
    assert.equal(p.spec!.tolerations!.length, 3);
  });
});
