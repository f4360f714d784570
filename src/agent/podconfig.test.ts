// The sandbox hostname: truncation and setHostnameAsFQDN, as the kubelet sets
// it; the security context and host namespaces handed to the runtime.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, sandboxConfig } from './podconfig.ts';

const o = { logRoot: '/tmp/skiff-logs', memoryCapacityBytes: 1 << 30, clusterDNS: ['10.96.0.10'] };
const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name, namespace: 'shop', uid: 'u1' }, spec: { containers: [], ...spec } });

test('sandbox hostname: the pod name cut to 63 without a trailing dash, spec.hostname, setHostnameAsFQDN', () => {
  assert.equal(sandboxConfig(pod(`${'a'.repeat(62)}-xyz`), 0, o).hostname, 'a'.repeat(62));
  assert.equal(sandboxConfig(pod('p', { hostname: 'web-0', subdomain: 'web' }), 0, o).hostname, 'web-0');
  assert.equal(sandboxConfig(pod('p', { hostname: 'web-0', subdomain: 'web', setHostnameAsFQDN: true }), 0, o).hostname, 'web-0.web.shop.svc.cluster.local');
  assert.throws(
    () => sandboxConfig(pod('p', { hostname: 'h'.repeat(40), subdomain: 'web', setHostnameAsFQDN: true }), 0, o),
    /^Error: failed to construct FQDN from pod hostname and cluster domain, FQDN h{40}\.web\.shop\.svc\.cluster\.local is too long \(64 characters is the max, 67 characters requested\)$/,
  );
});

test('security context: seccomp, privilege escalation, runAsNonRoot, fsGroup and host namespaces reach the runtime', () => {
  const c = { name: 'c', image: 'busybox' };
  const sc = (spec: Partial<NonNullable<Pod['spec']>>, cont: Partial<Container> = {}) => containerConfig(pod('p', { containers: [{ ...c, ...cont }], ...spec }), { ...c, ...cont }, 'app', 0, [], [], o).securityContext!;
  assert.equal(sc({}).seccompProfile, undefined, 'unset: the runtime applies RuntimeDefault');
  assert.equal(sc({ securityContext: { seccompProfile: { type: 'Unconfined' } } }).seccompProfile, 'Unconfined');
  assert.equal(sc({ securityContext: { seccompProfile: { type: 'Unconfined' } } }, { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/a.json' } } }).seccompProfile, 'Localhost/profiles/a.json', 'the container overrides the pod');
  assert.equal(sc({}).noNewPrivileges, false, 'allowPrivilegeEscalation unset: allowed, as in Kubernetes');
  assert.equal(sc({}, { securityContext: { allowPrivilegeEscalation: false } }).noNewPrivileges, true);
  assert.equal(sc({ securityContext: { runAsNonRoot: true } }).runAsNonRoot, true);
  assert.equal(sc({ securityContext: { runAsNonRoot: true } }, { securityContext: { runAsNonRoot: false } }).runAsNonRoot, false);
  assert.deepEqual(sc({ securityContext: { supplementalGroups: [5], fsGroup: 2000 } }).supplementalGroups, [5, 2000], 'fsGroup joins the supplementary groups');
  const s = sandboxConfig(pod('p', { hostIPC: true, hostPID: true, hostNetwork: true }), 0, o);
  assert.deepEqual([s.hostIPC, s.hostPID, s.hostNetwork, s.hostname], [true, true, true, '']);
});
