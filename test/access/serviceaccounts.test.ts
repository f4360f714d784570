// ServiceAccounts end to end: the default account and kube-root-ca.crt in
// every namespace, the projected kube-api-access volume on pods, tokens from
// `kubectl create token` that list pods when a Role allows and get 403 when
// not, pod-bound tokens from the TokenRequest API, and 401 for expired,
// malformed, foreign-signed tokens and tokens of deleted accounts or pods.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { apiClient } from '../support/api.ts';
import { hasKubectl, kubectlRunner } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';
import { ServiceAccountTokens } from '../../src/apiserver/auth/satoken.ts';

const skip = hasKubectl('1.32') ? false : 'kubectl 1.32 is not installed';

describe('ServiceAccount tokens', { skip }, () => {
  let cluster: TestCluster;
  let admin: ReturnType<typeof kubectlRunner>;
  let api: ReturnType<typeof apiClient>;
  /** kubectl with nothing but a bearer token. */
  let withToken: (token: string) => ReturnType<typeof kubectlRunner>;

  before(async () => {
    cluster = await startTestCluster();
    admin = kubectlRunner('1.32', cluster.kubeconfig);
    api = apiClient(cluster.kubeconfig);
    const kc = parse(readFileSync(cluster.kubeconfig, 'utf8'));
    let n = 0;
    withToken = (token: string) => {
      const path = join(cluster.dataDir, `token-${n++}.kubeconfig`);
      kc.users[0].user = { token };
      writeFileSync(path, stringify(kc));
      return kubectlRunner('1.32', path);
    };
    for (const args of [
      ['create', 'namespace', 'apps'],
      ['create', 'serviceaccount', 'robot', '-n', 'apps'],
      ['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', 'apps'],
      ['create', 'rolebinding', 'robot-reads', '--role=pod-reader', '--serviceaccount=apps:robot', '-n', 'apps'],
    ]) {
      const r = await admin(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => cluster?.stop());

  test('every namespace gets the default ServiceAccount and kube-root-ca.crt; pods get the kube-api-access volume', async () => {
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/apps/serviceaccounts/default')).status === 200, 'default SA');
    const cm = await waitFor(async () => {
      const r = await api('GET', '/api/v1/namespaces/apps/configmaps/kube-root-ca.crt');
      return r.status === 200 ? r.body : undefined;
    }, 'kube-root-ca.crt');
    assert.match(cm.data['ca.crt'], /BEGIN CERTIFICATE/);
    const pod = await api('POST', '/api/v1/namespaces/apps/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(pod.status, 201, pod.text);
    assert.equal(pod.body.spec.serviceAccountName, 'default');
    const vol = pod.body.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vol.projected.sources.map((s: object) => Object.keys(s)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
    assert.equal(vol.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
    assert.deepEqual(pod.body.spec.containers[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    const missing = await api('POST', '/api/v1/namespaces/apps/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { serviceAccountName: 'nobody', containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.message, 'pods "q" is forbidden: error looking up service account apps/nobody: serviceaccount "nobody" not found');
    const off = await api('POST', '/api/v1/namespaces/apps/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'r' }, spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(off.status, 201);
    assert.equal(off.body.spec.volumes, undefined);
  });

  test('a token from kubectl create token lists pods where its Role allows, and is refused elsewhere', async () => {
    const t = await admin(['create', 'token', 'robot', '-n', 'apps']);
    assert.equal(t.code, 0, t.stderr);
    const token = t.stdout.trim();
    const robot = withToken(token);
    const who = JSON.parse((await robot(['auth', 'whoami', '-o', 'json'])).stdout);
    assert.equal(who.status.userInfo.username, 'system:serviceaccount:apps:robot');
    assert.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated']);
    await waitFor(async () => (await robot(['get', 'pods', '-n', 'apps'])).code === 0, 'robot lists pods');
    const other = await robot(['get', 'pods', '-n', 'default']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /pods is forbidden: User "system:serviceaccount:apps:robot" cannot list resource "pods" in API group "" in the namespace "default"/);
    const write = await robot(['delete', 'pod', 'p', '-n', 'apps']);
    assert.match(write.stderr, /pods "p" is forbidden: User "system:serviceaccount:apps:robot" cannot delete resource "pods" in API group "" in the namespace "apps"/);
    const short = await admin(['create', 'token', 'robot', '-n', 'apps', '--duration=1m']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
  });

  test('a pod-bound token from the TokenRequest API carries the binding and dies with the pod', async () => {
    const pod = await api('POST', '/api/v1/namespaces/apps/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(pod.status, 201, pod.text);
    const tr = await api('POST', '/api/v1/namespaces/apps/serviceaccounts/robot/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: pod.body.metadata.uid } },
    });
    assert.equal(tr.status, 201, tr.text);
    assert.equal(tr.body.kind, 'TokenRequest');
    const claims = JSON.parse(Buffer.from(tr.body.status.token.split('.')[1], 'base64url').toString());
    assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(claims.sub, 'system:serviceaccount:apps:robot');
    assert.equal(claims['kubernetes.io'].pod.uid, pod.body.metadata.uid);
    assert.equal(claims.exp - claims.iat, 3607);
    const robot = withToken(tr.body.status.token);
    await waitFor(async () => (await robot(['get', 'pods', '-n', 'apps'])).code === 0, 'bound token works');
    const wrong = await api('POST', '/api/v1/namespaces/apps/serviceaccounts/default/token', { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound' } } });
    assert.equal(wrong.status, 400);
    assert.equal((await api('DELETE', '/api/v1/namespaces/apps/pods/bound?gracePeriodSeconds=0')).status, 200);
    await waitFor(async () => (await robot(['get', 'pods', '-n', 'apps'])).code === 1, 'token of a deleted pod refused');
    assert.match((await robot(['get', 'pods', '-n', 'apps'])).stderr, /You must be logged in to the server/);
  });

  test('expired, malformed, foreign-signed tokens and tokens of deleted accounts get 401', async () => {
    const sa = (await api('GET', '/api/v1/namespaces/apps/serviceaccounts/robot')).body;
    const own = new ServiceAccountTokens({ privateKey: readFileSync(join(cluster.dataDir, 'pki', 'sa.key'), 'utf8') });
    const expired = await own.issue({ namespace: 'apps', serviceAccount: { name: 'robot', uid: sa.metadata.uid }, expirationSeconds: 600, now: new Date(Date.now() - 3600_000) });
    const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const foreign = await new ServiceAccountTokens({ privateKey: foreignKey }).issue({ namespace: 'apps', serviceAccount: { name: 'robot', uid: sa.metadata.uid } });
    const fresh = await own.issue({ namespace: 'apps', serviceAccount: { name: 'robot', uid: sa.metadata.uid } });
    const [h, p, s] = fresh.token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...fresh.claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${s}`;
    assert.equal((await api('GET', '/api/v1/namespaces/apps/pods', undefined, { authorization: `Bearer ${fresh.token}` })).status, 200);
    for (const [what, token] of [['expired', expired.token], ['foreign-signed', foreign.token], ['malformed', 'a.b.c'], ['tampered', tampered], ['garbage', 'not a token'], ['empty', '']] as const) {
      const r = await api('GET', '/api/v1/namespaces/apps/pods', undefined, { authorization: `Bearer ${token}` });
      assert.equal(r.status, 401, what);
      assert.equal(r.body.reason, 'Unauthorized', what);
    }
    assert.equal((await admin(['delete', 'serviceaccount', 'robot', '-n', 'apps'])).code, 0);
    await waitFor(async () => (await api('GET', '/api/v1/namespaces/apps/pods', undefined, { authorization: `Bearer ${fresh.token}` })).status === 401, 'token of a deleted account refused');
    void p;
  });
});
