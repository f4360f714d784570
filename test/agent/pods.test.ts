// The agent runs pods through the fake runtime against a real API server:
// status, events, restart policies, CrashLoopBackOff, init containers, image
// pull errors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPod, podEvents, podSpec, running, startAgentEnv, waitPod, cond, type AgentEnv } from './support.ts';

describe('agent: pods', () => {
  let env: AgentEnv;
  before(async () => {
    env = await startAgentEnv();
  });
  after(async () => {
    await env?.stop();
  });

  test('a pod runs: status, conditions and events as the kubelet writes them', async () => {
    await createPod(env, podSpec('web', { containers: [{ name: 'web', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] }));
    const p = await waitPod(env, 'web', (p) => running(p) && cond(p, 'Ready') === 'True', 'Running and Ready');
    const s = p.status!;
    assert.equal(s.qosClass, 'BestEffort');
    assert.ok(s.podIP && /^10\.244\./.test(s.podIP), `podIP ${s.podIP}`);
    assert.deepEqual(s.podIPs, [{ ip: s.podIP }]);
    assert.ok(s.hostIP);
    assert.ok(s.startTime);
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.name, 'web');
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.image, 'busybox:1.36');
    assert.match(cs.imageID, /^sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID!, /^fake:\/\/[0-9a-f]{64}$/);
    assert.deepEqual(
      s.conditions!.map((c) => [c.type, c.status]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['Ready', 'True'],
        ['ContainersReady', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    const evs = await podEvents(env, 'web');
    assert.deepEqual(
      evs.map((e) => [e.type, e.reason, e.message]),
      [
        ['Normal', 'Pulled', 'Container image "busybox:1.36" already present on machine'],
        ['Normal', 'Created', 'Created container: web'],
        ['Normal', 'Started', 'Started container web'],
      ],
    );
    assert.equal(evs[0]!.involvedObject.fieldPath, 'spec.containers{web}');
    assert.equal(evs[0]!.source?.component, 'kubelet');
    assert.equal(evs[0]!.source?.host, 'node-a');
  });

  test('restartPolicy matrix: Never, OnFailure and Always after exit 0 and exit 1', async () => {
    const cases: { policy: 'Never' | 'OnFailure' | 'Always'; code: number; phase: string; restarts: boolean }[] = [
      { policy: 'Never', code: 0, phase: 'Succeeded', restarts: false },
      { policy: 'Never', code: 1, phase: 'Failed', restarts: false },
      { policy: 'OnFailure', code: 0, phase: 'Succeeded', restarts: false },
      { policy: 'OnFailure', code: 1, phase: 'Running', restarts: true },
      { policy: 'Always', code: 0, phase: 'Running', restarts: true },
      { policy: 'Always', code: 1, phase: 'Running', restarts: true },
    ];
    for (const c of cases) {
      const name = `rp-${c.policy.toLowerCase()}-${c.code}`;
      await createPod(env, podSpec(name, { restartPolicy: c.policy, containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', `exit ${c.code}`] }] }));
    }
    for (const c of cases) {
      const name = `rp-${c.policy.toLowerCase()}-${c.code}`;
      if (c.restarts) {
        const p = await waitPod(env, name, (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'restarted');
        assert.equal(p.status!.phase, c.phase, name);
        const last = p.status!.containerStatuses![0]!.lastState?.terminated ?? p.status!.containerStatuses![0]!.state?.terminated;
        assert.equal(last?.exitCode, c.code, name);
        assert.equal(last?.reason, c.code === 0 ? 'Completed' : 'Error', name);
      } else {
        const p = await waitPod(env, name, (p) => p.status?.phase === c.phase, c.phase);
        const cs = p.status!.containerStatuses![0]!;
        assert.equal(cs.restartCount, 0, name);
        assert.equal(cs.state?.terminated?.exitCode, c.code, name);
        assert.equal(cs.state?.terminated?.reason, c.code === 0 ? 'Completed' : 'Error', name);
        assert.equal(cond(p, 'Ready'), 'False');
        if (c.phase === 'Succeeded') assert.equal(p.status!.conditions!.find((x) => x.type === 'Ready')!.reason, 'PodCompleted');
        // Finished pods keep their (stopped) container until deleted.
        const all = await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } });
        assert.equal(all.length, 1);
        assert.equal(all[0]!.state, 'exited');
      }
    }
  });

  test('CrashLoopBackOff: restarts rise, the back-off doubles, events say so', async () => {
    await createPod(env, podSpec('crash', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo dying; exit 3'] }] }));
    const p = await waitPod(env, 'crash', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'CrashLoopBackOff');
    const cs = p.status!.containerStatuses![0]!;
    assert.match(cs.state!.waiting!.message!, /^back-off \d+(\.\d+)?m?s restarting failed container=c pod=crash_default\([0-9a-f-]+\)$/);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.ready, false);
    const later = await waitPod(env, 'crash', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3, 'three restarts', 15_000);
    assert.equal(later.status!.phase, 'Running');
    // The back-off doubles: restarts 1, 2, 3 wait 0, 300 and 600 ms with the test's 300 ms base, so
    // from the third restart on the newest instance started at least 600 ms after the previous one ended.
    const [newest, previous] = (await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid! } })).sort((a, b) => b.createdAt - a.createdAt);
    assert.ok(newest!.startedAt - previous!.finishedAt >= 550, `gap ${newest!.startedAt - previous!.finishedAt} ms`);
    const evs = await podEvents(env, 'crash');
    const backoff = evs.find((e) => e.reason === 'BackOff');
    assert.ok(backoff, 'a BackOff event');
    assert.equal(backoff!.type, 'Warning');
    assert.equal(backoff!.message, `Back-off restarting failed container c in pod crash_default(${p.metadata!.uid})`);
    const created = evs.find((e) => e.reason === 'Created')!;
    assert.ok((created.count ?? 1) >= 2, 'repeated Created events fold into one with a count');
  });

  test('init containers run in order before the app containers', async () => {
    env.runtime.images.addPresent('busybox:1.36');
    await createPod(
      env,
      podSpec('init', {
        initContainers: [
          { name: 'one', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 0.2'] },
          { name: 'two', image: 'busybox:1.36', command: ['true'] },
        ],
        containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      }),
    );
    const pending = await waitPod(env, 'init', (p) => p.status?.initContainerStatuses?.[0]?.state?.running !== undefined, 'first init running');
    assert.equal(pending.status!.phase, 'Pending');
    assert.equal(cond(pending, 'Initialized'), 'False');
    assert.equal(pending.status!.conditions!.find((c) => c.type === 'Initialized')!.message, 'containers with incomplete status: [one two]');
    assert.equal(pending.status!.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
    assert.equal(pending.status!.initContainerStatuses![1]!.state?.waiting?.reason, 'ContainerCreating');
    const p = await waitPod(env, 'init', running, 'Running');
    const [one, two] = p.status!.initContainerStatuses!;
    assert.equal(one!.state?.terminated?.reason, 'Completed');
    assert.equal(two!.state?.terminated?.reason, 'Completed');
    assert.ok(Date.parse(one!.state!.terminated!.finishedAt!) <= Date.parse(two!.state!.terminated!.startedAt!));
    assert.ok(Date.parse(two!.state!.terminated!.finishedAt!) <= Date.parse(p.status!.containerStatuses![0]!.state!.running!.startedAt!));
    assert.equal(cond(p, 'Initialized'), 'True');
  });

  test('a failing init container fails a Never pod and is retried with back-off otherwise', async () => {
    await createPod(env, podSpec('init-never', { restartPolicy: 'Never', initContainers: [{ name: 'bad', image: 'busybox:1.36', command: ['false'] }], containers: [{ name: 'app', image: 'busybox:1.36' }] }));
    await createPod(env, podSpec('init-always', { initContainers: [{ name: 'bad', image: 'busybox:1.36', command: ['false'] }], containers: [{ name: 'app', image: 'busybox:1.36' }] }));
    const never = await waitPod(env, 'init-never', (p) => p.status?.phase === 'Failed', 'Failed');
    assert.equal(never.status!.initContainerStatuses![0]!.state?.terminated?.exitCode, 1);
    const always = await waitPod(env, 'init-always', (p) => p.status?.initContainerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'init CrashLoopBackOff');
    assert.equal(always.status!.phase, 'Pending');
    assert.equal(always.status!.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  });

  test('a missing image: ErrImagePull, then ImagePullBackOff, with the kubelet events', async () => {
    await createPod(env, podSpec('noimage', { containers: [{ name: 'c', image: 'nosuch/image:1' }] }));
    await waitPod(env, 'noimage', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
    const p = await waitPod(env, 'noimage', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 'ImagePullBackOff');
    assert.match(p.status!.containerStatuses![0]!.state!.waiting!.message!, /^Back-off pulling image "nosuch\/image:1": ErrImagePull: .*not found/);
    assert.equal(p.status!.phase, 'Pending');
    const evs = await podEvents(env, 'noimage');
    const msgs = evs.map((e) => `${e.type} ${e.reason} ${e.message}`);
    assert.ok(msgs.includes('Normal Pulling Pulling image "nosuch/image:1"'), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('Warning Failed Failed to pull image "nosuch/image:1": ')), msgs.join('\n'));
    assert.ok(msgs.includes('Warning Failed Error: ErrImagePull'), msgs.join('\n'));
    assert.ok(msgs.includes('Normal BackOff Back-off pulling image "nosuch/image:1"'), msgs.join('\n'));
    assert.ok(msgs.includes('Warning Failed Error: ImagePullBackOff'), msgs.join('\n'));
  });

  test('pull policies: a pulled image reports its pull; Never with an absent image is ErrImageNeverPull', async () => {
    await createPod(env, podSpec('pulled', { containers: [{ name: 'c', image: 'nginx:1.27' }] }));
    await waitPod(env, 'pulled', running, 'Running');
    const evs = await podEvents(env, 'pulled');
    const pulled = evs.find((e) => e.reason === 'Pulled')!;
    assert.match(pulled.message!, /^Successfully pulled image "nginx:1\.27" in \d+(\.\d+)?m?s \(\d+(\.\d+)?m?s including waiting\)\. Image size: \d+ bytes\.$/);
    await createPod(env, podSpec('neverpull', { containers: [{ name: 'c', image: 'absent:2', imagePullPolicy: 'Never' }] }));
    const p = await waitPod(env, 'neverpull', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull', 'ErrImageNeverPull');
    assert.equal(p.status!.containerStatuses![0]!.state!.waiting!.message, 'Container image "absent:2" is not present with pull policy of Never');
  });

  test('a command that does not exist: RunContainerError, then CrashLoopBackOff; other pods are untouched', async () => {
    await createPod(env, podSpec('nocmd', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['/no/such/binary'] }] }));
    const p = await waitPod(env, 'nocmd', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'CrashLoopBackOff');
    const cs = p.status!.containerStatuses![0]!;
    assert.equal(cs.lastState?.terminated?.reason, 'StartError');
    assert.equal(cs.lastState?.terminated?.exitCode, 128);
    assert.match(cs.lastState!.terminated!.message!, /executable file not found in \$PATH/);
    const evs = await podEvents(env, 'nocmd');
    assert.ok(evs.some((e) => e.reason === 'Failed' && /^Error: .*"\/no\/such\/binary": executable file not found/.test(e.message!)));
    const web = await waitPod(env, 'web', running, 'still Running');
    assert.equal(web.status!.containerStatuses![0]!.restartCount, 0);
  });

  test('OOM: a container over its memory limit is shown OOMKilled with exit 137', async () => {
    await createPod(env, podSpec('oom', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['tail', '/dev/zero'], resources: { limits: { memory: '16Mi' } } }] }));
    const p = await waitPod(env, 'oom', (p) => p.status?.phase === 'Failed', 'Failed');
    const t = p.status!.containerStatuses![0]!.state!.terminated!;
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
    assert.equal(p.status!.qosClass, 'Burstable');
  });
});
