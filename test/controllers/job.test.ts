// The Job and TTL-after-finished controllers against a real API server; the
// test plays the kubelet by writing pod status through pods/status.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { condition, jobManifest, jobPods, setPodStatus } from '../support/batch.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { Client } from '../../src/client/rest.ts';
import { JobController } from '../../src/controllers/job/controller.ts';
import { TTLAfterFinishedController } from '../../src/controllers/job/ttlafterfinished.ts';
import { JOB_TRACKING_FINALIZER } from '../../src/controllers/job/pods.ts';

const NS = 'default';
const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`;

describe('job controller', () => {
  let cluster: TestCluster;
  let api: ReturnType<typeof apiClient>;
  let client: Client;
  let jobs: JobController;
  let ttl: TTLAfterFinishedController;
  const logs: string[] = [];

  before(async () => {
    cluster = await startTestCluster();
    api = apiClient(cluster.kubeconfig);
    client = Client.fromKubeconfig(cluster.kubeconfig);
    jobs = new JobController(client, { backoff: { baseMs: 50, maxMs: 200 }, log: (l) => logs.push(l) });
    ttl = new TTLAfterFinishedController(client, { log: (l) => logs.push(l) });
    await Promise.all([jobs.start(), ttl.start()]);
  });
  after(async () => {
    await Promise.all([jobs?.stop(), ttl?.stop()]);
    client?.close();
    await cluster?.stop();
  });

  const getJob = async (name: string) => (await api('GET', `${JOBS}/${name}`)).body;
  const activePods = async (name: string) => (await jobPods(api, NS, name)).filter((p) => !p.status?.phase || p.status.phase === 'Pending' || p.status.phase === 'Running').filter((p) => !p.metadata.deletionTimestamp);
  const activeWhen = (name: string, n: number, what: string): Promise<any[]> =>
    waitFor(async () => {
      const ps = await activePods(name);
      return ps.length === n ? ps : undefined;
    }, what);

  test('runs to completion with parallelism: pods carry the finalizer and labels; SuccessCriteriaMet then Complete', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('par', { completions: 3, parallelism: 2 }))).status, 201);
    const first = await activeWhen('par', 2, 'two pods of job par');
    const job = await getJob('par');
    for (const p of first) {
      assert.ok(p.metadata.finalizers.includes(JOB_TRACKING_FINALIZER));
      assert.equal(p.metadata.labels['batch.kubernetes.io/job-name'], 'par');
      assert.equal(p.metadata.labels['controller-uid'], job.metadata.uid);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'par', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.match(p.metadata.name, /^par-[a-z0-9]{5}$/);
    }
    await waitFor(async () => (await getJob('par')).status?.active === 2, 'status.active 2');
    for (const p of first) await setPodStatus(api, NS, p.metadata.name, { phase: 'Running' });
    await waitFor(async () => (await getJob('par')).status?.ready === 2, 'status.ready 2');

    await setPodStatus(api, NS, first[0].metadata.name, { phase: 'Succeeded' });
    await setPodStatus(api, NS, first[1].metadata.name, { phase: 'Succeeded' });
    // Only one more is needed for 3 completions.
    const third = await waitFor(async () => {
      const ps = await activePods('par');
      return ps.length === 1 && ps[0];
    }, 'the third pod');
    await waitFor(async () => (await getJob('par')).status?.succeeded === 2, 'succeeded 2');
    await setPodStatus(api, NS, third.metadata.name, { phase: 'Succeeded' });
    const done = await waitFor(async () => {
      const j = await getJob('par');
      return condition(j, 'Complete')?.status === 'True' && j;
    }, 'job par Complete');
    assert.equal(done.status.succeeded, 3);
    assert.equal(done.status.failed, undefined);
    assert.equal(done.status.active, undefined);
    assert.deepEqual(done.status.uncountedTerminatedPods, {});
    assert.ok(done.status.completionTime);
    assert.ok(done.status.startTime);
    assert.deepEqual(
      done.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
      [
        ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
        ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ],
    );
    // Counted pods are let go of, and stay (they are finished, not deleted).
    const pods = await jobPods(api, NS, 'par');
    assert.equal(pods.length, 3);
    for (const p of pods) assert.ok(!(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER));
    const events = (await api('GET', `/api/v1/namespaces/${NS}/events`)).body.items.filter((e: any) => e.involvedObject.name === 'par');
    assert.equal(events.filter((e: any) => e.reason === 'SuccessfulCreate').length, 3);
    assert.ok(events.some((e: any) => e.reason === 'Completed' && e.message === 'Job completed'));
  });

  test('backoffLimit: failed pods are replaced until the limit, then Failed with BackoffLimitExceeded', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('flaky', { backoffLimit: 1 }))).status, 201);
    for (let i = 0; i < 2; i++) {
      const p = await waitFor(async () => (await activePods('flaky'))[0], `pod ${i + 1} of job flaky`);
      await setPodStatus(api, NS, p.metadata.name, { phase: 'Failed', exitCode: 2 });
      await waitFor(async () => (await getJob('flaky')).status?.failed === i + 1, `failed ${i + 1}`);
    }
    const failed = await waitFor(async () => {
      const j = await getJob('flaky');
      return condition(j, 'Failed')?.status === 'True' && j;
    }, 'job flaky Failed');
    assert.equal(condition(failed, 'Failed').reason, 'BackoffLimitExceeded');
    assert.equal(condition(failed, 'Failed').message, 'Job has reached the specified backoff limit');
    assert.equal(condition(failed, 'FailureTarget').reason, 'BackoffLimitExceeded');
    assert.equal(failed.status.failed, 2);
    assert.equal(failed.status.completionTime, undefined);
    assert.equal((await activePods('flaky')).length, 0, 'no pod is started after the Job failed');
    assert.equal((await jobPods(api, NS, 'flaky')).length, 2);
  });

  test('activeDeadlineSeconds: running pods are stopped and the Job fails with DeadlineExceeded', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('slow', { activeDeadlineSeconds: 1, parallelism: 2, completions: 2 }))).status, 201);
    const pods = await activeWhen('slow', 2, 'pods of job slow');
    for (const p of pods) await setPodStatus(api, NS, p.metadata.name, { phase: 'Running' });
    const failed = await waitFor(async () => {
      const j = await getJob('slow');
      return condition(j, 'Failed')?.status === 'True' && j;
    }, 'job slow Failed', 10_000);
    assert.equal(condition(failed, 'Failed').reason, 'DeadlineExceeded');
    assert.equal(condition(failed, 'Failed').message, 'Job was active longer than specified deadline');
    assert.equal(failed.status.failed, 2, 'the stopped pods count as failed');
    const started = Date.parse(failed.status.startTime);
    assert.ok(Date.parse(condition(failed, 'Failed').lastTransitionTime) - started >= 1000);
    // Unbound pods go once their finalizer is off.
    await waitFor(async () => (await jobPods(api, NS, 'slow')).length === 0, 'the stopped pods to be gone');
  });

  test('Indexed: one pod per completion index with hostname and JOB_COMPLETION_INDEX; a failed index is retried; completedIndexes', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }))).status, 201);
    const pods = await activeWhen('idx', 3, 'three indexed pods');
    const byIndex = new Map(pods.map((p) => [p.metadata.annotations['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [i, p] of byIndex) {
      assert.equal(p.metadata.labels['batch.kubernetes.io/job-completion-index'], i);
      assert.equal(p.spec.hostname, `idx-${i}`);
      assert.match(p.metadata.name, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
    }
    await setPodStatus(api, NS, byIndex.get('0').metadata.name, { phase: 'Succeeded' });
    await setPodStatus(api, NS, byIndex.get('2').metadata.name, { phase: 'Succeeded' });
    await setPodStatus(api, NS, byIndex.get('1').metadata.name, { phase: 'Failed' });
    await waitFor(async () => (await getJob('idx')).status?.completedIndexes === '0,2', 'completedIndexes 0,2');
    const retry = await waitFor(async () => {
      const ps = await activePods('idx');
      return ps.length === 1 && ps[0];
    }, 'a new pod for index 1');
    assert.equal(retry.metadata.annotations['batch.kubernetes.io/job-completion-index'], '1');
    await setPodStatus(api, NS, retry.metadata.name, { phase: 'Succeeded' });
    const done = await waitFor(async () => {
      const j = await getJob('idx');
      return condition(j, 'Complete')?.status === 'True' && j;
    }, 'job idx Complete');
    assert.equal(done.status.completedIndexes, '0-2');
    assert.equal(done.status.succeeded, 3);
    assert.equal(done.status.failed, 1);
  });

  test('suspend: a suspended Job starts nothing; resumed, it creates its pods', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('held', { suspend: true, parallelism: 2, completions: 2 }))).status, 201);
    const j = await waitFor(async () => {
      const x = await getJob('held');
      return condition(x, 'Suspended')?.status === 'True' && x;
    }, 'Suspended condition');
    assert.equal(condition(j, 'Suspended').reason, 'JobSuspended');
    assert.equal(j.status.startTime, undefined);
    assert.equal((await jobPods(api, NS, 'held')).length, 0);
    assert.equal((await api('PATCH', `${JOBS}/held`, { spec: { suspend: false } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    await waitFor(async () => (await activePods('held')).length === 2, 'pods after resume');
    const resumed = await waitFor(async () => {
      const x = await getJob('held');
      return condition(x, 'Suspended')?.status === 'False' && x;
    }, 'Suspended False');
    assert.equal(condition(resumed, 'Suspended').reason, 'JobResumed');
    assert.ok(resumed.status.startTime);
    // Suspending again stops the pods without counting them as failures.
    assert.equal((await api('PATCH', `${JOBS}/held`, { spec: { suspend: true } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    await waitFor(async () => (await jobPods(api, NS, 'held')).length === 0, 'pods gone after suspending');
    const again = await waitFor(async () => {
      const x = await getJob('held');
      return condition(x, 'Suspended')?.status === 'True' && x.status.active === undefined && x;
    }, 'suspended again');
    assert.equal(again.status.failed, undefined);
  });

  test('ttlSecondsAfterFinished: the finished Job and its pods are deleted', async () => {
    assert.equal((await api('POST', JOBS, jobManifest('brief', { ttlSecondsAfterFinished: 1 }))).status, 201);
    const p = await waitFor(async () => (await activePods('brief'))[0], 'pod of job brief');
    await setPodStatus(api, NS, p.metadata.name, { phase: 'Succeeded' });
    await waitFor(async () => condition(await getJob('brief'), 'Complete')?.status === 'True', 'job brief Complete');
    assert.equal((await api('GET', `${JOBS}/brief`)).status, 200, 'still there right after it finished');
    await waitFor(async () => (await api('GET', `${JOBS}/brief`)).status === 404, 'job brief deleted after its TTL', 10_000);
    await waitFor(async () => (await jobPods(api, NS, 'brief')).length === 0, 'its pods deleted by the garbage collector', 10_000);
  });

  test('podFailurePolicy: FailJob on a matching exit code fails the Job at once; Ignore does not count', async () => {
    const policy = {
      rules: [
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [3] } },
      ],
    };
    assert.equal((await api('POST', JOBS, jobManifest('policy', { backoffLimit: 5, podFailurePolicy: policy }))).status, 201);
    const p1 = await waitFor(async () => (await activePods('policy'))[0], 'first pod');
    await setPodStatus(api, NS, p1.metadata.name, { phase: 'Failed', exitCode: 42 });
    const p2 = await waitFor(async () => (await activePods('policy'))[0], 'a pod after the ignored failure');
    assert.notEqual(p2.metadata.name, p1.metadata.name);
    assert.equal((await getJob('policy')).status.failed, undefined, 'an ignored failure is not counted');
    await setPodStatus(api, NS, p2.metadata.name, { phase: 'Failed', exitCode: 3 });
    const failed = await waitFor(async () => {
      const j = await getJob('policy');
      return condition(j, 'Failed')?.status === 'True' && j;
    }, 'job policy Failed');
    assert.equal(condition(failed, 'Failed').reason, 'PodFailurePolicy');
    assert.equal(condition(failed, 'Failed').message, `Container main for pod ${NS}/${p2.metadata.name} failed with exit code 3 matching FailJob rule at index 1`);
    assert.equal(failed.status.failed, 1);
  });

  test('kubectl 1.32: create job, get jobs shows STATUS, COMPLETIONS, DURATION', { skip: hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed' }, async () => {
    const kubectl = kubectlRunner('1.32', cluster.kubeconfig);
    const created = await kubectl(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'job.batch/hello created');
    const p = await waitFor(async () => (await activePods('hello'))[0], 'pod of job hello');
    let out = await kubectl(['get', 'jobs', 'hello']);
    assert.match(out.stdout, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    assert.match(out.stdout, /\nhello\s+Running\s+0\/1\s+\d+s\s+\d+s\n/);
    await setPodStatus(api, NS, p.metadata.name, { phase: 'Succeeded' });
    await waitFor(async () => condition(await getJob('hello'), 'Complete')?.status === 'True', 'job hello Complete');
    out = await kubectl(['get', 'jobs', 'hello']);
    assert.match(out.stdout, /\nhello\s+Complete\s+1\/1\s+\d+s\s+\d+s\n/);
    const wait = await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=5s']);
    assert.equal(wait.code, 0, wait.stderr);
    assert.equal(wait.stdout.trim(), 'job.batch/hello condition met');
  });

  test('the controller logged no failed sync', () => {
    // Conflicts from racing our own writes are retried and harmless; anything else is a bug.
    assert.deepEqual(logs.filter((l) => !/conflict|the object has been modified/i.test(l)), []);
  });
});
