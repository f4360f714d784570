// Admission with the real kubectl 1.32: a ResourceQuota of 2 pods refuses
// the third with Kubernetes' message and `describe quota` shows used/hard
// (usage given back when a pod goes); a LimitRange fills in defaults and
// refuses what exceeds its max; PodSecurity enforces (403 with the
// violations) and warns (kubectl prints the Warning).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

const skip = hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed';

const pod = (name: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...extra } });

describe('admission through kubectl', { skip }, () => {
  let cluster: TestCluster;
  let kubectl: ReturnType<typeof kubectlRunner>;
  let api: ReturnType<typeof apiClient>;

  before(async () => {
    cluster = await startTestCluster();
    kubectl = kubectlRunner('1.32', cluster.kubeconfig);
    api = apiClient(cluster.kubeconfig);
    for (const ns of ['quota', 'limits', 'restricted', 'warned']) assert.equal((await kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => cluster?.stop());

  test('a quota of 2 pods refuses the third with the exceeded-quota message; describe shows used/hard', async () => {
    assert.equal((await kubectl(['create', 'quota', 'q', '--hard=pods=2,count/configmaps=10', '-n', 'quota'])).code, 0);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/quota/resourcequotas/q')).body?.status?.used?.pods === '0', 'quota status computed');
    for (const name of ['p1', 'p2']) {
      const r = await kubectl(['apply', '-n', 'quota', '-f', '-'], { stdin: pod(name) });
      assert.equal(r.code, 0, r.stderr);
    }
    const third = await kubectl(['apply', '-n', 'quota', '-f', '-'], { stdin: pod('p3') });
    assert.equal(third.code, 1);
    assert.match(third.stderr, /pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2\n?$/);
    assert.equal((await api('GET', '/api/v1/namespaces/quota/pods/p3')).status, 404);
    const describe = await kubectl(['describe', 'quota', 'q', '-n', 'quota']);
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /Resource\s+Used\s+Hard/);
    assert.match(describe.stdout, /\npods\s+2\s+2\n/);
    // Deleting a pod gives its unit back (the controller recomputes usage).
    assert.equal((await kubectl(['delete', 'pod', 'p1', '-n', 'quota', '--grace-period=0', '--wait=false'])).code, 0);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/quota/resourcequotas/q')).body?.status?.used?.pods === '1', 'usage released');
    assert.equal((await kubectl(['apply', '-n', 'quota', '-f', '-'], { stdin: pod('p3') })).code, 0);
  });

  test('concurrent creates never exceed the quota', async () => {
    assert.equal((await kubectl(['create', 'quota', 'cms', '--hard=configmaps=5', '-n', 'quota'])).code, 0);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/quota/resourcequotas/cms')).body?.status?.used?.configmaps !== undefined, 'quota status computed');
    const used = Number((await api('GET', '/api/v1/namespaces/quota/resourcequotas/cms')).body.status.used.configmaps);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => api('POST', '/api/v1/namespaces/quota/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } })));
    const created = results.filter((r) => r.status === 201).length;
    assert.equal(created, 5 - used);
    for (const r of results.filter((r) => r.status !== 201)) {
      assert.equal(r.status, 403);
      assert.match(r.body.message, /^configmaps "c\d+" is forbidden: exceeded quota: cms, requested: configmaps=1, used: configmaps=5, limited: configmaps=5$/);
    }
  });

  test('a quota on cpu wants every container to say its cpu', async () => {
    assert.equal((await kubectl(['create', 'quota', 'compute', '--hard=requests.cpu=1,limits.memory=1Gi', '-n', 'limits'])).code, 0);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/limits/resourcequotas/compute')).body?.status?.used !== undefined, 'quota status computed');
    const r = await kubectl(['apply', '-n', 'limits', '-f', '-'], { stdin: pod('bare') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pods "bare" is forbidden: failed quota: compute: must specify limits\.memory for: c; requests\.cpu for: c/);
  });

  test('a LimitRange fills in defaults and refuses what exceeds its max', async () => {
    const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1' } }] } };
    assert.equal((await kubectl(['apply', '-n', 'limits', '-f', '-'], { stdin: JSON.stringify(lr) })).code, 0);
    await kubectl(['delete', 'quota', 'compute', '-n', 'limits']);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/limits/resourcequotas/compute')).status === 404, 'quota gone');
    await waitFor(async () => (await kubectl(['apply', '-n', 'limits', '-f', '-'], { stdin: pod('defaulted') })).code === 0, 'pod created');
    const got = JSON.parse((await kubectl(['get', 'pod', 'defaulted', '-n', 'limits', '-o', 'json'])).stdout);
    assert.deepEqual(got.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    assert.equal(got.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
    const big = await kubectl(['apply', '-n', 'limits', '-f', '-'], { stdin: pod('big', {}, { resources: { limits: { cpu: '2' } } }) });
    assert.equal(big.code, 1);
    assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });

  test('a restricted namespace refuses a privileged pod with the PodSecurity message', async () => {
    assert.equal((await kubectl(['label', 'namespace', 'restricted', 'pod-security.kubernetes.io/enforce=restricted'])).code, 0);
    const r = await kubectl(['apply', '-n', 'restricted', '-f', '-'], { stdin: pod('priv', {}, { securityContext: { privileged: true } }) });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext\.privileged=true\), allowPrivilegeEscalation != false \(container "c" must set securityContext\.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext\.capabilities\.drop=\["ALL"\]\), runAsNonRoot != true \(pod or container "c" must set securityContext\.runAsNonRoot=true\), seccompProfile \(pod or container "c" must set securityContext\.seccompProfile\.type to "RuntimeDefault" or "Localhost"\)/,
    );
    const good = pod('good', { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }, { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } });
    const ok = await kubectl(['apply', '-n', 'restricted', '-f', '-'], { stdin: good });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await kubectl(['label', 'namespace', 'restricted', '--overwrite', 'pod-security.kubernetes.io/enforce=baseline'])).code, 0);
    const host = await kubectl(['apply', '-n', 'restricted', '-f', '-'], { stdin: pod('host', { hostNetwork: true, hostPID: true }) });
    assert.match(host.stderr, /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true, hostPID=true\)/);
  });

  test('warn mode prints the warning in kubectl and admits the pod', async () => {
    assert.equal((await kubectl(['label', 'namespace', 'warned', 'pod-security.kubernetes.io/warn=baseline', 'pod-security.kubernetes.io/warn-version=v1.32'])).code, 0);
    const r = await kubectl(['apply', '-n', 'warned', '-f', '-'], { stdin: pod('priv', {}, { securityContext: { privileged: true } }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: would violate PodSecurity "baseline:v1\.32": privileged \(container "c" must not set securityContext\.privileged=true\)/);
    const deploy = await kubectl(['create', 'deployment', 'web', '--image=busybox', '-n', 'warned', '--dry-run=client', '-o', 'json']);
    const d = JSON.parse(deploy.stdout);
    d.spec.template.spec.hostNetwork = true;
    const w = await kubectl(['apply', '-n', 'warned', '-f', '-'], { stdin: JSON.stringify(d) });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /Warning: would violate PodSecurity "baseline:v1\.32": host namespaces \(hostNetwork=true\)/);
  });
});
