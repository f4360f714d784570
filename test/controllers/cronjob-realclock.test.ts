// The CronJob controller on the real clock, with real kubectl: one firing of
// a "* * * * *" cronjob (REAL CLOCK: up to ~62 s of waiting, in its own file
// so it runs alongside the other suites) and kubectl 1.32's cronjob commands.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { waitFor } from '../support/wait.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { Client } from '../../src/client/rest.ts';
import { CronJobController } from '../../src/controllers/cronjob/controller.ts';

const JOB_SPEC = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } } };

function cronJob(name: string, spec: Record<string, unknown> = {}): any {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { app: name } }, spec: JOB_SPEC }, ...spec } };
}

const minute = (t: Date) => Math.floor(t.getTime() / 60_000);

describe('cronjob controller (real clock) and kubectl', { concurrency: true }, () => {
  let cluster: TestCluster;
  let client: Client;
  let ctl: CronJobController;
  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
    ctl = new CronJobController(client);
    await ctl.start();
  });
  after(async () => {
    await ctl?.stop();
    client?.close();
    await cluster?.stop();
  });

  test('kubectl 1.32: create cronjob, get cronjobs, create job --from=cronjob', { skip: hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed' }, async () => {
    const kubectl = kubectlRunner('1.32', cluster.kubeconfig);
    const created = await kubectl(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'echo', 'hi']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'cronjob.batch/nightly created');
    const got = await kubectl(['get', 'cronjobs']);
    assert.match(got.stdout, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    assert.match(got.stdout, /\nnightly\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s\n/);
    const manual = await kubectl(['create', 'job', 'nightly-manual', '--from=cronjob/nightly']);
    assert.equal(manual.code, 0, manual.stderr);
    assert.equal(manual.stdout.trim(), 'job.batch/nightly-manual created');
    const job = JSON.parse((await kubectl(['get', 'job', 'nightly-manual', '-o', 'json'])).stdout);
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
    // A manual job is not one of the schedule's: the controller warns, and tracks it while it runs.
    await waitFor(async () => JSON.parse((await kubectl(['get', 'cronjob', 'nightly', '-o', 'json'])).stdout).status?.active?.length === 1, 'the manual job in status.active');
  });

  // REAL CLOCK: waits for the next wall-clock minute (up to ~62 s); runs alongside the fake-clock suite.
  test('REAL CLOCK: a "* * * * *" cronjob fires at the next minute', { timeout: 75_000 }, async () => {
    const kubectl = kubectlRunner('1.32', cluster.kubeconfig);
    const api = apiClient(cluster.kubeconfig);
    assert.equal((await api('POST', '/apis/batch/v1/namespaces/default/cronjobs', cronJob('every'))).status, 201);
    const next = (minute(new Date()) + 1) * 60_000;
    const job = await waitFor(async () => ((await api('GET', '/apis/batch/v1/namespaces/default/jobs?labelSelector=app%3Devery')).body.items as any[])[0], 'the first firing', 70_000, 250);
    assert.equal(job.metadata.name, `every-${next / 60_000}`);
    assert.ok(Date.now() >= next, 'not before its minute');
    assert.ok(Date.now() - next < 5_000, 'within seconds of its minute');
    if (hasKubectl('1.32')) {
      const got = await kubectl(['get', 'cronjob', 'every']);
      assert.match(got.stdout, /\nevery\s+\* \* \* \* \*\s+<none>\s+False\s+1\s+\d+s\s+\d+s\n/);
    }
  });
});
