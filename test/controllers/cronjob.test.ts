// The CronJob controller against a real API server. Time is a FakeClock the
// tests step from one start time to the next, so no test waits for a real
// minute (the one real-clock firing is in cronjob-realclock.test.ts).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { Client } from '../../src/client/rest.ts';
import { CronJobController } from '../../src/controllers/cronjob/controller.ts';
import { FakeClock } from '../../src/controllers/util/clock.ts';

const JOB_SPEC = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } } };

function cronJob(name: string, spec: Record<string, unknown> = {}): any {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { app: name } }, spec: JOB_SPEC }, ...spec } };
}

const minute = (t: Date) => Math.floor(t.getTime() / 60_000);

describe('cronjob controller (fake clock)', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let client: Client;
  let clock: FakeClock;
  let ctl: CronJobController;
  const logs: string[] = [];
  let nsN = 0;

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  /** A fresh namespace and controller whose clock starts now; answers the first start time after it. */
  async function setup(): Promise<{ ns: string; t1: Date }> {
    await ctl?.stop();
    const ns = `cj${++nsN}`;
    assert.equal((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
    clock = new FakeClock(new Date());
    ctl = new CronJobController(client, { clock, log: (l) => logs.push(l) });
    await ctl.start();
    return { ns, t1: new Date((minute(clock.now()) + 1) * 60_000) };
  }
  after(async () => ctl?.stop());

  const jobsIn = async (ns: string) => ((await api('GET', `/apis/batch/v1/namespaces/${ns}/jobs`)).body.items as any[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const getCJ = async (ns: string, name: string) => (await api('GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/${name}`)).body;
  const eventsFor = async (ns: string, name: string) => ((await api('GET', `/api/v1/namespaces/${ns}/events`)).body.items as any[]).filter((e) => e.involvedObject.name === name);
  /** Marks a Job finished as the Job controller would. */
  async function finishJob(ns: string, name: string, type: 'Complete' | 'Failed', at: Date) {
    const job = (await api('GET', `/apis/batch/v1/namespaces/${ns}/jobs/${name}`)).body;
    const t = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    job.status = { startTime: job.status?.startTime ?? t, conditions: [{ type, status: 'True', reason: type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded', lastTransitionTime: t, lastProbeTime: t }], ...(type === 'Complete' ? { completionTime: t, succeeded: 1 } : { failed: 1 }) };
    const r = await api('PUT', `/apis/batch/v1/namespaces/${ns}/jobs/${name}/status`, job);
    assert.equal(r.status, 200, r.text);
  }
  const jobsWhen = (ns: string, n: number, what: string): Promise<any[]> =>
    waitFor(async () => {
      const js = await jobsIn(ns);
      return js.length === n ? js : undefined;
    }, what);
  const stepTo = async (t: Date) => clock.step(new Date(t.getTime() + 100));

  test('fires at each start time: job name, annotation, labels, owner; status active and lastScheduleTime (Allow runs them side by side)', async () => {
    const { ns, t1 } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('tick'))).status, 201);
    const cj = await waitFor(async () => (await getCJ(ns, 'tick')).metadata, 'cronjob');
    // Nothing before the first start time; the controller waits on the clock, not a poll.
    await waitFor(() => clock.pending > 0, 'a wake-up at the next start time');
    assert.deepEqual(await jobsIn(ns), []);
    await stepTo(t1);
    const [j1] = await jobsWhen(ns, 1, 'the first job');
    assert.equal(j1.metadata.name, `tick-${minute(t1)}`);
    assert.equal(j1.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], t1.toISOString().replace('.000Z', 'Z'));
    assert.equal(j1.metadata.labels.app, 'tick');
    assert.deepEqual(j1.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.uid, controller: true, blockOwnerDeletion: true }]);
    const st = await waitFor(async () => {
      const c = await getCJ(ns, 'tick');
      return c.status?.active?.length === 1 && c.status;
    }, 'status.active');
    assert.deepEqual(st.active[0].name, j1.metadata.name);
    assert.equal(st.active[0].kind, 'Job');
    assert.equal(st.lastScheduleTime, t1.toISOString().replace('.000Z', 'Z'));

    const t2 = new Date(t1.getTime() + 60_000);
    await stepTo(t2);
    await waitFor(async () => (await jobsIn(ns)).length === 2, 'a second job beside the first');
    await waitFor(async () => (await getCJ(ns, 'tick')).status?.active?.length === 2, 'two active');
    await finishJob(ns, j1.metadata.name, 'Complete', t2);
    const after1 = await waitFor(async () => {
      const c = await getCJ(ns, 'tick');
      return c.status?.active?.length === 1 && c.status;
    }, 'the finished job leaves status.active');
    assert.equal(after1.lastSuccessfulTime, t2.toISOString().replace('.000Z', 'Z'));
    assert.ok((await eventsFor(ns, 'tick')).some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${j1.metadata.name}, condition: Complete`));
  });

  test('Forbid: no second job while one runs; the held start time runs when it finishes', async () => {
    const { ns, t1 } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('solo', { concurrencyPolicy: 'Forbid' }))).status, 201);
    await waitFor(() => clock.pending > 0, 'a wake-up');
    await stepTo(t1);
    await waitFor(async () => (await jobsIn(ns)).length === 1, 'the first job');
    const t2 = new Date(t1.getTime() + 60_000);
    await stepTo(t2);
    await waitFor(async () => (await eventsFor(ns, 'solo')).some((e) => e.reason === 'JobAlreadyActive'), 'the JobAlreadyActive event');
    const ev = (await eventsFor(ns, 'solo')).find((e) => e.reason === 'JobAlreadyActive');
    assert.equal(ev.message, 'Not starting job because prior execution is running and concurrency policy is Forbid');
    assert.equal((await jobsIn(ns)).length, 1);
    await finishJob(ns, `solo-${minute(t1)}`, 'Complete', t2);
    const js = await jobsWhen(ns, 2, 'the held start time to run');
    assert.equal(js[1].metadata.name, `solo-${minute(t2)}`);
  });

  test('Replace: the running job is deleted and the new one takes its place', async () => {
    const { ns, t1 } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('swap', { concurrencyPolicy: 'Replace' }))).status, 201);
    await waitFor(() => clock.pending > 0, 'a wake-up');
    await stepTo(t1);
    await waitFor(async () => (await jobsIn(ns)).length === 1, 'the first job');
    const t2 = new Date(t1.getTime() + 60_000);
    await stepTo(t2);
    await waitFor(async () => {
      const js = await jobsIn(ns);
      return js.length === 1 && js[0].metadata.name === `swap-${minute(t2)}`;
    }, 'only the new job');
    const st = await waitFor(async () => {
      const c = await getCJ(ns, 'swap');
      return c.status?.active?.length === 1 && c.status.active[0].name === `swap-${minute(t2)}` && c.status;
    }, 'status.active holds the new job');
    assert.ok(st);
    assert.ok((await eventsFor(ns, 'swap')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job swap-${minute(t1)}`));
  });

  test('history limits: only the newest successful and failed jobs are kept', async () => {
    const { ns, t1 } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('hist', { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }))).status, 201);
    await waitFor(() => clock.pending > 0, 'a wake-up');
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = new Date(t1.getTime() + i * 60_000);
      await stepTo(t);
      const name = `hist-${minute(t)}`;
      names.push(name);
      await waitFor(async () => (await jobsIn(ns)).some((j) => j.metadata.name === name), `job ${name}`);
      await finishJob(ns, name, i < 2 ? 'Failed' : 'Complete', new Date(t.getTime() + 1000));
    }
    // Failed: names[0], names[1] -> keep names[1]; Complete: names[2..4] -> keep names[3], names[4].
    await waitFor(async () => (await jobsIn(ns)).map((j) => j.metadata.name).join() === [names[1], names[3], names[4]].join(), 'history trimmed', 10_000);
  });

  test('suspend: no job while suspended; startingDeadlineSeconds: a start time too long past is skipped', async () => {
    const { ns, t1 } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('late', { suspend: true, startingDeadlineSeconds: 30 }))).status, 201);
    await waitFor(async () => (await getCJ(ns, 'late')).metadata, 'cronjob');
    await stepTo(t1);
    // Resumed 50 s after its start time, beyond the 30 s deadline: t1 is not started.
    clock.step(new Date(t1.getTime() + 50_000));
    assert.equal((await api('PATCH', `/apis/batch/v1/namespaces/${ns}/cronjobs/late`, { spec: { suspend: false } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    await waitFor(() => clock.pending > 0, 'a wake-up at the next start time');
    assert.deepEqual(await jobsIn(ns), []);
    const t2 = new Date(t1.getTime() + 60_000);
    await stepTo(t2);
    const js = await jobsWhen(ns, 1, 'the job of the next start time');
    assert.equal(js[0].metadata.name, `late-${minute(t2)}`);
  });

  test('too many missed start times: a warning, and only the latest is started', async () => {
    const { ns } = await setup();
    assert.equal((await api('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('behind'))).status, 201);
    await waitFor(() => clock.pending > 0, 'a wake-up');
    const far = new Date((minute(clock.now()) + 300) * 60_000 + 5_000);
    clock.step(far);
    const js = await jobsWhen(ns, 1, 'one job');
    assert.equal(js[0].metadata.name, `behind-${minute(far)}`);
    const ev = await waitFor(async () => (await eventsFor(ns, 'behind')).find((e) => e.reason === 'TooManyMissedTimes'), 'the warning');
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  });

  test('the controller logged no failed sync', () => {
    assert.deepEqual(logs.filter((l) => !/conflict|the object has been modified/i.test(l)), []);
  });
});
