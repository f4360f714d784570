import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { podPhase } from './status.ts';

const running: ContainerStatus = { name: 'c', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } };
const exited = (code: number): ContainerStatus => ({ ...running, state: { terminated: { exitCode: code } } });
const crashing = (code: number): ContainerStatus => ({ ...running, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: code } } });
const creating: ContainerStatus = { ...running, state: { waiting: { reason: 'ContainerCreating' } } };
const pod = (restartPolicy: string, init = 0): Pod => ({ spec: { restartPolicy, initContainers: Array.from({ length: init }, (_, i) => ({ name: `i${i}` })), containers: [{ name: 'c' }] } });

test('phase as the kubelet computes it', () => {
  const rows: [string, string, ContainerStatus[], ContainerStatus[], boolean, string][] = [
    ['nothing started', 'Always', [], [creating], false, 'Pending'],
    ['running', 'Always', [], [running], false, 'Running'],
    ['Always, exited 0', 'Always', [], [exited(0)], false, 'Running'],
    ['Never, exited 0', 'Never', [], [exited(0)], false, 'Succeeded'],
    ['Never, exited 1', 'Never', [], [exited(1)], false, 'Failed'],
    ['OnFailure, exited 0', 'OnFailure', [], [exited(0)], false, 'Succeeded'],
    ['OnFailure, crashing', 'OnFailure', [], [crashing(1)], false, 'Running'],
    ['init running', 'Always', [running], [creating], false, 'Pending'],
    ['init failed, Never', 'Never', [exited(1)], [creating], false, 'Failed'],
    ['init failed, Always', 'Always', [crashing(1)], [creating], false, 'Pending'],
    ['deleted while running, SIGTERM', 'Always', [], [exited(143)], true, 'Failed'],
    ['deleted after exit 0', 'Always', [], [exited(0)], true, 'Succeeded'],
  ];
  for (const [name, policy, init, app, terminal, want] of rows) assert.equal(podPhase(pod(policy, init.length), init, app, terminal), want, name);
});
