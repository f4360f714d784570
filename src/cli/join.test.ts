import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { startTestCluster } from '../../test/support/cluster.ts';
import { Client, type KubeObject } from '../client/rest.ts';
import { ApiError } from '../client/errors.ts';
import { caCertHash, checkJoinToken, newJoinTokenSecret } from './join.ts';
import { discoverCA, parseServers, requestJoin } from './agent.ts';
import { parseTTL } from './token.ts';

test('join tokens look like kubeadm bootstrap tokens and expire', async () => {
  const { token, secret } = newJoinTokenSecret(60, Date.parse('2030-01-01T00:00:00Z'));
  assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  assert.equal(secret.metadata!.name, `bootstrap-token-${token.split('.')[0]}`);
  assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
  assert.equal(secret.stringData!.expiration, '2030-01-01T00:01:00Z');
  assert.equal(newJoinTokenSecret().secret.stringData!.expiration, undefined);
  assert.equal(parseTTL('24h'), 86400);
  assert.equal(parseTTL('0'), 0);
  assert.throws(() => parseTTL('soon'), /--ttl must be a duration/);
});

test('an agent discovers the CA by its hash, joins with a token and gets node credentials', async () => {
  const cluster = await startTestCluster();
  try {
    const server = new URL(cluster.url);
    const ca = readFileSync(join(cluster.pkiDir, 'ca.crt'), 'utf8');
    const secrets = cluster.client.resource<Secret & KubeObject>('v1', 'secrets');
    const { token, secret } = newJoinTokenSecret(600);
    await secrets.create('kube-system', secret);

    // Discovery: the right hash gives the CA; a wrong one is refused.
    assert.equal(await discoverCA(server, { caCertHash: caCertHash(ca) }), ca);
    await assert.rejects(discoverCA(server, { caCertHash: `sha256:${'0'.repeat(64)}` }), /refusing to join/);
    await assert.rejects(discoverCA(server, {}), /--ca-cert-hash/);

    // Bad tokens change nothing.
    await assert.rejects(requestJoin(server, ca, 'abcdef.0123456789abcdef', 'n1', ['10.44.0.9']), /401.*unknown/);
    await assert.rejects(requestJoin(server, ca, 'garbage', 'n1', []), /401.*malformed/);
    await assert.rejects(requestJoin(server, ca, token, 'Not_A_Name', []), /400.*nodeName/);
    const expired = newJoinTokenSecret(1, Date.now() - 10_000);
    await secrets.create('kube-system', expired.secret);
    assert.match((await checkJoinToken(cluster.client, expired.token))!, /expired/);
    await assert.rejects(requestJoin(server, ca, expired.token, 'n1', []), /401.*expired/);

    const r = await requestJoin(server, ca, token, 'n1', ['10.44.0.9']);
    assert.equal(r.nodeName, 'n1');
    const cert = new X509Certificate(r.servingCert);
    assert.ok(cert.checkIP('10.44.0.9'), cert.subjectAltName);
    assert.ok(cert.verify(new X509Certificate(ca).publicKey));
    // The node's identity is a client certificate from the cluster CA: system:node:n1 in system:nodes.
    const clientCert = new X509Certificate(r.clientCert);
    assert.match(clientCert.subject, /CN=system:node:n1/);
    assert.match(clientCert.subject, /O=system:nodes/);
    assert.ok(clientCert.verify(new X509Certificate(ca).publicKey));
    // The same node joining again gets the same identity.
    assert.match(new X509Certificate((await requestJoin(server, ca, token, 'n1', ['10.44.0.9'])).clientCert).subject, /CN=system:node:n1/);

    // What an agent does is allowed (register its Node, renew its Lease); admin things are not.
    const node = new Client({ server: cluster.url, ca, cert: r.clientCert, key: r.clientKey });
    try {
      await node.resource('v1', 'nodes').create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } as KubeObject);
      await node.resource('coordination.k8s.io/v1', 'leases').create('kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1' } } as KubeObject);
      await node.resource('v1', 'pods').list(undefined);
      await assert.rejects(node.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nope' } } as KubeObject), (e) => e instanceof ApiError && e.code === 403);
      await assert.rejects(node.resource('rbac.authorization.k8s.io/v1', 'clusterroles').create(undefined, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mine' }, rules: [] } as KubeObject), (e) => e instanceof ApiError && e.code === 403);
    } finally {
      node.close();
    }
  } finally {
    await cluster.stop();
  }
});

test('--server takes one URL or several separated by commas, https only', () => {
  assert.deepEqual(parseServers('https://10.0.0.1:6443, https://10.0.0.2:6443').map((u) => u.host), ['10.0.0.1:6443', '10.0.0.2:6443']);
  assert.throws(() => parseServers('https://10.0.0.1:6443,http://10.0.0.2:6443'), /must be an https:\/\/ URL, got "http:\/\/10.0.0.2:6443"/);
  assert.throws(() => parseServers('10.0.0.1'), /must be a URL like https:\/\/10.0.0.1:6443/);
});
