// Pod state (pods.ts) and the scale-down order (ranking.ts), one fixture for both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { byCreation, isBeingDeleted, isPodAvailable, isPodTerminal, isPodTerminating, msUntilAvailable, podIsActive } from './pods.ts';
import { compareActivePods, podsToDelete } from './ranking.ts';

const T = '2024-05-01T10:00:00Z';
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; cost?: number; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, creationTimestamp: o.created ?? T, annotations: o.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) }, deletionTimestamp: o.deleting ? T : undefined },
    spec: { nodeName: o.node, containers: [] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? T }],
      containerStatuses: [{ name: 'c', image: '', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

test('least valuable first: the ActivePods ordering, one rule per row', () => {
  const rows: [string, Pod, Pod][] = [
    ['unassigned before assigned', pod('a'), pod('b', { node: 'n' })],
    ['Pending before Running', pod('a', { node: 'n', phase: 'Pending' }), pod('b', { node: 'n' })],
    ['Unknown before Running', pod('a', { node: 'n', phase: 'Unknown' }), pod('b', { node: 'n' })],
    ['not ready before ready', pod('a', { node: 'n', ready: false }), pod('b', { node: 'n', ready: true })],
    ['lower deletion cost first', pod('a', { node: 'n', ready: true, cost: -5 }), pod('b', { node: 'n', ready: true })],
    ['ready more recently first', pod('a', { node: 'n', ready: true, readySince: '2024-05-01T11:00:00Z' }), pod('b', { node: 'n', ready: true })],
    ['more restarts first', pod('a', { node: 'n', ready: true, restarts: 3 }), pod('b', { node: 'n', ready: true })],
    ['newer first', pod('a', { node: 'n', ready: true, created: '2024-05-02T00:00:00Z' }), pod('b', { node: 'n', ready: true })],
  ];
  for (const [name, worse, better] of rows) {
    assert.ok(compareActivePods(worse, better) < 0, name);
    assert.ok(compareActivePods(better, worse) > 0, `${name} (reversed)`);
  }
});

test('podsToDelete picks the n least valuable; a crowded node breaks ties', () => {
  const ps = [pod('ready', { node: 'n1', ready: true }), pod('pending', { phase: 'Pending' }), pod('unready', { node: 'n1', ready: false })];
  assert.deepEqual(podsToDelete(ps, 2).map((p) => p.metadata!.name), ['pending', 'unready']);
  assert.deepEqual(podsToDelete(ps, 0), []);
  const spread = [pod('alone', { node: 'n1', ready: true }), pod('crowd1', { node: 'n2', ready: true }), pod('crowd2', { node: 'n2', ready: true })];
  const rank = (p: Pod) => (p.spec!.nodeName === 'n2' ? 2 : 1);
  assert.equal(podsToDelete(spread, 1, rank)[0]!.metadata!.name?.startsWith('crowd'), true);
});

test('available means ready for minReadySeconds; active means not terminal or terminating', () => {
  const now = Date.parse(T) + 5000;
  assert.ok(isPodAvailable(pod('a', { ready: true }), 5, now));
  assert.ok(!isPodAvailable(pod('a', { ready: true }), 6, now));
  assert.ok(isPodAvailable(pod('a', { ready: true }), 0, now));
  assert.ok(!isPodAvailable(pod('a', { ready: false }), 0, now));
  assert.ok(podIsActive(pod('a')));
  assert.ok(!podIsActive(pod('a', { phase: 'Succeeded' })));
  assert.ok(!podIsActive(pod('a', { deleting: true })));
});

test('no transition time: available only without minReadySeconds; time left until available', () => {
  const now = Date.parse(T) + 2000;
  const noTime = pod('a', { ready: true });
  delete noTime.status!.conditions![0]!.lastTransitionTime;
  assert.ok(isPodAvailable(noTime, 0, now));
  assert.ok(!isPodAvailable(noTime, 1, now), 'Kubernetes: a zero transition time is never long enough ago');
  assert.equal(msUntilAvailable(noTime, 1, now), 0);
  assert.equal(msUntilAvailable(pod('a', { ready: true }), 5, now), 3000);
  assert.equal(msUntilAvailable(pod('a', { ready: true }), 1, now), 0);
  assert.equal(msUntilAvailable(pod('a', { ready: false }), 5, now), 0);
});

test('terminal is a phase; being deleted is a deletion timestamp; terminating is both but not terminal; oldest first, then by name', () => {
  assert.ok(isPodTerminal(pod('a', { phase: 'Failed' })) && isPodTerminal(pod('a', { phase: 'Succeeded' })));
  assert.ok(!isPodTerminal(pod('a', { deleting: true })));
  assert.ok(isBeingDeleted(pod('a', { deleting: true, phase: 'Succeeded' })));
  assert.ok(!isPodTerminating(pod('a', { deleting: true, phase: 'Succeeded' })), 'a finished pod being deleted has nothing left to stop');
  assert.ok(isPodTerminating(pod('a', { deleting: true })));
  const ps = [pod('b', { created: '2024-05-02T00:00:00Z' }), pod('c'), pod('a', { created: '2024-05-02T00:00:00Z' })];
  assert.deepEqual(ps.sort(byCreation).map((p) => p.metadata!.name), ['c', 'a', 'b']);
});
