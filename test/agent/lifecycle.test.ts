// Probes, termination and restart safety through the agent: liveness
// restarts, readiness toggles Ready, startup gates; delete with preStop and
// grace, final status, the agent's own grace-0 delete; a new agent adopts
// running containers and cleans up pods deleted while it was away.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { httpResponse } from '../../src/engine/fake/runtime.ts';
import { cond, createPod, getPod, podEvents, podSpec, running, startAgentEnv, waitPod, type AgentEnv } from './support.ts';
import { waitFor, within } from '../support/wait.ts';

describe('agent: probes, termination, restart safety', () => {
  let env: AgentEnv;
  let healthy = true;
  before(async () => {
    env = await startAgentEnv({
      runtime: {
        images: ['busybox:1.36', 'web:1'],
        behaviours: { 'web:1': { runForever: true, ports: { 8080: () => (healthy ? httpResponse(200, 'ok') : httpResponse(503, 'no')) } } },
      },
    });
  });
  after(async () => {
    await env?.stop();
  });
  const pods = () => env.client.resource<Pod>('v1', 'pods');

  test('liveness: a failing exec probe restarts the container with the kubelet events', async () => {
    await createPod(
      env,
      podSpec('live', {
        containers: [
          {
            name: 'c',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 1; rm -f /tmp/healthy; sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    const p = await waitPod(env, 'live', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'restarted by liveness', 15_000);
    assert.equal(p.status!.containerStatuses![0]!.lastState?.terminated?.exitCode, 143);
    const evs = await podEvents(env, 'live');
    assert.ok(evs.some((e) => e.type === 'Warning' && e.reason === 'Unhealthy' && e.message === "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"), evs.map((e) => e.message).join('\n'));
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container c failed liveness probe, will be restarted'));
  });

  test('readiness: an httpGet probe (through port-forward) toggles the container and pod Ready', async () => {
    healthy = true;
    await createPod(env, podSpec('ready', { containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 } }] }));
    const p = await waitPod(env, 'ready', (p) => cond(p, 'Ready') === 'True', 'Ready');
    assert.equal(cond(p, 'ContainersReady'), 'True');
    healthy = false;
    const q = await waitPod(env, 'ready', (p) => cond(p, 'Ready') === 'False', 'not Ready');
    const r = q.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(r.reason, 'ContainersNotReady');
    assert.equal(r.message, 'containers with unready status: [web]');
    assert.equal(q.status!.containerStatuses![0]!.ready, false);
    assert.equal(q.status!.phase, 'Running');
    const evs = await podEvents(env, 'ready');
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 503'));
    healthy = true;
    await waitPod(env, 'ready', (p) => cond(p, 'Ready') === 'True', 'Ready again');
  });

  test('readiness: a tcpSocket probe on a closed port keeps the pod unready; a listening one makes it ready', async () => {
    await createPod(env, podSpec('tcp', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['nc', '-lk', '-p', '7000'], readinessProbe: { tcpSocket: { port: 7001 }, periodSeconds: 1, failureThreshold: 1 } }] }));
    await createPod(env, podSpec('tcp-ok', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['nc', '-lk', '-p', '7000'], readinessProbe: { tcpSocket: { port: 7000 }, periodSeconds: 1 } }] }));
    await waitPod(env, 'tcp-ok', (p) => cond(p, 'Ready') === 'True', 'Ready');
    const ev = await waitFor(async () => (await podEvents(env, 'tcp')).find((e) => e.reason === 'Unhealthy'), 'Unhealthy', 10_000);
    const p = await getPod(env, 'tcp');
    assert.equal(ev.message, `Readiness probe failed: dial tcp ${p.status!.podIP}:7001: connect: connection refused`);
    assert.equal(cond(p, 'Ready'), 'False');
  });

  test('startup: liveness and readiness wait until the startup probe passes; started follows it', async () => {
    await createPod(
      env,
      podSpec('startup', {
        containers: [
          {
            name: 'c',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'sleep 1; touch /tmp/started; sleep 600'],
            startupProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 10 },
            readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
          },
        ],
      }),
    );
    const early = await waitPod(env, 'startup', running, 'Running');
    assert.equal(early.status!.containerStatuses![0]!.started, false);
    assert.equal(early.status!.containerStatuses![0]!.ready, false);
    const p = await waitPod(env, 'startup', (p) => p.status?.containerStatuses?.[0]?.started === true && p.status.containerStatuses[0].ready, 'started and ready', 10_000);
    assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
  });

  test('delete: preStop hook, SIGTERM ignored until the grace period ends, final status, then the agent deletes the pod', async () => {
    const host = mkdtempSync(join(tmpdir(), 'skiff-prestop-'));
    const pod = await createPod(
      env,
      podSpec('term', {
        terminationGracePeriodSeconds: 3,
        volumes: [{ name: 'h', hostPath: { path: host } }],
        containers: [
          {
            name: 'c',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'trap "" TERM; sleep infinity'],
            volumeMounts: [{ name: 'h', mountPath: '/h' }],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /h/prestop'] } } },
          },
        ],
      }),
    );
    await waitPod(env, 'term', running, 'Running');
    const uid = pod.metadata!.uid!;
    const watch = pods().watch('default', { fieldSelector: 'metadata.name=term', resourceVersion: (await getPod(env, 'term')).metadata!.resourceVersion });
    const seen: { type: string; pod: Pod }[] = [];
    const collecting = (async () => {
      for await (const ev of watch) {
        seen.push({ type: ev.type, pod: ev.object });
        if (ev.type === 'DELETED') break;
      }
    })();
    const t0 = Date.now();
    await pods().delete('default', 'term');
    await within(collecting, 'the pod to be deleted', 15_000);
    const took = Date.now() - t0;
    assert.ok(took >= 2_500, `the grace period was waited out (${took} ms)`);
    assert.equal(readFileSync(join(host, 'prestop'), 'utf8'), 'bye\n');
    const final = seen.filter((e) => e.type === 'MODIFIED').at(-1)!.pod;
    const t = final.status!.containerStatuses![0]!.state?.terminated;
    assert.equal(t?.exitCode, 137, 'killed after the grace period');
    assert.equal(final.status!.phase, 'Failed');
    assert.deepEqual(await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.deepEqual(await env.runtime.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.ok(!existsSync(join(env.dataDir, 'pods', uid)), 'the pod directory is removed');
    const evs = await podEvents(env, 'term');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Stopping container c'));
  });

  test('a new agent adopts running containers without restarting them, and cleans up pods deleted meanwhile', async () => {
    await createPod(env, podSpec('keep', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] }));
    await createPod(env, podSpec('gone', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] }));
    const keep = await waitPod(env, 'keep', running, 'Running');
    const gone = await waitPod(env, 'gone', running, 'Running');
    const before = await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': keep.metadata!.uid! } });
    await env.agent.stop();
    // While no agent runs: the pod is force-deleted (as the node lifecycle controller would).
    await pods().delete('default', 'gone', { gracePeriodSeconds: 0 });
    const next = env.newAgent();
    await next.start();
    await waitFor(async () => (await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': gone.metadata!.uid! } })).length === 0, 'the orphan removed', 10_000);
    const after = await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': keep.metadata!.uid! } });
    assert.deepEqual(
      after.map((c) => [c.id, c.state, c.startedAt]),
      before.map((c) => [c.id, c.state, c.startedAt]),
    );
    const p = await waitPod(env, 'keep', running, 'still Running');
    assert.equal(p.status!.containerStatuses![0]!.restartCount, 0);
    const events = await podEvents(env, 'keep');
    assert.equal(events.filter((e) => e.reason === 'Started').length, 1, 'started once');
    assert.equal(events.find((e) => e.reason === 'Started')!.count ?? 1, 1);
  });
});
