// RBAC with the real kubectl 1.32: users with client certificates from
// `skiff user create`, Kubernetes' Forbidden wording, namespace admins kept
// to their namespace, `auth can-i` (and --list), `auth whoami`, and 401s for
// certificates from another CA and for anonymous requests.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { parse, stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';
import { createUserKubeconfig } from '../../src/cli/user.ts';
import { ensurePKI } from '../../src/apiserver/auth/pki.ts';
import { issueClientCertificate } from '../../src/apiserver/auth/clientcert.ts';

const skip = hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed';

describe('RBAC through kubectl', { skip }, () => {
  let cluster: TestCluster;
  let admin: ReturnType<typeof kubectlRunner>;
  let jane: ReturnType<typeof kubectlRunner>;
  let ann: ReturnType<typeof kubectlRunner>;
  const work = mkdtempSync(join(tmpdir(), 'skiff-access-'));

  before(async () => {
    cluster = await startTestCluster();
    admin = kubectlRunner('1.32', cluster.kubeconfig);
    jane = kubectlRunner('1.32', createUserKubeconfig({ dataDir: cluster.dataDir, name: 'jane', groups: [], out: join(work, 'jane') }));
    ann = kubectlRunner('1.32', createUserKubeconfig({ dataDir: cluster.dataDir, name: 'ann', groups: ['team-a'], out: join(work, 'ann') }));
    for (const args of [
      ['create', 'namespace', 'a'],
      ['create', 'namespace', 'b'],
      ['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'default'],
      ['create', 'rolebinding', 'team-a-admin', '--clusterrole=admin', '--group=team-a', '-n', 'a'],
      ['create', 'configmap', 'cfg', '--from-literal=k=v', '-n', 'default'],
    ]) {
      const r = await admin(args);
      assert.equal(r.code, 0, r.stderr);
    }
    // Bindings reach the authorizer through its watch of the RBAC caches.
    await waitFor(async () => (await jane(['get', 'configmaps'])).code === 0, 'jane can read configmaps');
    await waitFor(async () => (await ann(['get', 'pods', '-n', 'a'])).code === 0, 'ann can read pods in a');
  });
  after(async () => cluster?.stop());

  test('a view user can get but not delete, with Kubernetes\' Forbidden message', async () => {
    const get = await jane(['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.k}']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'v');
    const del = await jane(['delete', 'configmap', 'cfg']);
    assert.equal(del.code, 1);
    assert.equal(del.stderr.trim(), 'Error from server (Forbidden): configmaps "cfg" is forbidden: User "jane" cannot delete resource "configmaps" in API group "" in the namespace "default"');
    // Nothing was deleted.
    assert.equal((await admin(['get', 'configmap', 'cfg'])).code, 0);
    const list = await jane(['get', 'secrets']);
    assert.match(list.stderr, /secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"/);
    const nodes = await jane(['get', 'nodes']);
    assert.match(nodes.stderr, /nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope/);
    const other = await jane(['get', 'pods', '-n', 'a']);
    assert.match(other.stderr, /pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "a"/);
  });

  test('a namespace admin works in its namespace and cannot touch another', async () => {
    const create = await ann(['create', 'configmap', 'mine', '--from-literal=x=y', '-n', 'a']);
    assert.equal(create.code, 0, create.stderr);
    const deploy = await ann(['create', 'deployment', 'web', '--image=busybox', '-n', 'a']);
    assert.equal(deploy.code, 0, deploy.stderr);
    const roles = await ann(['create', 'role', 'reader', '--verb=get', '--resource=pods', '-n', 'a']);
    assert.equal(roles.code, 0, roles.stderr);
    const elsewhere = await ann(['create', 'configmap', 'theirs', '--from-literal=x=y', '-n', 'b']);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /configmaps is forbidden: User "ann" cannot create resource "configmaps" in API group "" in the namespace "b"/);
    assert.equal((await admin(['get', 'configmap', 'theirs', '-n', 'b'])).code, 1);
    const scale = await ann(['scale', 'deployment', 'web', '--replicas=2', '-n', 'b']);
    assert.equal(scale.code, 1);
    const nsDelete = await ann(['delete', 'namespace', 'b']);
    assert.match(nsDelete.stderr, /namespaces "b" is forbidden: User "ann" cannot delete resource "namespaces" in API group "" in the namespace "b"/);
  });

  test('auth can-i answers yes/no with exit codes, for users and for admin', async () => {
    const cases: [ReturnType<typeof kubectlRunner>, string[], 'yes' | 'no'][] = [
      [jane, ['list', 'pods'], 'yes'],
      [jane, ['delete', 'pods'], 'no'],
      [jane, ['get', 'pods', '-n', 'a'], 'no'],
      [jane, ['get', 'pods/log'], 'yes'],
      [jane, ['create', 'pods/exec'], 'no'],
      [ann, ['create', 'deployments.apps', '-n', 'a'], 'yes'],
      [ann, ['create', 'deployments.apps', '-n', 'b'], 'no'],
      [ann, ['create', 'rolebindings', '-n', 'a'], 'yes'],
      [ann, ['list', 'nodes'], 'no'],
      [admin, ['delete', 'nodes'], 'yes'],
      [admin, ['*', '*'], 'yes'],
    ];
    for (const [who, args, want] of cases) {
      const r = await who(['auth', 'can-i', ...args]);
      assert.equal(r.stdout.trim(), want, `can-i ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
      assert.equal(r.code, want === 'yes' ? 0 : 1, `exit code of can-i ${args.join(' ')}`);
    }
    const list = await jane(['auth', 'can-i', '--list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/);
    assert.match(list.stdout, /\n\s*pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
  });

  test('auth whoami names the certificate\'s user and groups', async () => {
    const r = await ann(['auth', 'whoami', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const review = JSON.parse(r.stdout);
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.equal(review.status.userInfo.username, 'ann');
    assert.deepEqual(review.status.userInfo.groups, ['team-a', 'system:authenticated']);
  });

  test('a certificate signed by another CA is 401, and so is an anonymous resource request', async () => {
    const otherPKI = ensurePKI(join(work, 'other-pki'));
    const { cert, key } = issueClientCertificate(join(work, 'other-pki'), 'mallory', ['system:masters']);
    assert.ok(otherPKI.caCert);
    const kc = parse(readFileSync(join(work, 'jane'), 'utf8'));
    kc.users[0].user = { 'client-certificate-data': Buffer.from(cert).toString('base64'), 'client-key-data': Buffer.from(key).toString('base64') };
    writeFileSync(join(work, 'mallory'), stringify(kc));
    const mallory = kubectlRunner('1.32', join(work, 'mallory'));
    const r = await mallory(['get', 'pods']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server/);

    const url = new URL(cluster.url);
    const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path, ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status('/version'), 200);
    assert.equal(await status('/healthz'), 200);
    assert.equal(await status('/api/v1/namespaces/default/pods'), 401);
    assert.equal(await status('/api'), 401);
  });

  test('default roles exist with aggregated rules, and system namespaces may not be deleted', async () => {
    const view = JSON.parse((await admin(['get', 'clusterrole', 'view', '-o', 'json'])).stdout);
    assert.ok(view.aggregationRule.clusterRoleSelectors[0].matchLabels['rbac.authorization.k8s.io/aggregate-to-view']);
    assert.ok(view.rules.some((r: { resources?: string[] }) => r.resources?.includes('pods')));
    const adminRole = JSON.parse((await admin(['get', 'clusterrole', 'admin', '-o', 'json'])).stdout);
    assert.ok(adminRole.rules.some((r: { resources?: string[] }) => r.resources?.includes('rolebindings')));
    assert.ok(adminRole.rules.some((r: { resources?: string[] }) => r.resources?.includes('pods/exec')));
    // A new role labelled for aggregation into view is granted through it.
    const extra = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view-leases', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['list'] }] };
    assert.equal((await admin(['apply', '-f', '-'], { stdin: JSON.stringify(extra) })).code, 0);
    await waitFor(async () => (await jane(['auth', 'can-i', 'list', 'leases.coordination.k8s.io'])).code === 0, 'view aggregates view-leases');
    const del = await admin(['delete', 'namespace', 'kube-system']);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /namespaces "kube-system" is forbidden: this namespace may not be deleted/);
  });

  test('the kubernetes Service and its endpoints point at the API server', async () => {
    const svc = JSON.parse((await admin(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(svc.spec.clusterIP, '10.43.0.1');
    assert.equal(svc.spec.ports[0].port, 443);
    const ep = JSON.parse((await admin(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json'])).stdout);
    assert.equal(String(ep.subsets[0].ports[0].port), new URL(cluster.url).port);
    assert.equal(ep.subsets[0].addresses[0].ip, new URL(cluster.url).hostname);
  });
});
